#!/usr/bin/env bash
# Install smoke: what a user gets from `pip install aifilm`, and from each extra alone.
#
# Builds the wheel and sdist, then installs the wheel (not editable, no dev extra) into
# fresh virtual environments, one per case, and runs what a newcomer would run. A
# dependency that only the dev extra brings cannot hide here. pip's cache is reused, so
# a warm run mostly unpacks wheels.
#
#   .ci/install_smoke.sh [core|server|piper|ai|coqui ...]   (default: all of them)
#
# Needs: python3 with venv, network to the package index (or its cache), and for `ai`
# and `coqui` the CPU build of torch that .ci/run installs (torch==2.13.0).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TORCH=${AIFILM_CI_TORCH:-torch==2.13.0}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/aifilm-install-smoke.XXXXXX")
SERVER_PID=
export AIFILM_CACHE_DIR="$WORK/cache"  # a first-time user: nothing cached yet
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n== install smoke: %s (%ss)\n' "$*" "$SECONDS"; }

backends_ready() {  # backends_ready BIN all|modules STAGE/NAME...: the backends' health checks
    local bin=$1
    shift
    "$bin/python" - "$@" <<'PY'
import sys

from aifilm.pipeline.registry import registry

# "modules": model weights are the user's to download, so only the modules an extra
# installs are checked; "all": every check (the offline defaults need nothing else).
scope, wanted = sys.argv[1], sys.argv[2:]
for one in wanted:
    stage, name = one.split("/")
    checks = registry.backends(stage)[name].health()
    if scope == "modules":
        checks = [c for c in checks if c.name.startswith("python module")]
    assert checks, f"{one}: nothing to check"
    failed = [c for c in checks if not c.ok]
    for check in failed:
        print(f"{one}: {check.name}: {check.detail} (fix: {check.fix})")
    if failed:
        sys.exit(1)
    print(f"{one}: ready ({', '.join(c.name for c in checks)})")
PY
}

fresh_venv() {  # fresh_venv NAME: a new venv with an up-to-date pip; prints its bin folder
    python3 -m venv "$WORK/$1"
    "$WORK/$1/bin/python" -m pip install -qq --upgrade pip >/dev/null
    echo "$WORK/$1/bin"
}

step "build the wheel and the sdist"
python3 -m venv "$WORK/build"
"$WORK/build/bin/pip" install -qq build
"$WORK/build/bin/python" -m build --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log"; exit 1; }
WHEEL=$(ls "$WORK"/dist/aifilm-*.whl)
SDIST=$(ls "$WORK"/dist/aifilm-*.tar.gz)
VERSION=$(basename "$WHEEL" | cut -d- -f2)
tar -tzf "$SDIST" >"$WORK/sdist.txt"
for member in LICENSE src/aifilm/py.typed src/aifilm/THIRD_PARTY_NOTICES.md CHANGELOG.md; do
    grep -qx "aifilm-$VERSION/$member" "$WORK/sdist.txt" || { echo "sdist lacks $member"; exit 1; }
done
echo "built $(basename "$WHEEL") and $(basename "$SDIST")"

smoke_core() {
    step "core: pip install aifilm (the wheel alone)"
    local bin
    bin=$(fresh_venv core)
    "$bin/pip" install -qq "$WHEEL"
    "$bin/pip" check
    [ "$("$bin/aifilm" --version)" = "aifilm $VERSION" ] || { echo "aifilm --version is wrong"; exit 1; }
    "$bin/aifilm" doctor
    backends_ready "$bin" all voice/espeak music/midi visuals/stills lipsync/visemes
    (
        cd "$WORK"
        "$bin/aifilm" init first-film
        "$bin/aifilm" validate first-film/project.yaml
        "$bin/aifilm" render first-film/project.yaml --preview --out "$WORK/renders"
    )
    local mp4
    mp4=$(ls "$WORK"/renders/*.mp4)
    "$bin/python" - "$mp4" <<'PY'
import sys
from aifilm.media.probe import probe

info = probe(sys.argv[1])
video, audio = info.first("video"), info.first("audio")
assert info.duration > 5 and video is not None and audio is not None, info
print(f"rendered {sys.argv[1]}: {info.duration:.1f} s, {video.width}x{video.height}")
PY
}

smoke_server() {
    step "server: pip install 'aifilm[server]'"
    local bin port
    bin=$(fresh_venv server)
    "$bin/pip" install -qq "$WHEEL[server]"
    "$bin/pip" check
    export AIFILM_SERVER_DATA_DIR="$WORK/server-data"  # the embedded SQLite lives here
    "$bin/aifilm" db upgrade
    "$bin/aifilm" worker --help >/dev/null
    port=$("$bin/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
    "$bin/aifilm" serve --host 127.0.0.1 --port "$port" >"$WORK/serve.log" 2>&1 &
    SERVER_PID=$!
    "$bin/python" - "$port" <<'PY' || { cat "$WORK/serve.log"; exit 1; }
import sys, time, urllib.error, urllib.request

url = f"http://127.0.0.1:{sys.argv[1]}/readyz"
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            print(url, answer.status, answer.read().decode())
            break
    except (urllib.error.URLError, ConnectionError) as exc:
        if time.monotonic() > deadline:
            sys.exit(f"{url} did not answer 200 in 60 s: {exc}")
        time.sleep(0.5)
PY
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
    unset AIFILM_SERVER_DATA_DIR
}

smoke_piper() {
    step "piper: pip install 'aifilm[piper]'"
    local bin
    bin=$(fresh_venv piper)
    "$bin/pip" install -qq "$WHEEL[piper]"
    "$bin/pip" check
    backends_ready "$bin" modules voice/piper
}

smoke_ai() {
    step "ai: pip install $TORCH (CPU), then 'aifilm[ai]'"
    local bin
    bin=$(fresh_venv ai)
    "$bin/pip" install -qq "$TORCH"
    "$bin/pip" install -qq "$WHEEL[ai]"
    "$bin/pip" check
    backends_ready "$bin" modules visuals/diffusion-image visuals/diffusion-video music/musicgen
}

smoke_coqui() {
    step "coqui: pip install $TORCH (CPU), then 'aifilm[coqui]'"
    local bin problems
    bin=$(fresh_venv coqui)
    "$bin/pip" install -qq "$TORCH"
    "$bin/pip" install -qq "$WHEEL[coqui]"
    # As .ci/run: the registries carry no CPU torchaudio/torchcodec matching torch 2.13, so
    # the PyPI builds go in without their torch pin and without torchaudio's CUDA extension.
    "$bin/pip" install -qq --no-deps torchaudio==2.11.0 torchcodec==0.17.0
    rm -f "$WORK"/coqui/lib/python3*/site-packages/torchaudio/lib/*.so
    # pip check knows only those two pins are off; anything else fails
    problems=$("$bin/pip" check | grep -vE '^(torchaudio|torchcodec) ' || true)
    if [ -n "$problems" ] && [ "$problems" != "No broken requirements found." ]; then
        echo "$problems"
        exit 1
    fi
    "$bin/python" -c "from TTS.api import TTS; print('coqui-tts imports')"
    backends_ready "$bin" modules voice/coqui
}

for case in "${@:-core server piper ai coqui}"; do
    for one in $case; do "smoke_$one"; done
done
step "done"
