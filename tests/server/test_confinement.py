"""The spec a worker renders is the spec the server validated, and a render reads nothing outside
its own folder (issue 11): reserved and clashing asset names, media recognised by parsing it,
specs naming files outside the project, symbolic links."""

from __future__ import annotations

import hashlib
import io
import uuid
import wave
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import TINY_SPEC, Api, png_bytes

from aifilm.media.probe import probe
from aifilm.server.confine import RenderRefusedError, load_confined
from aifilm.server.models import Asset, Job, Project
from aifilm.server.projectspec import spec_digest
from aifilm.server.state import ServerState
from aifilm.server.worker import work_once

# The exploit: a YAML file whose bytes 4-12 pass a magic-byte check for M4A audio,
# naming the server's environment as the script and a frame over the free plan's limit.
EVIL = (
    b"#   ftypM4A \n"
    b"title: Evil\n"
    b"duration: 10s\n"
    b"output: {resolution: 1296x72, fps: 12, quality: draft}\n"
    b"script_file: /proc/self/environ\n"
)


def _state(client: TestClient) -> ServerState:
    state: ServerState = client.app.state.aifilm  # type: ignore[attr-defined]
    return state


def upload(user: Api, project: dict[str, Any], name: str, data: bytes) -> Any:
    return user.post(
        f"/api/projects/{project['id']}/assets",
        files={"file": (name.rsplit("/", 1)[-1], data, "application/octet-stream")},
        data={"name": name},
    )


def stored_asset(client: TestClient, project_id: str, name: str, data: bytes) -> None:
    """An input file put straight into storage and the database, as a row stored before
    today's upload checks existed (or by a bug in them) would be."""
    state = _state(client)
    key = f"projects/{project_id}/assets/{uuid.uuid4().hex}"
    source = state.settings.data_dir / f"raw-{uuid.uuid4().hex}"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    state.storage.put_file(key, source, "application/octet-stream")
    with state.sessions() as session, session.begin():
        session.add(
            Asset(
                project_id=uuid.UUID(project_id),
                name=name,
                kind="audio",
                content_type="audio/mp4",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                storage_key=key,
            )
        )


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    return body


def _render(client: TestClient) -> str | None:
    state = _state(client)
    return work_once(state.sessions, state.storage, state.settings, "test-worker")


def _check_clean_film(user: Api, job_id: str, tmp_path: Path) -> None:
    """The job rendered TINY_SPEC: its narration in the subtitles, its 160x90 frame."""
    job = user.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "completed", job
    srt = user.get(f"/api/jobs/{job_id}/files/tiny-film.srt")
    assert srt.status_code == 200
    assert "Hello there." in srt.text
    assert "PATH=" not in srt.text and "AIFILM" not in srt.text
    film = tmp_path / "film.mp4"
    film.write_bytes(user.get(f"/api/jobs/{job_id}/files/tiny-film.mp4").content)
    video = next(s for s in probe(film).streams if s.kind == "video")
    assert (video.width, video.height) == (160, 90)


def test_an_asset_cannot_replace_the_validated_spec(
    idle_client: TestClient, tmp_path: Path
) -> None:
    mal = Api(idle_client, "mallory@example.com")
    project = mal.project()
    for name in ("project.yaml", "Project.YAML", "project.yml"):
        body = _problem(upload(mal, project, name, EVIL), 422)
        assert "reserved" in body["detail"]
    # Under any other name it is not media: its bytes do not parse as audio.
    body = _problem(upload(mal, project, "audio/evil.m4a", EVIL), 415)
    assert "M4A" in body["detail"]
    # A row named project.yaml that got into storage anyway changes nothing either: the worker
    # renders the spec text it validated, and copies only the files the spec names.
    stored_asset(idle_client, project["id"], "project.yaml", EVIL)
    r = mal.post("/api/jobs", json={"project_id": project["id"]})
    assert r.status_code == 201, r.text
    assert _render(idle_client) == "completed"
    _check_clean_film(mal, r.json()["id"], tmp_path)


NO_SCENES = TINY_SPEC.split("scenes:")[0]
OUTSIDE = {
    "environ": (NO_SCENES + "script_file: /proc/self/environ\n", "/proc/self/environ"),
    "absolute": (TINY_SPEC.replace('color: "#336699"', "background: /etc/passwd"), "/etc/passwd"),
    "parent": (TINY_SPEC.replace('color: "#336699"', "background: ../../x.png"), "../../x.png"),
    "home": (TINY_SPEC.replace('color: "#336699"', "background: ~/x.png"), "~/x.png"),
}


