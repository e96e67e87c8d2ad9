"""The resumable upload: a connection dropped mid-chunk resumes where the server stands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fake_youtube import FakeYouTube
from films import CHUNK, render_folder

from aifilm.publish.youtube import VideoMetadata, YouTubeServiceError, publish


def _drop_during_second_chunk(fake: FakeYouTube, after: int):  # type: ignore[no-untyped-def]
    """A progress callback that arms the drop once the first chunk is in."""

    def progress(event) -> None:  # type: ignore[no-untyped-def]
        dropped_before = any(p.get("dropped") for p in fake.state.puts)
        if event.stage == "upload" and event.done == CHUNK and not dropped_before:
            fake.state.drop_put_after = after

    return progress


@pytest.mark.parametrize("granule", [CHUNK, 1024])
def test_a_dropped_connection_resumes_from_the_servers_offset(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path, granule: int
) -> None:
    folder = render_folder(tmp_path / "renders", size=4 * CHUNK + 777)
    film = folder / "the-crow.mp4"
    size = film.stat().st_size
    fake.state.granule = granule
    partial = 100_000
    result = publish(
        folder,
        VideoMetadata(title="Crow"),
        captions=False,
        thumbnail=False,
        progress=_drop_during_second_chunk(fake, partial),
    )
    state = fake.state
    assert bytes(state.video_bytes[result.video_id]) == film.read_bytes()
    ranges = [p["range"] for p in state.puts]
    dropped = next(n for n, p in enumerate(state.puts) if p.get("dropped"))
    assert ranges[dropped] == f"bytes {CHUNK}-{2 * CHUNK - 1}/{size}"
    # Then the client asked where the upload stood, and went on from exactly there.
    assert ranges[dropped + 1] == f"bytes */{size}"
    kept = partial // granule * granule  # what the server committed of the broken chunk
    match = re.fullmatch(r"bytes (\d+)-(\d+)/\d+", ranges[dropped + 2])
    assert match and int(match.group(1)) == CHUNK + kept
    # Nothing was sent twice but the part of the broken chunk the server had not kept.
    assert state.upload_bytes_received == size + (partial - kept)
    assert result.upload["status_queries"] == 1
    assert result.upload["resumed_from"] == [CHUNK + kept]
    assert len(state.sessions) == 1


def test_a_5xx_mid_upload_is_retried_from_the_servers_offset(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    folder = render_folder(tmp_path / "renders")
    fake.fail("upload_id=", 503, b'{"error": {"code": 503, "message": "backend error"}}')
    result = publish(folder, VideoMetadata(title="Crow"), captions=False, thumbnail=False)
    data = (folder / "the-crow.mp4").read_bytes()
    assert bytes(fake.state.video_bytes[result.video_id]) == data
    assert result.upload["retries"] == 1 and result.upload["status_queries"] == 1


def test_a_later_run_continues_the_same_upload_session(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = render_folder(tmp_path / "renders", size=4 * CHUNK)
    monkeypatch.setenv("AIFILM_YOUTUBE_MAX_RETRIES", "0")
    with pytest.raises(YouTubeServiceError, match="failed 1 times"):
        publish(
            folder,
            VideoMetadata(title="Crow"),
            captions=False,
            thumbnail=False,
            progress=_drop_during_second_chunk(fake, 10),
        )
    assert not fake.state.videos
    monkeypatch.delenv("AIFILM_YOUTUBE_MAX_RETRIES")
    result = publish(folder, VideoMetadata(title="Crow"), captions=False, thumbnail=False)
    assert result.status == "uploaded"
    assert len(fake.state.sessions) == 1  # the same session, not a new upload
    assert result.upload["resumed_from"] == [CHUNK]
    assert bytes(fake.state.video_bytes[result.video_id]) == (folder / "the-crow.mp4").read_bytes()
    assert fake.state.upload_bytes_received == 4 * CHUNK + 10
