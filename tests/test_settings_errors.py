"""A bad setting is a `SettingsError` naming where the value came from and what fits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import aifilm


def test_a_bad_variable_is_named_with_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIFILM_WORKERS", "abc")
    monkeypatch.setenv("AIFILM_CACHE_MAX_SIZE", "5 lightyears")
    with pytest.raises(aifilm.SettingsError) as caught:
        aifilm.Settings()
    assert caught.value.exit_code == 3 and caught.value.message.startswith("bad settings:")
    assert "AIFILM_WORKERS='abc': Input should be a valid integer" in caught.value.message
    assert "AIFILM_CACHE_MAX_SIZE='5 lightyears'" in caught.value.message


def test_a_bad_value_in_the_config_file_names_the_file_and_key() -> None:
    config = Path(os.environ["AIFILM_CONFIG"])
    config.write_text('workers = 0\ncache_max_size = "2GB"\n')
    with pytest.raises(aifilm.SettingsError) as caught:
        aifilm.Settings()
    assert f"'workers' in {config}: Input should be greater than or equal to 1" in str(caught.value)
    config.write_text('cache_max_size = "2GB"\n')
    assert int(aifilm.Settings().cache_max_size) == 2 * 1000**3


@pytest.mark.parametrize("text", ["workers = [\n", "\xff\xfe\n"])
def test_a_config_file_that_is_not_toml(text: str) -> None:
    config = Path(os.environ["AIFILM_CONFIG"])
    config.write_bytes(text.encode("latin-1"))
    with pytest.raises(aifilm.SettingsError, match="is not valid TOML") as caught:
        aifilm.Settings()
    assert str(config) in caught.value.message and "remove the file" in (caught.value.hint or "")


def test_a_config_path_that_is_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIFILM_CONFIG", str(tmp_path))
    with pytest.raises(aifilm.SettingsError, match="is not a file"):
        aifilm.Settings()