@pytest.mark.parametrize("case", sorted(OUTSIDE))
def test_a_spec_naming_files_outside_the_project_is_refused_and_never_rendered(
    idle_client: TestClient, case: str
) -> None:
    spec, path = OUTSIDE[case]
    eve = Api(idle_client, "eve@example.com")
    body = _problem(eve.post("/api/projects", json={"spec": spec}), 422)
    assert path in body["detail"]
    # Defence in depth: the same text stored behind the API's back (and the job's record of
    # it) fails the job, refunded, with no file read or written.
    project = eve.project()
    job = eve.post("/api/jobs", json={"project_id": project["id"]}).json()
    with _state(idle_client).sessions() as session, session.begin():
        row = session.get(Project, uuid.UUID(project["id"]))
        job_row = session.get(Job, uuid.UUID(job["id"]))
        assert row is not None and job_row is not None
        row.spec = spec
        job_row.parameters = {**job_row.parameters, "spec_sha256": spec_digest(spec)}
    assert _render(idle_client) == "failed"
    done = eve.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "failed" and done["files"] == []
    assert path in done["error_message"]
    assert done["refunded"] is True and eve.balance() == 3


def test_a_changed_spec_is_not_rendered(idle_client: TestClient) -> None:
    """The worker renders exactly the text the job was submitted with."""
    ivy = Api(idle_client, "ivy@example.com")
    project = ivy.project()
    job = ivy.post("/api/jobs", json={"project_id": project["id"]}).json()
    with _state(idle_client).sessions() as session, session.begin():
        row = session.get(Project, uuid.UUID(project["id"]))
        assert row is not None
        row.spec = TINY_SPEC.replace("160x90", "3840x2160")
    assert _render(idle_client) == "failed"
    done = ivy.get(f"/api/jobs/{job['id']}").json()
    assert "changed after this job was submitted" in done["error_message"]


def test_the_worker_checks_the_plan_again(idle_client: TestClient) -> None:
    """A 4K spec that reached a free user's job (and its hash) is still refused by the worker."""
    kim = Api(idle_client, "kim@example.com")
    project = kim.project()
    job = kim.post("/api/jobs", json={"project_id": project["id"]}).json()
    big = TINY_SPEC.replace("160x90", "3840x2160")
    with _state(idle_client).sessions() as session, session.begin():
        row = session.get(Project, uuid.UUID(project["id"]))
        job_row = session.get(Job, uuid.UUID(job["id"]))
        assert row is not None and job_row is not None
        row.spec = big
        job_row.parameters = {**job_row.parameters, "spec_sha256": spec_digest(big)}
    assert _render(idle_client) == "failed"
    done = kim.get(f"/api/jobs/{job['id']}").json()
    assert "1280 px" in done["error_message"] and done["refunded"] is True


# --- the loader itself: confinement without the API's checks in front of it ----------------

BG_SPEC = TINY_SPEC.replace('color: "#336699"', "background: images/bg.png")


def test_load_confined_refuses_symbolic_links_and_outside_paths(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "bg.png").write_bytes(png_bytes())
    folder = tmp_path / "job"
    (folder / "images").mkdir(parents=True)
    # a link to a file outside
    (folder / "images" / "bg.png").symlink_to(outside / "bg.png")
    with pytest.raises(RenderRefusedError, match=r"images/bg.png.*symbolic link"):
        load_confined(BG_SPEC, folder)
    # a link to a folder outside
    (folder / "images" / "bg.png").unlink()
    (folder / "images").rmdir()
    (folder / "images").symlink_to(outside, target_is_directory=True)
    with pytest.raises(RenderRefusedError, match="symbolic link"):
        load_confined(BG_SPEC, folder)
    for spec, path in OUTSIDE.values():
        with pytest.raises(RenderRefusedError) as caught:
            load_confined(spec, folder)
        assert path in str(caught.value)
    # the same spec with a real file inside the folder loads
    (folder / "images").unlink()
    (folder / "images").mkdir()
    (folder / "images" / "bg.png").write_bytes(png_bytes())
    project = load_confined(BG_SPEC, folder)
    assert project.scenes[0].background is not None
    assert project.resolve(project.scenes[0].background).is_relative_to(folder.resolve())


# --- media recognised by parsing it ---------------------------------------------------------


