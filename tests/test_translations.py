"""Translations: how the spec writes them, how missing ones are reported, and the API backends."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from aifilm import Cache, Project, SpecError
from aifilm.errors import MissingDependencyError, UserError
from aifilm.pipeline.render import Pipeline
from aifilm.pipeline.translate.api import batches
from aifilm.pipeline.translate.base import TranslateBackend, TranslationUnavailable
from aifilm.pipeline.translate.deepl import DeepLTranslate
from aifilm.pipeline.translate.google import GoogleTranslate
from aifilm.pipeline.translate.spec import SpecTranslations
from aifilm.spec.loader import load_project_yaml
from fakes.translate_server import (
    DEEPL_KEY,
    GOOD_KEY,
    FakeTranslateServer,
    google_error,
    translated,
)

FILM = """\
title: Crow
language: en
output: {{resolution: 320x180, fps: 12, quality: draft, subtitles: {subtitles}}}
characters: [{{name: Crow, voice: child}}]
scenes:
  - color: "#264653"
    shots:
      - narration: A crow was thirsty.
        translations: {{hi: एक कौआ प्यासा था।}}
      - dialogue:
          - Crow: I need water.
          - Crow: There is a pot!
            hi: वहाँ एक घड़ा है!
      - narration: It dropped pebbles in.
"""


def _project(tmp_path: Path, subtitles: str = "{languages: [en, hi]}", text: str = FILM) -> Project:
    return load_project_yaml(
        text.format(subtitles=subtitles), filename="project.yaml", base_dir=tmp_path
    )


def _spec_errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_project_yaml(text, filename="project.yaml", base_dir=tmp_path)
    return [str(issue) for issue in info.value.issues]


# --- the spec ----------------------------------------------------------------------


def test_translations_flow_into_lines(tmp_path: Path) -> None:
    project = _project(tmp_path)
    lines = [line for shot in project.scenes[0].shots for line in shot.lines]
    assert [line.translations for line in lines] == [
        {"hi": "एक कौआ प्यासा था।"},
        {},
        {"hi": "वहाँ एक घड़ा है!"},
        {},
    ]
    assert [line.speaker for line in lines] == [None, "Crow", "Crow", None]
    assert lines[2].text == "There is a pot!"
    assert project.subtitle_languages == ["en", "hi"] and project.burn_language == "en"


def test_subtitle_languages_default_to_the_films(tmp_path: Path) -> None:
    project = _project(tmp_path, subtitles="{burn: true}")
    assert project.subtitle_languages == ["en"] and project.burn_language == "en"
    project = _project(tmp_path, subtitles="{languages: [hi, en], burn_language: en}")
    assert project.subtitle_languages == ["hi", "en"] and project.burn_language == "en"


def test_bad_language_codes_are_positioned_with_a_suggestion(tmp_path: Path) -> None:
    text = """\
title: T
output:
  subtitles: {languages: [en, hin], burn_language: hi}
characters: [{name: Crow}]
scenes:
  - shots:
      - narration: Hello.
        translations: {hin: नमस्ते, fr: ""}
      - dialogue:
          - Crow: I am thirsty.
            frr: J'ai soif.
          - Crow: Water!
            hi: "  "
      - color: red
        translations: {hi: लाल}
