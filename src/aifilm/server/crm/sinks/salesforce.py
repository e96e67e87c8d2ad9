"""Salesforce, through `simple-salesforce` (the `crm` extra): accounts and contacts, projects
(`Projects__c`), purchases and plans (`Subscriptions__c`).

Every write is an upsert by an external id field (`salesforce_external_id_field`, default
`Aifilm_Id__c`) holding aifilm's own id, so a re-delivered event updates the same record
instead of making a second one; a deleted account deletes its contact and account by that
id (a record already gone counts as deleted). Sign-in is OAuth 2.0: the client-credentials
flow (a connected app's key and secret) or the JWT bearer flow (its key, a user, and the
private key whose certificate the app holds); a 401 with INVALID_SESSION_ID fetches a new
token and tries again. docs/server.md, "CRM sync", lists the objects and fields to create.
"""

from __future__ import annotations

import contextlib
import functools
import time
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import requests

from aifilm.errors import MissingDependencyError, UserError
from aifilm.server.config import ServerSettings
from aifilm.server.crm.sinks import Event, Permanent, Transient

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class _TimeoutSession(requests.Session):
    """simple-salesforce passes no timeout; a sink must never hang a worker."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return super().request(*args, **kwargs)


class SalesforceSink:
    """Upserts records in one Salesforce org."""

    name = "salesforce"

    def __init__(self, settings: ServerSettings) -> None:
        try:
            from simple_salesforce.api import Salesforce
        except ImportError:
            raise MissingDependencyError(
                "the Salesforce CRM sink needs simple-salesforce",
                hint="pip install 'aifilm[crm]'",
            ) from None
        self._salesforce_class = Salesforce
        self.settings = settings
        self.instance_url = str(settings.salesforce_instance_url).rstrip("/")
        self.login_url = (settings.salesforce_login_url or self.instance_url).rstrip("/")
        self.version = settings.salesforce_api_version.lstrip("v")
        self.external_id = settings.salesforce_external_id_field
        self.session = _TimeoutSession(settings.crm_timeout_seconds)
        self._client: Any = None

    # -- OAuth 2.0 ---------------------------------------------------------------------
    def _token(self) -> tuple[str, str]:
        """A new access token and the instance host it is for."""
        settings = self.settings
        if settings.salesforce_private_key_file is not None:
            import jwt

            claims = {
                "iss": settings.salesforce_client_id,
                "sub": settings.salesforce_username,
                "aud": self.login_url,
                "exp": int(time.time()) + 180,
            }
            key = settings.salesforce_private_key_file.read_text()
            form = {"grant_type": JWT_GRANT, "assertion": jwt.encode(claims, key, "RS256")}
        else:
            form = {
                "grant_type": "client_credentials",
                "client_id": str(settings.salesforce_client_id),
                "client_secret": str(settings.salesforce_client_secret),
            }
        try:
            response = httpx.post(
                f"{self.login_url}/services/oauth2/token",
                data=form,
                timeout=settings.crm_timeout_seconds,
            )
        except httpx.HTTPError as error:
            raise Transient(f"Salesforce sign-in unreachable: {error}") from None
        if response.status_code != 200:
            # A wrong key or secret: retried (with backoff) so that events sent before the
            # operator fixes the settings still arrive.
            raise Transient(f"Salesforce sign-in refused ({response.status_code}): "
                            f"{response.text[:300]}")  # fmt: skip
        body = response.json()
        self.instance_url = str(body.get("instance_url") or self.instance_url).rstrip("/")
        return str(body["access_token"]), urlsplit(self.instance_url).netloc

    def _salesforce(self) -> Any:
        if self._client is None:
            token, host = self._token()
            client = self._salesforce_class(
                instance=host, session_id=token, version=self.version, session=self.session
            )
            # Lets simple-salesforce sign in again on a 401 INVALID_SESSION_ID.
            client._salesforce_login_partial = functools.partial(self._token)
            self._client = client
        return self._client

    def _sobject(self, name: str) -> Any:
        sobject = getattr(self._salesforce(), name)
        # simple-salesforce always says https; keep the configured scheme (tests on http).
        sobject.base_url = f"{self.instance_url}/services/data/v{self.version}/sobjects/{name}/"
        return sobject

    # -- records -----------------------------------------------------------------------
    def _upsert(self, name: str, key: str, fields: dict[str, Any]) -> None:
        self._call(lambda: self._sobject(name).upsert(self._path(key), fields))

    def _delete(self, name: str, key: str) -> None:
        from simple_salesforce.exceptions import SalesforceResourceNotFound

        with contextlib.suppress(SalesforceResourceNotFound):  # already gone: a repeat
            self._call(lambda: self._sobject(name).delete(self._path(key)))

    def _path(self, key: str) -> str:
        return f"{self.external_id}/{quote(key, safe='')}"

    def _ref(self, key: str) -> dict[str, str]:
        """A lookup to another record by its external id."""
        return {self.external_id: key}

    def _call(self, action: Any) -> Any:
        from simple_salesforce.exceptions import (
            SalesforceError,
            SalesforceExpiredSession,
            SalesforceGeneralError,
            SalesforceRefusedRequest,
            SalesforceResourceNotFound,
        )

        try:
            return action()
        except SalesforceResourceNotFound:
            raise
        except SalesforceExpiredSession as error:
            self._client = None
            raise Transient(f"Salesforce session refused: {error.content!r}"[:500]) from None
        except SalesforceRefusedRequest as error:
            # 403 REQUEST_LIMIT_EXCEEDED is the org's API quota: wait for it.
            raise Transient(
                f"Salesforce refused ({error.status}): {error.content!r}"[:500]
            ) from None
        except SalesforceGeneralError as error:
            raise Transient(f"Salesforce error {error.status}: {error.content!r}"[:500]) from None
        except SalesforceError as error:  # 300, 400: this record will not go as it is
            raise Permanent(f"Salesforce {error.status}: {error.content!r}"[:500]) from None
        except requests.RequestException as error:
            raise Transient(f"Salesforce unreachable: {type(error).__name__}") from None

    def deliver(self, event: Event) -> None:
        from simple_salesforce.exceptions import SalesforceResourceNotFound

        data = event.payload
        try:
            handler = getattr(self, "_" + event.type.replace(".", "_"))
            handler(event, data)
        except SalesforceResourceNotFound as error:
            raise Permanent(f"Salesforce 404: {error.content!r}"[:500]) from None

    def _contact(self, data: dict[str, Any]) -> None:
        user = data["user_id"]
        name = data.get("full_name") or data["email"]
        self._upsert("Account", user, {"Name": name[:255]})
        self._upsert(
            "Contact",
            user,
            {
                "LastName": name[:80],
                "Email": data["email"],
                "Account": self._ref(user),
                "Aifilm_Plan__c": data.get("plan"),
            },
        )

    def _user_registered(self, event: Event, data: dict[str, Any]) -> None:
        self._contact(data)

    def _user_updated(self, event: Event, data: dict[str, Any]) -> None:
        self._contact(data)

    def _user_deleted(self, event: Event, data: dict[str, Any]) -> None:
        self._delete("Contact", data["user_id"])
        self._delete("Account", data["user_id"])

    def _plan_changed(self, event: Event, data: dict[str, Any]) -> None:
        user = data["user_id"]
        self._contact(data)
        self._upsert(
            "Subscriptions__c",
            f"plan-{user}",
            {
                "Account__r": self._ref(user),
                "Kind__c": "plan",
                "Plan__c": data["plan"],
                "Changed_At__c": event.created_at.isoformat(),
            },
        )

    def _purchase_completed(self, event: Event, data: dict[str, Any]) -> None:
        self._upsert(
            "Subscriptions__c",
            data["purchase_id"],
            {
                "Account__r": self._ref(data["user_id"]),
                "Kind__c": data["kind"],
                "Credits__c": data["credits"],
                "Changed_At__c": data["created_at"],
            },
        )

    def _project_created(self, event: Event, data: dict[str, Any]) -> None:
        self._upsert(
            "Projects__c",
            data["project_id"],
            {
                "Name": data["title"][:80],
                "Account__r": self._ref(data["user_id"]),
                "Status__c": data["status"],
                "Created_At__c": data["created_at"],
            },
        )

    def _film_rendered(self, event: Event, data: dict[str, Any]) -> None:
        self._upsert(
            "Projects__c",
            data["project_id"],
            {"Status__c": "rendered", "Last_Rendered_At__c": data["completed_at"]},
        )

    def _film_published(self, event: Event, data: dict[str, Any]) -> None:
        self._upsert(
            "Projects__c",
            data["project_id"],
            {"Status__c": "published", "YouTube_Video_Id__c": data["video_id"]},
        )


def from_settings(settings: ServerSettings) -> SalesforceSink:
    jwt_flow = settings.salesforce_private_key_file is not None
    needed = {
        "salesforce_instance_url": settings.salesforce_instance_url,
        "salesforce_client_id": settings.salesforce_client_id,
    }
    if jwt_flow:
        needed["salesforce_username"] = settings.salesforce_username
    else:
        needed["salesforce_client_secret"] = settings.salesforce_client_secret
    missing = [name for name, value in needed.items() if not value]
    if missing:
        raise UserError(
            f"the Salesforce CRM sink needs {', '.join(missing)}",
            hint=f"set AIFILM_SERVER_{missing[0].upper()} (docs/server.md, CRM sync)",
        )
    return SalesforceSink(settings)
