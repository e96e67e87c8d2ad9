"""S3 storage against a real S3-speaking server on 127.0.0.1 (moto's server): uploads land in
the bucket, downloads redirect to presigned URLs that work, a render reads its inputs from
and writes its results to the bucket, and deleting the account deletes its objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import TINY_SPEC, Api, png_bytes

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings

BUCKET = "aifilm-test"
IMAGE_SPEC = TINY_SPEC.replace('  - color: "#336699"\n', "  - background: images/sky.png\n")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a loopback port, for the whole module."""
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A boto3 client of the test server, with an empty bucket."""
    import boto3

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(s3: Any) -> list[str]:
    listed = s3.list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listed.get("Contents", []))


@pytest.fixture
def s3_settings(
    s3: Any, s3_endpoint: str, settings_for: Callable[..., ServerSettings], db_url: str
) -> Callable[..., ServerSettings]:
    if not db_url.startswith("sqlite"):
        pytest.skip("storage does not depend on the database")

    def make(**overrides: Any) -> ServerSettings:
        values = {
            "storage": "s3",
            "s3_bucket": BUCKET,
            "s3_endpoint_url": s3_endpoint,
            "s3_prefix": "films",
            **overrides,
        }
        return settings_for(**values)

    return make


def test_uploads_presigned_downloads_and_account_deletion(
    s3: Any, s3_settings: Callable[..., ServerSettings]
) -> None:
    with TestClient(create_app(s3_settings(worker="none"))) as client:
        ready = client.get("/readyz").json()
        assert ready["checks"]["storage"] == "ok"
        ana, ben = Api(client, "ana@example.com"), Api(client, "ben@example.com")
        image = png_bytes((64, 36), "#2266aa")
        uploaded = {}
        for user in (ana, ben):
            project = user.project(IMAGE_SPEC)
            r = user.post(
                f"/api/projects/{project['id']}/assets",
                files={"file": ("sky.png", image, "application/octet-stream")},
                data={"name": "images/sky.png"},
            )
            assert r.status_code == 201, r.text
            uploaded[user.email] = (project["id"], r.json()["id"])
        ana_project, ana_asset = uploaded["ana@example.com"]
        assert len(_keys(s3)) == 2
        (key,) = [k for k in _keys(s3) if k.startswith(f"films/projects/{ana_project}/assets/")]
        head = s3.head_object(Bucket=BUCKET, Key=key)
        assert head["ContentType"] == "image/png" and head["ContentLength"] == len(image)

        # The download is a redirect to a presigned URL that anyone holding it can fetch.
        r = ana.get(f"/api/projects/{ana_project}/assets/{ana_asset}", follow_redirects=False)
        assert r.status_code == 307
        presigned = r.headers["location"]
        assert presigned.startswith(s3_settings().s3_endpoint_url or "")
        assert "Signature=" in presigned or "X-Amz-Signature=" in presigned
        fetched = httpx.get(presigned, timeout=10)
        assert fetched.status_code == 200 and fetched.content == image
        assert 'filename="sky.png"' in fetched.headers["content-disposition"]

        # Another user's file reads as not found (no URL is handed out).
        assert ben.get(f"/api/projects/{ana_project}/assets/{ana_asset}").status_code == 404

        assert ana.delete("/api/users/me").status_code == 204
        ben_project, _ = uploaded["ben@example.com"]
        (left,) = _keys(s3)
        assert left.startswith(f"films/projects/{ben_project}/assets/")


def test_readiness_reports_a_missing_bucket(
    s3: Any, s3_settings: Callable[..., ServerSettings]
) -> None:
    with TestClient(create_app(s3_settings(s3_bucket="no-such-bucket"))) as client:
        r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["storage"] == "not usable"


@pytest.mark.slow
def test_a_render_reads_and_writes_the_bucket(
    s3: Any, s3_settings: Callable[..., ServerSettings]
) -> None:
    from pathlib import Path
    from tempfile import TemporaryDirectory

    from aifilm.media.probe import probe

    with TestClient(create_app(s3_settings())) as client:
        cy = Api(client, "cy@example.com")
        project = cy.project(IMAGE_SPEC)
        cy.post(
            f"/api/projects/{project['id']}/assets",
            files={"file": ("sky.png", png_bytes((320, 180)))},
            data={"name": "images/sky.png"},
        )
        job = cy.post("/api/jobs", json={"project_id": project["id"]}).json()
        done = cy.wait(job["id"])
        assert done["status"] == "completed", done
        results = [k for k in _keys(s3) if f"/jobs/{job['id']}/" in k]
        assert any(k.endswith("tiny-film.mp4") for k in results), _keys(s3)
        r = cy.get(f"/api/jobs/{job['id']}/files/tiny-film.mp4", follow_redirects=False)
        assert r.status_code == 307
        film = httpx.get(r.headers["location"], timeout=30)
        assert film.status_code == 200 and film.headers["content-type"] == "video/mp4"
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "film.mp4"
            path.write_bytes(film.content)
            assert abs(probe(path).duration - 10.0) < 0.2