"""
    errors = _spec_errors(tmp_path, text)
    assert any(
        e.startswith("project.yaml:3:31: output.subtitles.languages[1]: unknown language 'hin'")
        and "did you mean 'hi'?" in e
        for e in errors
    ), errors
    assert any(
        e.startswith("project.yaml:8:24: scenes[0].shots[0].translations.hin:")
        and "did you mean 'hi'?" in e
        for e in errors
    ), errors
    assert any(
        e.startswith("project.yaml:11:13: scenes[0].shots[1].dialogue[0].frr: 'frr' is not a")
        and "did you mean 'fr'?" in e
        for e in errors
    ), errors
    assert any(
        e.startswith("project.yaml:13:13: scenes[0].shots[1].dialogue[1].hi: the hi translation")
        for e in errors
    ), errors
    assert any(
        e.startswith("project.yaml:14:9: scenes[0].shots[2]: 'translations' of a shot")
        for e in errors
    ), errors


def test_burn_language_must_be_a_subtitle_language(tmp_path: Path) -> None:
    errors = _spec_errors(
        tmp_path,
        "title: T\nscript: Hello.\noutput:\n"
        "  subtitles: {languages: [en, hi], burn_language: ja}\n",
    )
    assert len(errors) == 1 and "burn_language 'ja' is not in languages (en, hi)" in errors[0]
    errors = _spec_errors(
        tmp_path, "title: T\nscript: Hello.\noutput:\n  subtitles: {burn_language: hi}\n"
    )
    assert "list it in output.subtitles.languages" in errors[0]


def test_a_speaker_named_like_a_language_still_speaks(tmp_path: Path) -> None:
    # The first key of a dialogue item is always the speaker.
    text = "title: T\ncharacters: [{name: hi}]\nscenes:\n  - shots:\n      - dialogue:\n"
    text += "          - hi: Hello there.\n            es: Hola.\n"
    project = load_project_yaml(text, filename="project.yaml", base_dir=tmp_path)
    (line,) = project.scenes[0].shots[0].lines
    assert (line.speaker, line.text, line.translations) == ("hi", "Hello there.", {"es": "Hola."})


# --- missing translations ------------------------------------------------------


def test_missing_translations_are_listed_with_file_and_line(tmp_path: Path) -> None:
    pipe = Pipeline(_project(tmp_path), cache=Cache(tmp_path / "cache"))
    try:
        with pytest.raises(UserError) as info:
            pipe.run(until="translate")
    finally:
        pipe.close()
    message = str(info.value)
    assert "2 lines without a hi translation" in message
    assert "project.yaml:11: Crow: I need water." in message
    assert "project.yaml:14: It dropped pebbles in." in message
    assert "A crow was thirsty" not in message and "There is a pot" not in message
    assert "missing: original" in message and "google-translate" in message


def test_missing_original_warns_and_shows_the_spoken_text(tmp_path: Path) -> None:
    project = _project(tmp_path, subtitles="{languages: [en, hi], missing: original}")
    pipe = Pipeline(project, cache=Cache(tmp_path / "cache"))
    try:
        state = pipe.run(until="subtitles")
        warnings = list(pipe.context.warnings)
        hindi = state.subtitles["srt:hi"].read_text(encoding="utf-8")
    finally:
        pipe.close()
    assert len(warnings) == 1 and "2 lines without a hi translation" in warnings[0]
    assert "project.yaml:11" in warnings[0]
    assert "एक कौआ प्यासा था।" in hindi and "I need water." in hindi


def test_a_machine_backend_fills_only_what_the_spec_lacks(tmp_path: Path) -> None:
    class Upper(TranslateBackend):
        name = "upper"
        calls: ClassVar[list[tuple[list[str], str, str]]] = []

        def translate(self, texts: list[str], source: str, target: str) -> list[str]:
            self.calls.append((list(texts), source, target))
            return [f"{target}:{t.upper()}" for t in texts]

    cache = Cache(tmp_path / "cache")
    for _ in range(2):  # the second render finds every translation in the cache
        pipe = Pipeline(_project(tmp_path), translate=Upper(), cache=cache)
        try:
            state = pipe.run(until="translate")
        finally:
            pipe.close()
        assert state.timeline is not None
        assert [line.translations["hi"] for line in state.timeline.lines] == [
            "एक कौआ प्यासा था।",
            "hi:I NEED WATER.",
            "वहाँ एक घड़ा है!",
            "hi:IT DROPPED PEBBLES IN.",
        ]
    assert Upper.calls == [(["I need water.", "It dropped pebbles in."], "en", "hi")]


def test_a_backend_that_cannot_do_some_lines_names_only_those(tmp_path: Path) -> None:
    class Picky(TranslateBackend):
        name = "picky"

        def translate(self, texts: list[str], source: str, target: str) -> list[str]:
            bad = [i for i, t in enumerate(texts) if "water" in t]
            if bad:
                raise TranslationUnavailable("no water words", bad)
            return [t[::-1] for t in texts]

    pipe = Pipeline(_project(tmp_path), translate=Picky(), cache=Cache(tmp_path / "cache"))
    try:
        with pytest.raises(UserError) as info:
            pipe.run(until="translate")
    finally:
        pipe.close()
    assert "1 line without a hi translation" in str(info.value)
    assert "project.yaml:11: Crow: I need water." in str(info.value)


def test_spec_backend_translates_nothing() -> None:
    assert SpecTranslations().translate([], "en", "hi") == []
    with pytest.raises(TranslationUnavailable) as info:
        SpecTranslations().translate(["a", "b"], "en", "hi")
    assert info.value.missing == [0, 1]


def test_batches_keep_order_and_limits() -> None:
    texts = [f"t{i}" * (i % 7 + 1) for i in range(300)]
    cut = list(batches(texts, 128, 400))
    assert [t for b in cut for t in b] == texts
    assert all(len(b) <= 128 and (len(b) == 1 or sum(map(len, b)) <= 400) for b in cut)


# --- the API backends against a fake server --------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[FakeTranslateServer]:
    fake = FakeTranslateServer()
    yield fake
    fake.close()


@pytest.fixture
def fake(server: FakeTranslateServer, monkeypatch: pytest.MonkeyPatch) -> FakeTranslateServer:
    server.reset()
    monkeypatch.setenv("GOOGLE_TRANSLATE_API_KEY", GOOD_KEY)
    monkeypatch.setenv("DEEPL_API_KEY", DEEPL_KEY)
    monkeypatch.setenv("AIFILM_GOOGLE_TRANSLATE_API_BASE", server.url)
    monkeypatch.setenv("AIFILM_DEEPL_API_BASE", server.url)
    return server


FAST = {"backoff_s": 0.01, "max_wait_s": 5}


def test_google_speaks_v2_and_batches_many_lines(fake: FakeTranslateServer) -> None:
    texts = [f"Line number {i}." for i in range(300)]
    out = GoogleTranslate(FAST).translate(texts, "en", "zh")
    assert out == [translated(t, "zh-CN") for t in texts]
    assert [len(r.body["q"]) for r in fake.requests] == [128, 128, 44]
    first = fake.requests[0]
    assert first.headers["x-goog-api-key"] == GOOD_KEY
    assert {k: first.body[k] for k in ("source", "target", "format")} == {
        "source": "en",
        "target": "zh-CN",
        "format": "text",
    }


def test_deepl_speaks_v2_with_target_variants(fake: FakeTranslateServer) -> None:
    texts = [f"Line {i}" for i in range(120)]
    out = DeepLTranslate(FAST).translate(texts, "hi", "en")
    assert out == [translated(t, "EN-US") for t in texts]
    assert [len(r.body["text"]) for r in fake.requests] == [50, 50, 20]
    assert fake.requests[0].headers["authorization"] == f"DeepL-Auth-Key {DEEPL_KEY}"
    assert fake.requests[0].body["source_lang"] == "HI"
    assert DeepLTranslate(FAST, portuguese="PT-PT").translate(["x"], "en", "pt") == ["pt-pt: x"]


def test_deepl_picks_free_or_pro_by_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIFILM_DEEPL_API_BASE", raising=False)
    monkeypatch.setenv("DEEPL_API_KEY", "abc:fx")
    assert DeepLTranslate().base_url() == "https://api-free.deepl.com"
    assert DeepLTranslate(api_base="http://proxy/").base_url() == "http://proxy"
    monkeypatch.setenv("DEEPL_API_KEY", "abc")
    assert DeepLTranslate().base_url() == "https://api.deepl.com"


@pytest.mark.parametrize("backend", [GoogleTranslate, DeepLTranslate])
def test_429_waits_as_retry_after_asks(
    fake: FakeTranslateServer, backend: type[GoogleTranslate], caplog: pytest.LogCaptureFixture
) -> None:
    fake.push(429, {"message": "Too many requests"}, {"Retry-After": "0.3"})
    fake.push(503, {"message": "busy"})
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING):
        out = backend(FAST).translate(["Hello."], "en", "hi")
    assert out == [translated("Hello.", "hi" if backend is GoogleTranslate else "HI")]
    assert 0.3 <= time.perf_counter() - started < 3
    assert len(fake.requests) == 3
    assert "retrying in 0.30 s" in caplog.text
    assert GOOD_KEY not in caplog.text and DEEPL_KEY not in caplog.text


def test_rate_limit_gives_up_within_max_wait(fake: FakeTranslateServer) -> None:
    for _ in range(3):
        fake.push(429, google_error(429, "RESOURCE_EXHAUSTED", "per minute"), {"Retry-After": "2"})
    with pytest.raises(UserError) as info:
        GoogleTranslate(backoff_s=0.01, max_wait_s=1).translate(["Hi."], "en", "hi")
    assert "too many requests" in str(info.value) and "max_wait_s" in str(info.value)
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("backend", "env", "status"),
    [(GoogleTranslate, "GOOGLE_TRANSLATE_API_KEY", 400), (DeepLTranslate, "DEEPL_API_KEY", 403)],
)
def test_a_bad_key_is_a_user_error_without_the_key(
    fake: FakeTranslateServer,
    monkeypatch: pytest.MonkeyPatch,
    backend: type[GoogleTranslate],
    env: str,
    status: int,
) -> None:
    wrong = "sk-wrong-0123456789-secret"
    monkeypatch.setenv(env, wrong)
    with pytest.raises(UserError) as info:
        backend(FAST).translate(["Hello."], "en", "hi")
    text = str(info.value)
    assert f"refused the API key from {env} (HTTP {status})" in text
    assert wrong not in text
    if backend is GoogleTranslate:  # the fake echoes the key it got; the client scrubs it
        assert "[redacted]" in text
    assert len(fake.requests) == 1  # never retried


def test_deepl_quota_is_a_user_error(fake: FakeTranslateServer) -> None:
    fake.push(456, {"message": "Quota exceeded"})
    with pytest.raises(UserError) as info:
        DeepLTranslate(FAST).translate(["Hello."], "en", "de")
    assert "quota or credits are used up (HTTP 456): Quota exceeded" in str(info.value)


def test_no_key_fails_before_any_request(
    fake: FakeTranslateServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DEEPL_API_KEY")
    with pytest.raises(MissingDependencyError, match="DEEPL_API_KEY"):
        DeepLTranslate().translate(["Hello."], "en", "de")
    assert fake.requests == []


def test_google_backend_in_a_render_asks_once_then_caches(
    fake: FakeTranslateServer, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache")
    for _ in range(2):
        pipe = Pipeline(
            _project(tmp_path, "{languages: [en, hi, ja]}"),
            translate={"name": "google-translate", "options": FAST},
            cache=cache,
        )
        try:
            state = pipe.run(until="subtitles")
            japanese = state.subtitles["srt:ja"].read_text(encoding="utf-8")
        finally:
            pipe.close()
        assert "ja: A crow was thirsty." in japanese
    # hi: the two lines the spec lacks; ja: all four; the second render asked nothing.
    assert sorted(len(r.body["q"]) for r in fake.requests) == [2, 4]