def wav_bytes(seconds: float = 0.2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x10\x00\xf0\xff" * int(8000 * seconds))
    return out.getvalue()


def _audio(path: Path, fmt: str, codec: str) -> bytes:
    import av
    import numpy as np

    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=48000)
        samples = (np.sin(np.arange(48000 // 4) / 10) * 0.3).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = 48000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path.read_bytes()


def _image(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), "#225588").save(out, fmt)
    return out.getvalue()


def test_uploads_are_recognised_by_parsing_them(idle_client: TestClient, tmp_path: Path) -> None:
    ann = Api(idle_client, "ann@example.com")
    project = ann.project()
    good = {
        "images/a.png": (png_bytes(), "image/png"),
        "images/b.jpg": (_image("JPEG"), "image/jpeg"),
        "images/c.gif": (_image("GIF"), "image/gif"),
        "images/d.webp": (_image("WEBP"), "image/webp"),
        "audio/a.wav": (wav_bytes(), "audio/wav"),
        "audio/b.m4a": (_audio(tmp_path / "b.m4a", "ipod", "aac"), "audio/mp4"),
        "audio/c.mp3": (_audio(tmp_path / "c.mp3", "mp3", "mp3"), "audio/mpeg"),
        "audio/d.flac": (_audio(tmp_path / "d.flac", "flac", "flac"), "audio/flac"),
        "audio/e.ogg": (_audio(tmp_path / "e.ogg", "ogg", "libopus"), "audio/ogg"),
    }
    for name, (data, ctype) in good.items():
        r = upload(ann, project, name, data)
        assert r.status_code == 201, (name, r.text)
        assert r.json()["content_type"] == ctype
    png = png_bytes()
    bad = {
        "truncated.png": png[: len(png) // 2],
        "magic-only.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
        "no-audio.wav": b"RIFF\x24\x00\x00\x00WAVEjunkjunkjunk" + b"\x00" * 64,
        "yaml.m4a": EVIL,
        "playlist.mp3": b"\xff\xfb#EXTM3U\n#EXT-X-TARGETDURATION:1\nfile:///etc/passwd\n",
        "id3-only.mp3": b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"title: x\n" * 10,
    }
    for name, data in bad.items():
        body = _problem(upload(ann, project, name, data), 415)
        assert name in body["detail"] and "PNG" in body["detail"]


# --- names the worker could not lay out -----------------------------------------------------


def test_a_file_and_a_folder_of_the_same_name_are_refused(idle_client: TestClient) -> None:
    ben = Api(idle_client, "ben@example.com")
    project = ben.project(BG_SPEC)
    assert upload(ben, project, "images", png_bytes()).status_code == 201
    body = _problem(upload(ben, project, "images/bg.png", png_bytes()), 409)
    assert "'images'" in body["detail"] and body["clashes_with"] == "images"
    other = ben.project(BG_SPEC)
    assert upload(ben, other, "images/bg.png", png_bytes()).status_code == 201
    body = _problem(upload(ben, other, "images", png_bytes()), 409)
    assert body["clashes_with"] == "images/bg.png"
    # replacing a file under its own name is not a clash
    assert upload(ben, other, "images/bg.png", png_bytes()).status_code == 201
    both = BG_SPEC + "music: {file: images}\n"
    body = _problem(ben.post("/api/projects", json={"spec": both}), 422)
    assert "'images'" in body["detail"] and "images/bg.png" in body["detail"]


def test_clashing_stored_files_fail_the_job_instead_of_leaving_it_running(
    idle_client: TestClient,
) -> None:
    cat = Api(idle_client, "cat@example.com")
    project = cat.project(BG_SPEC)
    assert upload(cat, project, "images/bg.png", png_bytes()).status_code == 201
    job = cat.post("/api/jobs", json={"project_id": project["id"]}).json()
    # A second spec (same folder) once named `images` as a file: rows from before the check.
    stored_asset(idle_client, project["id"], "images", png_bytes())
    with _state(idle_client).sessions() as session, session.begin():
        row = session.get(Project, uuid.UUID(project["id"]))
        job_row = session.get(Job, uuid.UUID(job["id"]))
        assert row is not None and job_row is not None
        spec = BG_SPEC + "music: {file: images}\n"
        row.spec = spec
        job_row.parameters = {**job_row.parameters, "spec_sha256": spec_digest(spec)}
    assert _render(idle_client) == "failed"
    done = cat.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "failed" and "images" in done["error_message"]
    assert done["refunded"] is True and cat.balance() == 3


def test_a_file_missing_from_storage_fails_the_job_cleanly(idle_client: TestClient) -> None:
    dan = Api(idle_client, "dan@example.com")
    project = dan.project(BG_SPEC)
    asset = upload(dan, project, "images/bg.png", png_bytes()).json()
    job = dan.post("/api/jobs", json={"project_id": project["id"]}).json()
    state = _state(idle_client)
    with state.sessions() as session:
        row = session.get(Asset, uuid.UUID(asset["id"]))
        assert row is not None
        local = state.storage.local_path(row.storage_key)
    assert local is not None
    local.unlink()
    assert _render(idle_client) == "failed"
    done = dan.get(f"/api/jobs/{job['id']}").json()
    assert "images/bg.png" in done["error_message"] and "upload it again" in done["error_message"]
    assert done["refunded"] is True
