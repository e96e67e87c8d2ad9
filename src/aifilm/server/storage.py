"""Where files live: a `Storage` interface with a local-folder default and an S3 version.

Keys are relative POSIX paths (`projects/<id>/assets/images/kaka.png`); the storage never
sees user-chosen absolute paths.
"""

from __future__ import annotations

import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from aifilm.server.config import ServerSettings

CHUNK = 1024 * 1024


def _check_key(key: str) -> str:
    parts = PurePosixPath(key).parts
    if not parts or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad storage key {key!r}")
    return key


class Storage(ABC):
    """Put, get and delete files by key."""

    @abstractmethod
    def put_file(self, key: str, source: Path, content_type: str) -> None:
        """Store the file at `source` under `key`."""

    @abstractmethod
    def put_stream(self, key: str, stream: BinaryIO, content_type: str) -> None:
        """Store what `stream` holds under `key`."""

    @abstractmethod
    def get_file(self, key: str, target: Path) -> None:
        """Copy the stored file to `target`."""

    @abstractmethod
    def open_stream(self, key: str) -> Iterator[bytes]:
        """The stored file's bytes, in chunks."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> None:
        """Delete every file whose key starts with `prefix/`."""

    def local_path(self, key: str) -> Path | None:
        """The file's path when it is on this machine (lets the server send it directly)."""
        return None

    def presigned_url(self, key: str, filename: str, seconds: int = 600) -> str | None:
        """A time-limited download URL, where the storage can make one."""
        return None

    def ready(self) -> bool:
        """Whether the storage can be used now (readiness check)."""
        return True


class LocalStorage(Storage):
    """Files in a folder on this machine."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put_file(self, key: str, source: Path, content_type: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)

    def put_stream(self, key: str, stream: BinaryIO, content_type: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        with tmp.open("wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        tmp.replace(target)

    def get_file(self, key: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._path(key), target)

    def open_stream(self, key: str) -> Iterator[bytes]:
        with self._path(key).open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix), ignore_errors=True)

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def ready(self) -> bool:
        return self.root.is_dir()


class S3Storage(Storage):
    """Files in an S3 (or S3-compatible) bucket; downloads by presigned URL."""

    def __init__(
        self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, client: Any = None
    ) -> None:
        if client is None:
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint_url)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def _key(self, key: str) -> str:
        _check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, key: str, source: Path, content_type: str) -> None:
        self.client.upload_file(
            str(source), self.bucket, self._key(key), ExtraArgs={"ContentType": content_type}
        )

    def put_stream(self, key: str, stream: BinaryIO, content_type: str) -> None:
        self.client.upload_fileobj(
            stream, self.bucket, self._key(key), ExtraArgs={"ContentType": content_type}
        )

    def get_file(self, key: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        self.client.download_file(self.bucket, self._key(key), str(target))

    def open_stream(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        yield from body.iter_chunks(CHUNK)

    def delete_prefix(self, prefix: str) -> None:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix) + "/"):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})

    def presigned_url(self, key: str, filename: str, seconds: int = 600) -> str | None:
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self._key(key),
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
            ExpiresIn=seconds,
        )
        return url

    def ready(self) -> bool:
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return True
        except Exception:
            return False


def make_storage(settings: ServerSettings) -> Storage:
    """The storage the settings choose."""
    if settings.storage == "s3":
        if not settings.s3_bucket:
            raise ValueError("AIFILM_SERVER_S3_BUCKET must be set when storage is s3")
        return S3Storage(
            settings.s3_bucket, prefix=settings.s3_prefix, endpoint_url=settings.s3_endpoint_url
        )
    return LocalStorage(settings.files_dir)
