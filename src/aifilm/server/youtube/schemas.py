"""Request and response models of the YouTube endpoints.

Metadata is not limited here beyond types: `VideoMetadata.check()` (the publish package's
rules: a title of at most 100 characters without < >, ...) decides, and its message, field
and fix become the 422 problem, so the API and `aifilm publish` refuse the same things.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from aifilm.publish.youtube import VideoMetadata
from aifilm.publish.youtube.metadata import CATEGORY_FILM
from aifilm.server.schemas import Input

Privacy = Literal["public", "unlisted", "private"]
UploadStatus = Literal["pending", "uploading", "processing", "published", "failed"]


def _time_as_text(value: Any) -> Any:
    # pydantic would take a number as seconds since 1970; the documented type is a date-time
    # string, and a number here is far more likely a mistake than a schedule.
    if isinstance(value, int | float):
        raise ValueError("give the time as text with its zone, e.g. 2026-12-24T18:00:00+05:30")
    return value


PublishAt = Annotated[datetime | None, BeforeValidator(_time_as_text)]


class UploadOptions(Input):
    """How a film goes up: metadata besides the title, playlist, thumbnail."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    tags: list[str] = Field(default_factory=list)
    category_id: str = Field(CATEGORY_FILM, description="1 Film & Animation, 27 Education...")
    language: str | None = Field(None, description="Default: the film's language.")
    privacy: Privacy = "private"
    publish_at: PublishAt = Field(
        None, description="Scheduled publishing (privacy private, a future time with a zone)."
    )
    made_for_kids: StrictBool = False
    notify_subscribers: StrictBool = True
    playlist: str | None = Field(None, description="A playlist ID or title.")
    create_playlist: StrictBool = Field(False, description="Make the playlist if it is missing.")
    thumbnail: str = Field(
        "render",
        description="'render' (the film's own), 'none', or the name of an image uploaded "
        "to the project (images/cover.png).",
    )

    def metadata(self, title: str) -> VideoMetadata:
        """The publish package's metadata for `title`."""
        return VideoMetadata(
            title=title,
            description=self.description,
            tags=list(self.tags),
            category_id=self.category_id,
            default_language=self.language,
            default_audio_language=self.language,
            privacy=self.privacy,
            publish_at=self.publish_at,
            made_for_kids=self.made_for_kids,
            notify_subscribers=self.notify_subscribers,
        )


class UploadCreate(UploadOptions):
    """`POST /api/youtube/upload`: a finished job's film."""

    job_id: uuid.UUID
    title: str | None = Field(None, description="Default: the project's title.")


class UploadPublic(BaseModel):
    """An upload and how far it got."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    job_id: uuid.UUID | None
    project_id: uuid.UUID
    channel_id: str
    status: UploadStatus = Field(validation_alias="upload_status")
    progress: float
    current_step: str | None
    video_id: str | None
    url: str | None = None
    playlist_id: str | None
    error_message: str | None
    automatic: bool
    attempts: int
    request: dict[str, Any]
    result: dict[str, Any] | None
    created_at: datetime
    uploaded_at: datetime | None
    completed_at: datetime | None


class ConnectionPublic(BaseModel):
    """The connected channel. `status` "reauth": Google refused its tokens; connect again."""

    model_config = ConfigDict(from_attributes=True)

    channel_id: str
    channel_title: str
    status: Literal["active", "reauth"]
    last_error: str | None
    scopes: str
    connected_at: datetime
    updated_at: datetime


class AuthStart(BaseModel):
    """Where to send the user's browser to connect a channel."""

    authorization_url: str
    state: str
    redirect_uri: str
    expires_in: int


class Disconnected(BaseModel):
    """The channel is forgotten; `revoked`: Google confirmed the token is dead."""

    revoked: bool
    channel_id: str


class Playlist(BaseModel):
    id: str
    title: str
    privacy: str | None
    item_count: int | None


class PlaylistCreate(Input):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=150)
    privacy: Privacy = "private"


class AutoPublish(Input):
    """A project's auto-publish: on or off, and the options each finished film goes up with
    (its title is the project's)."""

    enabled: StrictBool
    options: UploadOptions | None


class VideoUpdate(Input):
    """`POST /api/youtube/videos/{id}/update`: what to change; what is left out stays.
    `publish_at: null` drops a schedule."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    category_id: str | None = None
    privacy: Privacy | None = None
    publish_at: PublishAt = None
    made_for_kids: StrictBool | None = None


class VideoPublic(BaseModel):
    """A published video's metadata as YouTube has it after the update."""

    video_id: str
    url: str
    upload_id: uuid.UUID
    title: str
    description: str
    tags: list[str]
    category_id: str
    privacy: str
    publish_at: str | None
    made_for_kids: bool | None
