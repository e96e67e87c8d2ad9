"""Publishing against the fake YouTube: what it received, idempotency, quota, auth errors."""

from __future__ import annotations

import io
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fake_youtube import CHANNEL_ID, QUOTA_BODY, FakeYouTube
from films import render_folder
from PIL import Image

from aifilm.publish.youtube import (
    CredentialsError,
    MetadataError,
    QuotaError,
    QuotaLedger,
    VideoMetadata,
    YouTubeCredentials,
    YouTubeSettings,
    publish,
)
from aifilm.publish.youtube.metadata import MARKER


def test_full_publish_sends_video_metadata_thumbnail_captions_and_playlist(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    folder = render_folder(tmp_path / "renders")
    metadata = VideoMetadata(
        title="The Thirsty Crow",
        description="A fable, retold.",
        tags=["fable", "crow", "kids story"],
        privacy="unlisted",
        made_for_kids=True,
    )
    events = []
    result = publish(
        folder, metadata, playlist="Fables", create_playlist=True, progress=events.append
    )

    state = fake.state
    assert result.status == "uploaded"
    assert list(state.videos) == [result.video_id]
    assert result.url == f"https://www.youtube.com/watch?v={result.video_id}"
    assert bytes(state.video_bytes[result.video_id]) == (folder / "the-crow.mp4").read_bytes()
    video = state.videos[result.video_id]
    snippet, status = video["snippet"], video["status"]
    assert snippet["title"] == "The Thirsty Crow"
    assert snippet["tags"] == ["fable", "crow", "kids story"]
    assert snippet["categoryId"] == "1"
    assert snippet["defaultLanguage"] == snippet["defaultAudioLanguage"] == "en"
    assert snippet["description"] == f"A fable, retold.\n\n{MARKER}{result.sha256}"
    assert status["privacyStatus"] == "unlisted"
    assert status["selfDeclaredMadeForKids"] is True
    # The upload was resumable, in 256 KiB chunks, and every Content-Range followed the last.
    starts = [p["range"] for p in state.puts]
    assert starts[0].startswith("bytes 0-262143/") and len(starts) == 4
    assert fake.api_calls("uploadType=resumable&part=snippet,status")
    # Thumbnail: the render's PNG, as it is.
    mime, image = state.thumbnails[result.video_id]
    assert mime == "image/png" and image == (folder / "the-crow.png").read_bytes()
    # Captions: one per language (the plain .srt copies the English one), as published tracks.
    tracks = {c["snippet"]["language"]: c for c in state.captions}
    assert set(tracks) == {"en", "hi"} == set(result.captions)
    assert tracks["hi"]["data"] == (folder / "the-crow.hi.srt").read_bytes()
    assert tracks["en"]["snippet"]["isDraft"] is False
    assert tracks["en"]["snippet"]["videoId"] == result.video_id
    # The playlist was created (unlisted, like the video) and the video added to it.
    (playlist,) = state.playlists
    assert playlist["snippet"]["title"] == "Fables"
    assert playlist["status"]["privacyStatus"] == "unlisted"
    added = [i for i in state.playlist_items if i["snippet"]["playlistId"] == playlist["id"]]
    assert added[0]["snippet"]["resourceId"] == {
        "kind": "youtube#video",
        "videoId": result.video_id,
    }
    assert result.playlist_id == playlist["id"]
    # Progress: bytes of the upload, then each step.
    upload = [e for e in events if e.stage == "upload"]
    assert upload[-1].done == upload[-1].total == (folder / "the-crow.mp4").stat().st_size
    finished = [e.stage for e in events if e.event == "finish"]
    assert finished[-4:] == ["upload", "thumbnail", "captions", "playlist"]
    # Quota: channels 1 + uploads scan 1 + playlists 1 + insert + thumbnail 50 + 2 x 400 + 50 + 50.
    assert result.quota_used == {"units": 953, "videos.insert": 1}


def test_publishing_the_same_file_twice_uploads_once(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    folder = render_folder(tmp_path / "renders")
    first = publish(folder, VideoMetadata(title="Crow"))
    second = publish(folder, VideoMetadata(title="Crow, again"))
    assert first.status == "uploaded" and second.status == "already-published"
    assert second.video_id == first.video_id
    assert len(fake.state.sessions) == 1 and len(fake.state.videos) == 1
    assert len(fake.state.captions) == 2  # not sent again either

    # Another machine (no record file) finds it on the channel by the description's marker.
    os.environ["AIFILM_DATA_DIR"] = str(tmp_path / "elsewhere")
    third = publish(folder, VideoMetadata(title="Crow"))
    assert third.status == "already-published" and third.video_id == first.video_id
    assert len(fake.state.sessions) == 1

    # --force uploads anyway.
    forced = publish(folder, VideoMetadata(title="Crow"), force=True, captions=False)
    assert forced.status == "uploaded" and forced.video_id != first.video_id


def test_an_interrupted_publish_is_finished_by_the_next_run(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    folder = render_folder(tmp_path / "renders")
    fake.fail("/captions", 403, QUOTA_BODY)
    with pytest.raises(QuotaError):
        publish(folder, VideoMetadata(title="Crow"))
    assert len(fake.state.videos) == 1 and not fake.state.captions
    # Tomorrow: a new quota day.
    settings = YouTubeSettings()
    ledger_file = settings.data_dir / "youtube-quota.json"
    ledger_file.unlink()
    again = publish(folder, VideoMetadata(title="Crow"))
    assert again.status == "already-published"
    assert len(fake.state.sessions) == 1  # not uploaded again
    assert {c["snippet"]["language"] for c in fake.state.captions} == {"en", "hi"}
    assert len(fake.state.thumbnails) == 1


@pytest.mark.parametrize(
    ("title", "words"),
    [("x" * 101, "101 characters"), ("Crow <b>", "'<' and '>'"), ("", "empty")],
)
def test_bad_titles_are_refused_before_any_request(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path, title: str, words: str
) -> None:
    folder = render_folder(tmp_path / "renders")
    with pytest.raises(MetadataError, match=words) as caught:
        publish(folder, VideoMetadata(title=title))
    assert caught.value.field == "title" and caught.value.exit_code == 3
    assert fake.state.requests == []


def test_other_metadata_rules(fake: FakeYouTube, youtube_env: Path, tmp_path: Path) -> None:
    folder = render_folder(tmp_path / "renders")
    soon = datetime.now(timezone.utc) + timedelta(days=1)
    cases = [
        (VideoMetadata(title="t", publish_at=soon, privacy="public"), "needs privacy 'private'"),
        (
            VideoMetadata(title="t", publish_at=soon - timedelta(days=2), privacy="private"),
            "not in the future",
        ),
        (VideoMetadata(title="t", tags=["tags"] * 101), "tags come to"),
        (VideoMetadata(title="t", description="é" * 2500), "bytes"),
        (VideoMetadata(title="t", privacy="secret"), "unknown privacy"),
        (VideoMetadata(title="t", category_id="film"), "not a YouTube category"),
    ]
    for metadata, words in cases:
        with pytest.raises(MetadataError, match=words):
            publish(folder, metadata)
    assert fake.state.requests == []
    scheduled = publish(folder, VideoMetadata(title="t", publish_at=soon, privacy="private"))
    assert fake.state.videos[scheduled.video_id]["status"]["publishAt"].endswith(".000Z")


def test_ledger_refuses_a_call_that_would_pass_10000_units(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    from fake_youtube import CLIENT_ID

    ledger = QuotaLedger(CLIENT_ID)
    ledger.charge("captions.insert", calls=24)  # 9600 units
    ledger.charge("playlists.insert", calls=7)  # 9950
    with pytest.raises(QuotaError, match="costs 400 of today's 10000 units; 9950 are spent"):
        ledger.charge("captions.insert")
    ledger.charge("playlists.insert")  # 50 more fit exactly
    assert ledger.used() == {"units": 10_000}
    with pytest.raises(QuotaError) as caught:
        ledger.charge("videos.list")
    assert caught.value.exit_code == 5

    # The publish is refused before anything is sent.
    folder = render_folder(tmp_path / "renders")
    with pytest.raises(QuotaError, match=r"needs .* units of today's YouTube quota"):
        publish(folder, VideoMetadata(title="Crow"))
    assert fake.state.requests == []


def test_legacy_quota_counts_uploads_as_1600_units(
    youtube_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIFILM_YOUTUBE_LEGACY_QUOTA", "1")
    ledger = QuotaLedger("client")
    for _ in range(6):
        ledger.charge("videos.insert")
    with pytest.raises(QuotaError, match=r"videos\.insert costs 1600"):
        ledger.charge("videos.insert")


def test_quota_exceeded_from_youtube_is_a_clear_error_and_stops_later_calls(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    folder = render_folder(tmp_path / "renders")
    fake.fail("/youtube/v3/channels", 403, QUOTA_BODY)
    with pytest.raises(QuotaError, match="daily YouTube quota is used up") as caught:
        publish(folder, VideoMetadata(title="Crow"))
    assert caught.value.reason == "quotaExceeded" and caught.value.status == 403
    sent = len(fake.state.requests)
    with pytest.raises(QuotaError):
        publish(folder, VideoMetadata(title="Crow"))
    assert len(fake.state.requests) == sent  # the ledger now knows: nothing sent


def test_401_refreshes_once_then_succeeds(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    folder = render_folder(tmp_path / "renders")
    fake.state.reject_next_tokens = 1
    result = publish(folder, VideoMetadata(title="Crow"), captions=False, thumbnail=False)
    assert result.status == "uploaded"
    assert fake.state.token_grants == ["refresh_token", "refresh_token"]


def test_401_twice_is_a_clear_credentials_error(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    folder = render_folder(tmp_path / "renders")
    fake.state.reject_next_tokens = 2
    with pytest.raises(CredentialsError, match="even after refreshing") as caught:
        publish(folder, VideoMetadata(title="Crow"))
    assert caught.value.exit_code == 6 and caught.value.status == 401
    assert fake.state.token_grants == ["refresh_token", "refresh_token"]
    assert not fake.state.sessions


def test_a_revoked_refresh_token_says_to_log_in_again(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    fake.state.refresh_tokens.clear()
    with pytest.raises(CredentialsError, match="refused to refresh") as caught:
        publish(render_folder(tmp_path / "r"), VideoMetadata(title="Crow"))
    assert "aifilm youtube login" in str(caught.value.hint)


def test_missing_credentials(youtube_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("ID", "SECRET", "REFRESH_TOKEN"):
        monkeypatch.delenv(f"AIFILM_YOUTUBE_CLIENT_{key}", raising=False)
    monkeypatch.delenv("AIFILM_YOUTUBE_REFRESH_TOKEN")
    with pytest.raises(CredentialsError, match="no YouTube channel is connected"):
        YouTubeCredentials.from_settings()
    monkeypatch.setenv("AIFILM_YOUTUBE_CLIENT_ID", "id")
    with pytest.raises(
        CredentialsError, match="AIFILM_YOUTUBE_CLIENT_SECRET, AIFILM_YOUTUBE_REFRESH"
    ):
        YouTubeCredentials.from_settings()


def test_a_thumbnail_over_2_mb_is_sent_as_a_smaller_jpeg(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    folder = render_folder(tmp_path / "renders")
    noise = Image.frombytes("RGB", (1600, 1600), os.urandom(1600 * 1600 * 3))
    noise.save(folder / "the-crow.png")
    assert (folder / "the-crow.png").stat().st_size > 2 * 1024 * 1024
    result = publish(folder, VideoMetadata(title="Crow"), captions=False)
    mime, data = fake.state.thumbnails[result.video_id]
    assert mime == "image/jpeg" and len(data) <= 2 * 1024 * 1024
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    assert any("sent as a" in w for w in result.warnings)


def test_a_missing_playlist_is_an_error_before_the_upload(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    with pytest.raises(MetadataError, match="no playlist 'Fables'"):
        publish(render_folder(tmp_path / "r"), VideoMetadata(title="Crow"), playlist="Fables")
    assert not fake.state.sessions


def test_record_file_is_per_channel(fake: FakeYouTube, youtube_env: Path, tmp_path: Path) -> None:
    result = publish(render_folder(tmp_path / "r"), VideoMetadata(title="Crow"), captions=False)
    record = json.loads((youtube_env / "youtube-published.json").read_text())
    assert list(record) == [f"{CHANNEL_ID}:{result.sha256}"]
    assert record[f"{CHANNEL_ID}:{result.sha256}"]["video_id"] == result.video_id


def test_stock_photos_are_credited_in_the_description(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    folder = render_folder(tmp_path / "renders")
    report_path = folder / "render-report.json"
    report = json.loads(report_path.read_text())
    report["stock"] = [
        {"shot": "1.1", "provider": "Pexels", "author": "Ana Ray", "id": "pexels:1"},
        {"shot": "1.2", "provider": "Pixabay", "author": "user7", "id": "pixabay:9"},
        {"shot": "1.3", "provider": "Pexels", "author": "Ana Ray", "id": "pexels:2"},
    ]
    report_path.write_text(json.dumps(report))
    result = publish(folder, VideoMetadata(title="Crow", description="A fable."), captions=False)
    snippet = fake.state.videos[result.video_id]["snippet"]
    assert snippet["description"] == (
        "A fable.\n\nPhotos from Pexels: Ana Ray\nPhotos from Pixabay: user7"
        f"\n\n{MARKER}{result.sha256}"
    )
