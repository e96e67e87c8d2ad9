#!/usr/bin/env bash
# Lowest bounds: install the lowest versions pyproject.toml allows for aifilm's own
# dependencies (uv's --resolution lowest-direct) in a fresh venv and run the fast tests
# that need no extra, so a declared lower bound that no longer works fails here (as
# typer>=0.12 did: the CLI needs typer.TyperException, from 0.27.2).
#
#   .ci/lowest_deps.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d "${TMPDIR:-/tmp}/aifilm-lowest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

python3 -m venv "$WORK/uv"
"$WORK/uv/bin/pip" install -qq uv
UV="$WORK/uv/bin/uv"
"$UV" venv -q -p python3 "$WORK/venv"
# pytest is pinned from below too: unpinned, "lowest" would pick pytest 2.0
VIRTUAL_ENV="$WORK/venv" "$UV" pip install -q --resolution lowest-direct -e . 'pytest>=8'
VIRTUAL_ENV="$WORK/venv" "$UV" pip list
# Tests that need no extra and reach every core dependency's API: typer and rich (the CLI,
# init to render), pydantic and pydantic-settings (spec, settings), PyYAML, platformdirs,
# pluggy (registry), httpx (API voices), numpy, Pillow, av, imageio-ffmpeg's FFmpeg, OpenCV
# (faces), espeak-ng, pretty_midi (music), the fonts, google-api-python-client (publish).
# The whole suite runs on the newest versions in .ci/run; this keeps the job to minutes.
"$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider -m "not slow and not ai" \
    tests/test_cli.py tests/test_spec.py tests/test_cache_and_registry.py \
    tests/test_voice_api.py tests/test_voice_espeak.py tests/test_music_soundfont.py \
    tests/test_fonts.py tests/test_subtitles.py tests/test_visuals_stills.py \
    tests/test_lipsync.py tests/test_compose_audio.py tests/publish/test_youtube_auth.py "$@"
