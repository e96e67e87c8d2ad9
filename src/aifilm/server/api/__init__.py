"""The HTTP API: one module per resource under `routes/`, gathered by `main.py`."""
