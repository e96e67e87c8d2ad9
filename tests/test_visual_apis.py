"""Generation backends over HTTP (Stability, Replicate, Runway, ComfyUI) against fake
servers speaking their wire formats: every shot without a picture of its own gets the
provider's picture or clip at the shot's size, with the character's picture as a reference
where the API takes one, the provider's terms and cost in the report; 429 and 5xx are
retried as Retry-After says; a bad key, refused content, a malformed answer or a job past
its time limit leaves that shot the offline picture with a note, never a crash."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image
from tests.fakes.visual_server import (
    REPLICATE_TOKEN,
    RUNWAY_KEY,
    STABILITY_KEY,
    FakeVisualServer,
)

from aifilm.errors import UserError
from aifilm.pipeline.render import Pipeline
from aifilm.settings import Settings
from aifilm.spec.loader import load_project_yaml

SPEC = """
title: The Crow
output: {resolution: 720x1280}
characters:
  - {name: Crow, voice: child, look: a little black crow with a bright eye, image: crow.png}
scenes:
  - title: A hot field
    shots:
      - prompt: A crow flies over a dry field under a white sun
        dialogue:
          - Crow: I am so thirsty today.
      - title: Later
      - narration: At last the crow found a pitcher with a little water at the bottom.
"""
FORBIDDEN = SPEC.replace("A crow flies", "A forbidden crow flies")
BROKEN = SPEC.replace("A crow flies", "A broken crow flies")
LOOK = "Crow: a little black crow with a bright eye."


@pytest.fixture(scope="module")
def server() -> Iterator[FakeVisualServer]:
    fake = FakeVisualServer()
    yield fake
    fake.close()


@pytest.fixture
def fake(server: FakeVisualServer, monkeypatch: pytest.MonkeyPatch) -> FakeVisualServer:
    server.reset()
    monkeypatch.setenv("STABILITY_API_KEY", STABILITY_KEY)
    monkeypatch.setenv("REPLICATE_API_TOKEN", REPLICATE_TOKEN)
    monkeypatch.setenv("RUNWAYML_API_SECRET", RUNWAY_KEY)
    for provider in ("STABILITY", "REPLICATE", "RUNWAY", "COMFYUI"):
        monkeypatch.setenv(f"AIFILM_{provider}_API_BASE", server.url)
    return server


def visuals(tmp_path: Path, name: str, spec: str = SPEC, **options: Any) -> Pipeline:
    tmp_path.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 64), (20, 20, 20)).save(tmp_path / "crow.png")
    project = load_project_yaml(spec, base_dir=tmp_path)
    backend = {"name": name, "options": {"poll_s": 0.05, **options}}
    pipe = Pipeline(project, settings=Settings(cache_dir=tmp_path / "cache"), visuals=backend)
    pipe.run(until="visuals")
    pipe.close()
    return pipe


def generated(pipe: Pipeline) -> list[dict[str, Any]]:
    return [c for c in pipe.state.credits if c.get("kind") == "generated"]


def notes(pipe: Pipeline) -> list[str]:
    return [v.note for v in pipe.state.visuals if v.note]


def assert_fills_the_shots(pipe: Pipeline, kind: str = "still") -> None:
    shots = [pipe.state.visuals[0], pipe.state.visuals[2]]
    for visual in shots:
        assert visual.kind == kind and visual.note is None
        if kind == "still":
            with Image.open(visual.path) as picture:
                assert picture.size == (visual.width, visual.height)
        else:
            with av.open(str(visual.path)) as clip:
                stream = clip.streams.video[0]
                assert (stream.width, stream.height) == (visual.width, visual.height)
    assert pipe.state.visuals[1].kind == "still"  # the title card is drawn offline


# --- Stability ------------------------------------------------------------------------


def test_stability_multipart_request_reference_and_credit(
    fake: FakeVisualServer, tmp_path: Path
) -> None:
    pipe = visuals(tmp_path, "stability", model="ultra", style="watercolour")
    assert_fills_the_shots(pipe)
    calls = fake.calls("stability")
    assert [c.path for c in calls] == ["/v2beta/stable-image/generate/ultra"] * 2
    first, second = sorted(calls, key=lambda c: "image" not in c.files)
    assert first.headers["content-type"].startswith("multipart/form-data")
    assert first.headers["accept"] == "application/json"
    # the prompt shot features the crow: her picture goes as the image-to-image start
    assert first.body["prompt"].endswith(LOOK + " watercolour")
    assert first.files["image"] == (tmp_path / "crow.png").read_bytes()
    assert first.body["strength"] == "0.7" and "aspect_ratio" not in first.body
    assert second.body["aspect_ratio"] == "9:16" and "image" not in second.files
    credits = generated(pipe)
    assert [c["shot"] for c in credits] == ["1.1", "1.3"]
    assert all(c["cost_usd"] == 0.08 and "stability.ai/terms" in c["license"] for c in credits)


def test_stability_429_waits_for_retry_after_and_500_is_retried(
    fake: FakeVisualServer, tmp_path: Path
) -> None:
    fake.push(
        "stability", 429, {"name": "rate_limit_exceeded", "errors": ["slow"]}, retry_after="1"
    )
    fake.push("stability", 500, {"name": "internal", "errors": ["oops"]})
    pipe = visuals(tmp_path, "stability", max_retries=3, backoff_s=0.05)
    assert_fills_the_shots(pipe)
    calls = fake.calls("stability")
    assert len(calls) == 4
    times = sorted(c.at for c in calls)
    # the shot that got the 429 asked again only after its Retry-After (1 s); the other
    # shot's 500 was retried after backoff_s (0.05 s), so all was done well before 2 s
    assert 0.95 <= times[-1] - times[0] < 2.0


def test_stability_refused_content_bad_key_and_no_key_are_notes(
    fake: FakeVisualServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe = visuals(tmp_path / "refused", "stability", FORBIDDEN)
    first = pipe.state.visuals[0]
    assert first.kind == "still" and first.note is not None
    assert "refused" in first.note and "content_moderation" in first.note
    assert "offline picture" in first.note and pipe.state.visuals[2].note is None

    monkeypatch.setenv("STABILITY_API_KEY", "sk-wrong-key")
    pipe = visuals(tmp_path / "bad", "stability")
    said = notes(pipe)
    assert len(said) == 2 and all("STABILITY_API_KEY" in n and "HTTP 401" in n for n in said)
    assert all("sk-wrong-key" not in n for n in said) and generated(pipe) == []

    monkeypatch.delenv("STABILITY_API_KEY")
    pipe = visuals(tmp_path / "none", "stability")
    assert all("STABILITY_API_KEY" in n and "not set" in n for n in notes(pipe))


def test_stability_malformed_answer_is_a_note(fake: FakeVisualServer, tmp_path: Path) -> None:
    fake.push("stability", 200, b"<html>proxy</html>")
    fake.push("stability", 200, {"image": "%%%not-base64", "finish_reason": "SUCCESS"})
    pipe = visuals(tmp_path, "stability")
    said = sorted(notes(pipe))
    assert len(said) == 2
    assert "not JSON" in said[1] and "not base64" in said[0]


# --- Replicate ------------------------------------------------------------------------


def test_replicate_prediction_protocol(fake: FakeVisualServer, tmp_path: Path) -> None:
    fake.polls_before_done = 2
    model = "black-forest-labs/flux-kontext-pro"
    pipe = visuals(tmp_path, "replicate", model=model)
    assert_fills_the_shots(pipe)
    calls = fake.calls("replicate")
    created = [c for c in calls if c.method == "POST"]
    assert [c.path for c in created] == [f"/v1/models/{model}/predictions"] * 2
    polls = [c for c in calls if c.method == "GET"]
    assert len(polls) == 6  # starting -> processing, processing, succeeded: per shot
    assert all(c.headers["authorization"] == f"Bearer {REPLICATE_TOKEN}" for c in calls)
    inputs = [c.body["input"] for c in created]
    with_ref = [i for i in inputs if "input_image" in i]
    assert len(with_ref) == 1  # FLUX Kontext takes the crow's picture
    assert (
        base64.b64decode(with_ref[0]["input_image"].split(",", 1)[1])
        == (tmp_path / "crow.png").read_bytes()
    )
    assert all(i["aspect_ratio"] == "9:16" and i["output_format"] == "png" for i in inputs)
    assert {c["cost_usd"] for c in generated(pipe)} == {0.04}


def test_replicate_version_nsfw_limit_and_cancel(fake: FakeVisualServer, tmp_path: Path) -> None:
    pipe = visuals(tmp_path / "v", "replicate", model="stability-ai/sdxl:7762fd07")
    created = [c for c in fake.calls("replicate") if c.method == "POST"]
    assert {c.path for c in created} == {"/v1/predictions"}
    assert {c.body["version"] for c in created} == {"7762fd07"}
    assert_fills_the_shots(pipe)

    fake.reset()
    pipe = visuals(tmp_path / "nsfw", "replicate", FORBIDDEN)
    assert "prediction failed: NSFW content detected" in (pipe.state.visuals[0].note or "")

    fake.reset()
    fake.polls_before_done = 10_000
    pipe = visuals(tmp_path / "slow", "replicate", time_limit_s=0.3)
    said = notes(pipe)
    assert len(said) == 2 and all("time limit of 0.3 s" in n for n in said)
    cancels = [c for c in fake.calls("replicate") if c.path.endswith("/cancel")]
    assert len(cancels) == 2


def test_replicate_402_and_422_are_clear(fake: FakeVisualServer, tmp_path: Path) -> None:
    detail = "You have insufficient credit to run this model."
    fake.push("replicate", 402, {"title": "Insufficient credit", "detail": detail, "status": 402})
    fake.push("replicate", 422, {"title": "Input validation failed", "detail": "- seed: bad"})
    said = sorted(notes(visuals(tmp_path, "replicate")))
    assert any("quota or credits are used up" in n and "insufficient credit" in n for n in said)
    assert any("rejected the request (HTTP 422)" in n and "seed: bad" in n for n in said)


def test_replicate_video_clip_from_the_still(fake: FakeVisualServer, tmp_path: Path) -> None:
    pipe = visuals(tmp_path, "replicate-video")
    assert_fills_the_shots(pipe, "video")
    created = [c for c in fake.calls("replicate") if c.method == "POST"]
    assert all(c.body["input"]["image"].startswith("data:image/") for c in created)
    assert {c["cost_usd"] for c in generated(pipe)} == {0.25}  # 5 s at $0.05


# --- Runway ---------------------------------------------------------------------------


def test_runway_task_protocol(fake: FakeVisualServer, tmp_path: Path) -> None:
    fake.polls_before_done = 2
    pipe = visuals(tmp_path, "runway")
    assert_fills_the_shots(pipe, "video")
    calls = fake.calls("runway")
    assert all(c.headers["x-runway-version"] == "2024-11-06" for c in calls)
    submitted = [c.body for c in calls if c.method == "POST"]
    assert len(submitted) == 2 and {b["ratio"] for b in submitted} == {"720:1280"}
    assert all(b["model"] == "gen4_turbo" and b["duration"] in (5, 10) for b in submitted)
    assert all(b["promptImage"].startswith("data:image/") for b in submitted)
    assert len([c for c in calls if c.method == "GET"]) == 6
    shots = pipe.state.timeline.shots  # type: ignore[union-attr]
    for credit, shot in zip(generated(pipe), (shots[0], shots[2]), strict=True):
        seconds = 5 if shot.duration <= 5 else 10
        assert credit["cost_usd"] == round(0.05 * seconds, 4)


def test_runway_refused_content_and_bad_key(
    fake: FakeVisualServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe = visuals(tmp_path / "refused", "runway", FORBIDDEN)
    assert "refused (SAFETY.INPUT.TEXT)" in (pipe.state.visuals[0].note or "")
    assert pipe.state.visuals[2].kind == "video"
    monkeypatch.setenv("RUNWAYML_API_SECRET", "key_wrong")
    said = notes(visuals(tmp_path / "bad", "runway"))
    assert len(said) == 2 and all("RUNWAYML_API_SECRET" in n for n in said)


# --- ComfyUI --------------------------------------------------------------------------


def test_comfyui_fills_the_default_workflow(fake: FakeVisualServer, tmp_path: Path) -> None:
    pipe = visuals(tmp_path, "comfyui", checkpoint="juggernaut.safetensors")
    assert_fills_the_shots(pipe)
    posted = [c.body for c in fake.calls("comfyui") if c.method == "POST"]
    assert len(posted) == 2 and all(p["client_id"] for p in posted)
    for body in posted:
        graph = body["prompt"]
        assert graph["6"]["inputs"]["text"].endswith(".") and graph["6"]["inputs"]["text"]
        assert graph["4"]["inputs"]["ckpt_name"] == "juggernaut.safetensors"
        latent = graph["5"]["inputs"]
        assert latent["height"] > latent["width"] and latent["width"] % 64 == 0
        assert isinstance(graph["3"]["inputs"]["seed"], int)
    assert any(LOOK in p["prompt"]["6"]["inputs"]["text"] for p in posted)
    views = [c for c in fake.calls("comfyui") if c.path == "/view"]
    assert len(views) == 2 and all(v.query["type"] == "output" for v in views)
    assert {c["cost_usd"] for c in generated(pipe)} == {0.0}


def test_comfyui_own_workflow_placeholders_and_errors(
    fake: FakeVisualServer, tmp_path: Path
) -> None:
    own = {
        "1": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev.safetensors"}},
        "2": {"class_type": "MyPromptNode", "inputs": {"text": "{prompt}", "extra": "keep"}},
        "3": {"class_type": "EmptySD3LatentImage", "inputs": {"width": 1, "height": 1}},
        "4": {"class_type": "RandomNoise", "inputs": {"noise_seed": 0}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0]}},
    }
    path = tmp_path / "mine.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(own))
    pipe = visuals(tmp_path / "own", "comfyui", workflow=str(path))
    assert_fills_the_shots(pipe)
    graph = next(c.body for c in fake.calls("comfyui") if c.method == "POST")["prompt"]
    assert graph["2"]["inputs"]["text"].startswith("A crow flies")
    assert graph["2"]["inputs"]["extra"] == "keep" and graph["3"]["inputs"]["width"] > 1
    assert graph["4"]["inputs"]["noise_seed"] == pipe.state.timeline.shots[0].visual.seed  # type: ignore[union-attr]

    ui = tmp_path / "ui.json"
    ui.write_text(json.dumps({"nodes": [], "links": []}))
    # a workflow saved from the UI is the user's to fix: the render stops before any work
    with pytest.raises(UserError, match="not an API-format ComfyUI workflow") as raised:
        visuals(tmp_path / "ui", "comfyui", workflow=str(ui))
    assert "Export (API)" in str(raised.value.hint)
    assert not [c for c in fake.calls("comfyui") if "ui.json" in str(c.body)]

    fake.reset()
    pipe = visuals(tmp_path / "oom", "comfyui", BROKEN)
    assert "failed on the server: CUDA out of memory" in (pipe.state.visuals[0].note or "")


def test_comfyui_unreachable_server_is_a_note(
    fake: FakeVisualServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIFILM_COMFYUI_API_BASE", "http://127.0.0.1:9")
    said = notes(visuals(tmp_path, "comfyui", max_retries=1, backoff_s=0.01))
    assert len(said) == 2 and all("could not be reached" in n for n in said)


# --- costs and terms ------------------------------------------------------------------


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aifilm", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_plan_shows_each_shots_cost_from_the_overridable_price_table(tmp_path: Path) -> None:
    Image.new("RGB", (64, 64)).save(tmp_path / "crow.png")
    spec = tmp_path / "project.yaml"
    spec.write_text(SPEC + "backends: {visuals: runway}\n")
    done = _cli("plan", str(spec), "--json", env={"AIFILM_PRICES": str(tmp_path / "none.toml")})
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    costs = [d["cost_usd"] for d in plan["directions"]]
    seconds = [5 if s["duration"] <= 5 else 10 for s in plan["shots"]]
    assert costs == [0.05 * seconds[0], 0.0, 0.05 * seconds[2]]  # the title card is free
    assert plan["provider_cost_usd"] == round(sum(costs), 4)
    prices = tmp_path / "prices.toml"
    prices.write_text('[runway]\ngen4_turbo = { usd = 0.12, per = "second" }\n')
    done = _cli("plan", str(spec), env={"AIFILM_PRICES": str(prices)})
    assert done.returncode == 0, done.stderr
    total = 0.12 * (seconds[0] + seconds[2])
    assert f"provider cost (runway): ~${total:.2f} for 2 shot(s)" in done.stdout
    prices.write_text("[runway]\ngen4_turbo = 'cheap'\n")
    done = _cli("plan", str(spec), env={"AIFILM_PRICES": str(prices)})
    assert (
        done.returncode != 0 and "gen4_turbo is 'cheap', not a price" in done.stderr + done.stdout
    )


def test_doctor_and_the_report_name_the_providers_terms(
    fake: FakeVisualServer, tmp_path: Path
) -> None:
    done = _cli("doctor", "--json")
    checks = {c["name"]: c for c in map(json.loads, done.stdout.splitlines())}
    for name, terms in [
        ("stability", "stability.ai/terms"),
        ("replicate", "replicate.com/terms"),
        ("runway", "runwayml.com/terms"),
        ("pexels-video", "pexels.com/license"),
    ]:
        assert terms in checks[f"visuals backend '{name}'"]["detail"]
    # the render report: the backend's terms, each generated shot and the total cost
    from aifilm.pipeline.cache import Cache
    from aifilm.pipeline.render import render

    (tmp_path / "film").mkdir()
    Image.new("RGB", (64, 64)).save(tmp_path / "film" / "crow.png")
    small = SPEC.replace("720x1280", "180x320")
    project = load_project_yaml(small, base_dir=tmp_path / "film")
    result = render(project, tmp_path / "out", visuals="stability", cache=Cache(tmp_path / "c"))
    report = result.report
    assert "stability.ai/terms" in report["backends"]["visuals"]["terms"]
    assert [g["shot"] for g in report["generated"]] == ["1.1", "1.3"] and report["stock"] == []
    assert report["provider_cost_usd"] == 0.06


def test_an_answer_of_the_wrong_shape_is_a_note(tmp_path: Path) -> None:
    import httpx

    from aifilm.pipeline.direct.base import Direction
    from aifilm.pipeline.timeline import VisualSpec
    from aifilm.pipeline.visuals.base import VisualRequest
    from aifilm.pipeline.visuals.comfyui import ComfyUIImages

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/prompt":
            return httpx.Response(200, json={"prompt_id": "p1", "number": 1, "node_errors": {}})
        # outputs as a list where ComfyUI sends an object by node
        return httpx.Response(200, json={"p1": {"outputs": ["9"], "status": {}}})

    backend = ComfyUIImages({"poll_s": 0.01}, transport=httpx.MockTransport(answer))
    request = VisualRequest(VisualSpec("generated", text="A field"), 320, 180, 2.0, 24)
    direction = Direction("1.1", "A dry field.", ("field",), "landscape")
    visual, credit = backend.render_directed(request, direction, tmp_path)
    assert credit is None and visual.kind == "still" and visual.path.exists()
    assert visual.note == (
        "comfyui: the answer was not in ComfyUI's format (AttributeError); used the offline picture"
    )


def test_a_render_checks_the_key_before_it_starts(
    fake: FakeVisualServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aifilm.errors import MissingDependencyError
    from aifilm.pipeline.preflight import preflight

    Image.new("RGB", (64, 64)).save(tmp_path / "crow.png")
    project = load_project_yaml(SPEC, base_dir=tmp_path)
    comfy = Pipeline(project, visuals="comfyui")
    preflight(comfy, None)  # ComfyUI needs no key
    comfy.close()
    monkeypatch.delenv("RUNWAYML_API_SECRET")
    runway = Pipeline(project, visuals="runway")
    with pytest.raises(MissingDependencyError, match="RUNWAYML_API_SECRET"):
        preflight(runway, None)
    runway.close()
