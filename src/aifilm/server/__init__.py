"""The hosted aifilm server: accounts, projects, credits and render jobs over HTTP.

Needs the `server` extra (`pip install 'aifilm[server]'`). Start it with `aifilm serve`, or
build the app yourself::

    from aifilm.server.app import create_app
    from aifilm.server.config import ServerSettings

    app = create_app(ServerSettings(database_url="sqlite:///aifilm.db"))

Layout (the shape of fastapi/full-stack-fastapi-template)::

    config.py     ServerSettings (AIFILM_SERVER_* env > server.toml > defaults)
    models.py     tables; alembic/ holds the migrations
    schemas.py    request/response model families
    deps.py       SessionDep, CurrentUser, AdminUser, SettingsDep, StorageDep, Paging
    api/routes/   users, projects, jobs, credits, admin, health
    credits.py    the ledger (row-locked)      jobs.py   the queue (leases)
    worker.py     renders jobs                  storage.py local folder or S3
"""
