"""The stages of a render, in order. Each is a small object with one `run(ctx)`.

    voice -> plan -> direct -> music -> visuals -> lipsync -> translate -> subtitles -> mix
    -> compose

Each stage declares its name, the `RenderState` fields it reads and writes, and the
backend kinds it uses; `STAGES` is the one list the registry, the settings, the spec's
`backends:` check, the CLI and the server read. Plug-ins add stages through the
`register_stages` hook (see `aifilm.pipeline.registry`).

Every piece of work goes through the content cache, so a stage whose inputs did
not change costs a lookup, and an interrupted render resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import math
import threading
import zlib
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from aifilm.errors import AifilmError
from aifilm.pipeline.blame import blame
from aifilm.pipeline.cache import Entry, cache_key
from aifilm.pipeline.compose.base import ComposeBackend, CompositionRequest
from aifilm.pipeline.context import RenderContext
from aifilm.pipeline.direct.stage import DirectStage
from aifilm.pipeline.fanout import Piece, ThreadRunner
from aifilm.pipeline.music.base import MusicBackend, MusicRequest, MusicTrack
from aifilm.pipeline.plan.length import too_long
from aifilm.pipeline.plan.timing import LineKey, plan_timeline
from aifilm.pipeline.stage_base import (
    COMPOSE,
    LIPSYNC,
    MUSIC,
    TRANSLATE,
    VISUALS,
    VOICE,
    BackendKind,
    FanOutStage,
    Stage,
)
from aifilm.pipeline.stage_base import needs_timeline as _timeline
from aifilm.pipeline.timeline import PhonemeTiming, SpeechClip, TimedShot, Timeline, WordTiming
from aifilm.pipeline.visuals.base import Visual, VisualRequest, VisualsBackend
from aifilm.pipeline.visuals.directed import DirectedVisuals
from aifilm.pipeline.voice.base import SpeechRequest, VoiceBackend, models_kept_warm
from aifilm.spec.models import Project, Voice

if TYPE_CHECKING:
    from aifilm.pipeline.lipsync.base import LipSync, LipSyncBackend, LipSyncRequest

MIX_VERSION = "2"  # 2: the entry holds the AAC track too
MUX_VERSION = "1"
PODCAST_MUSIC_VOLUME = 0.15  # a podcast's bed sits lower under talk, unless the spec says


# --- voice ---------------------------------------------------------------------


def speech_requests(project: Project) -> dict[LineKey, SpeechRequest]:
    """One request per spoken line, with the speaker's voice settings."""
    requests: dict[LineKey, SpeechRequest] = {}
    variants = voice_variants(project)
    for s, scene in enumerate(project.scenes):
        for t, shot in enumerate(scene.shots):
            for k, line in enumerate(shot.lines):
                voice: Voice = project.narrator
                if line.speaker:
                    voice = project.character(line.speaker) or project.narrator
                requests[(s, t, k)] = SpeechRequest(
                    text=line.text,
                    language=voice.language or project.language,
                    preset=voice.voice,
                    voice_id=voice.voice_id,
                    rate=voice.rate,
                    pitch=voice.pitch,
                    variant=variants.get(id(voice), 0),
                )
    return requests


def voice_variants(project: Project) -> dict[int, int]:
    """id(voice) -> which of the speakers sharing its preset it is (the narrator: 0).

    By casting's rule (aifilm.cast.casting): distinct for the main characters, for
    speakers of one scene and from the narrator; minor characters who never meet share.
    """
    from aifilm.cast.casting import voice_variants as by_name

    variants = by_name(project)
    return {id(char): variants.get(char.name, 0) for char in project.characters}


def _clip_meta(clip: SpeechClip, folder: Path) -> dict[str, Any]:
    return {
        "file": clip.path.relative_to(folder).as_posix(),
        "duration": clip.duration,
        "sample_rate": clip.sample_rate,
        "words": [[w.text, w.start, w.end] for w in clip.words],
        "phonemes": [[p.phoneme, p.start, p.end] for p in clip.phonemes],
    }


def _clip_from(entry: Entry) -> SpeechClip:
    meta = entry.meta
    return SpeechClip(
        path=entry.file(meta["file"]),
        duration=float(meta["duration"]),
        sample_rate=int(meta["sample_rate"]),
        words=tuple(WordTiming(str(w), float(a), float(b)) for w, a, b in meta["words"]),
        phonemes=tuple(PhonemeTiming(str(p), float(a), float(b)) for p, a, b in meta["phonemes"]),
    )


class VoiceStage(FanOutStage):
    """Speak every line with the voice backend."""

    name = "voice"
    reads = ()
    writes = ("speech", "speech_keys")
    backends = (VOICE,)

    def pieces(self, ctx: RenderContext) -> list[Piece]:
        backend = cast(VoiceBackend, ctx.backends["voice"])
        identity = backend.identity()
        pieces = []
        for key, request in speech_requests(ctx.project).items():

            def make(folder: Path, request: SpeechRequest = request) -> dict[str, Any]:
                return _clip_meta(backend.synthesize(request, folder / "speech.wav"), folder)

            shot, source = _line_place(ctx.project, key)
            digest = cache_key("voice", identity, asdict(request))
            pieces.append(Piece("voice", digest, make, request.text[:60], shot, source, "voice"))
        return pieces

    def run(self, ctx: RenderContext) -> None:
        backend = cast(VoiceBackend, ctx.backends["voice"])
        requests = speech_requests(ctx.project)
        with self._timer(ctx, backend.name) as report:
            pieces = self.pieces(ctx)
            # A backend that runs on this machine's cores speaks one line per thread at once.
            at_once = ctx.workers if backend.parallel_lines else 1
            backend.expect_lines(_missing(ctx, pieces), at_once)
            entries = self.make_all(ctx, pieces, at_once)
            for key, piece, entry in zip(requests, pieces, entries, strict=True):
                ctx.state.speech[key] = _clip_from(entry)
                ctx.state.speech_keys[key] = piece.key
            report.items = len(requests)
            for note in backend.notes():
                ctx.warn(self.name, note)
        if models_kept_warm():  # `--watch`: the next edited line starts at once
            threading.Thread(target=_warm, args=(backend,), name="warm-voice", daemon=True).start()


def _missing(ctx: RenderContext, pieces: list[Piece]) -> int:
    """How many pieces the cache lacks (a lookup reads one small JSON file each)."""
    return sum(ctx.cache.lookup(piece.stage, piece.key) is None for piece in pieces)


def _warm(backend: VoiceBackend) -> None:
    """Load the voice model in the background; a failure shows on the next line spoken."""
    with contextlib.suppress(AifilmError, ImportError, OSError, RuntimeError):
        backend.warm()


# --- plan ----------------------------------------------------------------------


class PlanStage(Stage):
    """Lay the shots out in time, fitted to the target length."""

    name = "plan"
    reads = ("speech",)
    writes = ("timeline",)

    def run(self, ctx: RenderContext) -> None:
        with self._timer(ctx) as report:
            speech = ctx.state.speech
            timeline = plan_timeline(
                ctx.project,
                lambda key: speech[key].duration,
                clips=speech,
                size=ctx.size,
                fps=ctx.fps,
            )
            ctx.state.timeline = timeline
            for warning in timeline.warnings:
                ctx.warn(self.name, warning)
            report.items = len(timeline.shots)
        # Spoken lines can run longer than their estimate: stop before the pictures.
        too_long(timeline, ctx.project, source=str(ctx.project.source or ""), estimated=False)


# --- music ---------------------------------------------------------------------


def _track_meta(track: MusicTrack, folder: Path) -> dict[str, Any]:
    return {
        "file": track.path.relative_to(folder).as_posix(),
        "duration": track.duration,
        "sample_rate": track.sample_rate,
        "genre": track.genre,
    }


def music_seconds(timeline: Timeline) -> float:
    """How long the music is made: the film's target, else its length rounded up to a second.

    The mix trims it to the film, so an edit that moves the film's end by a few frames
    keeps the music from the cache (a film longer than its target gets longer music).
    """
    target = float(timeline.target or 0.0)
    return max(target, float(math.ceil(timeline.duration - 1e-6)))


class MusicStage(Stage):
    """Play the project's genre, or fit its music file, to the film's length."""

    name = "music"
    reads = ("timeline",)
    writes = ("music", "music_key")
    backends = (MUSIC,)

    def run(self, ctx: RenderContext) -> None:
        music = ctx.project.music
        backend = cast(MusicBackend, ctx.backends["music"])
        with self._timer(ctx, backend.name if music and music.genre else "file") as report:
            if music is None:
                report.notes.append("no music in the project")
                return
            duration = music_seconds(_timeline(ctx))
            if music.genre:
                request = MusicRequest(
                    genre=music.genre, duration=duration, seed=music.seed, tempo=music.tempo
                )
                digest = cache_key("music", backend.identity(), asdict(request))

                def make(folder: Path) -> dict[str, Any]:
                    return _track_meta(backend.compose(request, folder / "music.wav"), folder)

            else:
                from aifilm.pipeline.music.fit import fit_audio_file

                assert music.file is not None
                source = ctx.project.resolve(music.file)
                digest = cache_key("music-file", source, round(duration, 3), "1")

                def make(folder: Path) -> dict[str, Any]:
                    return _track_meta(
                        fit_audio_file(source, duration, folder / "music.wav"), folder
                    )

            with _blame(ctx, self.name):
                entry = ctx.cache.fetch("music", digest, make)
            ctx.state.music = MusicTrack(
                entry.file(entry.meta["file"]),
                float(entry.meta["duration"]),
                int(entry.meta["sample_rate"]),
                entry.meta.get("genre"),
            )
            ctx.state.music_key = digest
            report.items = 1


# --- visuals -------------------------------------------------------------------


class VisualsStage(FanOutStage):
    """Make each shot's picture at the size its camera motion needs."""

    name = "visuals"
    reads = ("timeline", "directions")
    writes = ("visuals", "visual_keys", "credits")
    backends = (VISUALS, COMPOSE)

    def _jobs(self, ctx: RenderContext) -> list[tuple[TimedShot, VisualRequest, str, Any]]:
        """(shot, request, cache key, direction) per shot, in order."""
        backend = cast(VisualsBackend, ctx.backends["visuals"])
        composer = cast(ComposeBackend, ctx.backends["compose"])
        width, height = ctx.size
        # A backend that works from the director's directions gets each shot's.
        directed = isinstance(backend, DirectedVisuals)
        directions = ctx.state.directions
        jobs = []
        for n, shot in enumerate(_timeline(ctx).shots):
            w, h = composer.source_size(width, height, shot.camera)
            request = VisualRequest(
                spec=shot.visual,
                width=w,
                height=h,
                duration=shot.duration,
                fps=ctx.fps,
                title=ctx.project.title,
                language=ctx.project.language,
            )
            fields = asdict(request)
            if not backend.timed:
                fields.pop("duration")
            direction = directions[n] if directed and n < len(directions) else None
            if direction is not None:
                fields["direction"] = asdict(direction)
            digest = cache_key("visuals", backend.identity(), fields)
            jobs.append((shot, request, digest, direction))
        return jobs

    def pieces(self, ctx: RenderContext) -> list[Piece]:
        """One piece per distinct picture (a podcast's same speaker twice is made once)."""
        backend = cast(VisualsBackend, ctx.backends["visuals"])
        pieces: dict[str, Piece] = {}
        for shot, request, digest, direction in self._jobs(ctx):
            if digest in pieces:
                continue

            def make(
                folder: Path, request: VisualRequest = request, direction: Any = direction
            ) -> dict[str, Any]:
                credit = None
                if direction is not None:
                    assert isinstance(backend, DirectedVisuals)
                    visual, credit = backend.render_directed(request, direction, folder)
                else:
                    visual = backend.render(request, folder)
                return {"credit": credit, **visual.to_meta(folder)}

            label = f"shot {shot.id}"
            pieces[digest] = Piece("visuals", digest, make, label, shot.id, shot.source, "visuals")
        return list(pieces.values())

    def run(self, ctx: RenderContext) -> None:
        backend = cast(VisualsBackend, ctx.backends["visuals"])
        timeline = _timeline(ctx)
        directed = isinstance(backend, DirectedVisuals)
        with self._timer(ctx, backend.name) as report:
            jobs = self._jobs(ctx)
            if directed:  # photos already in the cache for this film are taken
                assert isinstance(backend, DirectedVisuals)
                for *_, digest, _ in jobs:
                    hit = ctx.cache.lookup("visuals", digest)
                    if hit is not None and hit.meta.get("credit"):
                        backend.reserve(str(hit.meta["credit"]["id"]))
            pieces = self.pieces(ctx)
            if directed:
                # One search picks every shot's photo without repeats: it must stay in this
                # process, whatever the runner.
                saved, ctx.runner = ctx.runner, ThreadRunner()
                try:
                    entries = self.make_all(ctx, pieces, ctx.workers)
                finally:
                    ctx.runner = saved
            else:
                entries = self.make_all(ctx, pieces, ctx.workers)
            made: dict[str, Visual] = {}
            credits: dict[str, dict[str, Any]] = {}
            for piece, entry in zip(pieces, entries, strict=True):
                meta = entry.meta
                if meta.get("credit"):
                    credits[piece.key] = meta["credit"]
                made[piece.key] = Visual.from_meta(meta, entry.path)
            visuals = [made[digest] for _, _, digest, _ in jobs]
            notes = [
                f"shot {shot.id}: {visual.note}"
                for shot, visual in zip(timeline.shots, visuals, strict=True)
                if visual.note
            ]
            report.notes += notes
            ctx.warn_shots(self.name, notes)  # a fallback picture is something a viewer sees
            ctx.state.visuals = visuals
            ctx.state.visual_keys = [digest for _, _, digest, _ in jobs]
            ctx.state.credits = [
                credits[d] for d in dict.fromkeys(ctx.state.visual_keys) if d in credits
            ]
            report.items = len(jobs)


# --- lipsync -------------------------------------------------------------------


def _animate(backend: LipSyncBackend, request: LipSyncRequest, folder: Path) -> LipSync:
    """A face lip-syncs with the chosen backend; an illustrated animal hops, whatever it is."""
    from aifilm.pipeline.lipsync.hops import SOURCE, hop
    from aifilm.pipeline.visuals.stills import read_hops

    if request.face.source == SOURCE:
        hops = read_hops(request.visual.path)
        where = next((h for h in hops if h.box == request.face.mouth), None)
        if where is None:  # a picture drawn by an older aifilm, or its hops.json edited
            return LipSync("none", note=f"{request.visual.path.name}: no hop for this face")
        return hop(request, where, folder)
    return backend.animate(request, folder)


def _face_meta(faces: list[Any], notes: list[str]) -> dict[str, Any]:
    return {"faces": [asdict(f) for f in faces], "notes": notes}


def _faces_from(meta: dict[str, Any]) -> tuple[list[Any], list[str]]:
    from aifilm.pipeline.lipsync.base import Face

    faces = []
    for item in meta["faces"]:
        item = dict(item)
        for key in ("mouth", "face"):
            if item.get(key) is not None:
                item[key] = tuple(item[key])
        item["eyes"] = tuple(tuple(e) for e in item.get("eyes", ()))
        faces.append(Face(**item))
    return faces, list(meta["notes"])


@dataclass(frozen=True)
class _Face:
    """One face of one shot to animate: which shot, whether it speaks, its piece."""

    shot: int
    who: str | None
    spoken: bool
    piece: Piece


class LipSyncStage(FanOutStage):
    """Make every character shown with a face talk while it speaks, and blink.

    A face that cannot be found leaves its character a still, with a note in the report.
    """

    name = "lipsync"
    reads = ("timeline", "speech_keys", "visuals", "visual_keys")
    writes = ("overlays", "overlay_keys", "visuals", "visual_keys")
    backends = (LIPSYNC,)

    def _faces(self, ctx: RenderContext) -> tuple[list[_Face], list[str]]:
        """Every face to animate, shot by shot, and the notes of faces not found.

        Finding faces is itself cached per picture, so listing them again is cheap.
        """
        from aifilm.pipeline.compose.transitions import plan_spans
        from aifilm.pipeline.lipsync.base import LipSyncBackend, LipSyncRequest, SpokenLine
        from aifilm.pipeline.lipsync.faces import DETECTOR, find_faces

        backend = cast(LipSyncBackend, ctx.backends["lipsync"])
        timeline = _timeline(ctx)
        fps = timeline.fps
        project = ctx.project
        lines = timeline.lines
        line_keys = list(ctx.state.speech_keys.values())
        mouths = {c.name: c.mouth for c in project.characters if c.mouth}
        found_faces: list[_Face] = []
        notes: list[str] = []
        for n, (shot, span) in enumerate(zip(timeline.shots, plan_spans(timeline), strict=True)):
            visual = ctx.state.visuals[n]
            if visual.kind != "still" or (
                shot.visual.kind != "podcast"
                and shot.visual.character is None
                and not shot.visual.illustrate  # illustrated animals hop (lipsync.hops)
            ):
                continue
            face_key = cache_key(
                "faces", DETECTOR, ctx.state.visual_keys[n], asdict(shot.visual), mouths
            )

            def locate(folder: Path, shot: TimedShot = shot, visual: Visual = visual) -> Any:
                return _face_meta(*find_faces(shot, visual, project))

            with _blame(ctx, self.name, shot=shot.id, source=shot.source):
                found = ctx.cache.fetch("faces", face_key, locate)
            faces, missing = _faces_from(found.meta)
            notes += missing
            start = span.first / fps
            end = span.end / fps
            for face in faces:
                spoken = [
                    (key, line)
                    for key, line in zip(line_keys, lines, strict=True)
                    if line.speaker == face.character and line.start < end and line.end > start
                ]
                seed = zlib.crc32(f"{face.character}/{shot.id}".encode())
                request = LipSyncRequest(
                    shot=shot.id,
                    visual=visual,
                    face=face,
                    lines=tuple(
                        SpokenLine(
                            line.clip.path,
                            line.start,
                            line.clip.duration,
                            line.clip.words,
                            line.clip.phonemes,
                            line.text,
                        )
                        for _, line in spoken
                    ),
                    start=start,
                    frames=span.frames,
                    fps=fps,
                    seed=seed,
                )
                digest = cache_key(
                    "lipsync",
                    backend.identity(),
                    ctx.state.visual_keys[n],
                    asdict(face),
                    [(key, round(line.start, 4)) for key, line in spoken],
                    span.first,
                    span.frames,
                    fps,
                    seed,
                )

                def make(folder: Path, request: LipSyncRequest = request) -> dict[str, Any]:
                    made = _animate(backend, request, folder)
                    meta: dict[str, Any] = {"kind": made.kind, "note": made.note}
                    if made.overlay is not None:
                        o = made.overlay
                        meta["overlay"] = {
                            "file": o.path.relative_to(folder).as_posix(),
                            "x": o.x,
                            "y": o.y,
                            "start": o.start,
                        }
                    if made.video is not None:
                        meta["video"] = made.video.relative_to(folder).as_posix()
                    return meta

                who = face.character or "the narrator"
                piece = Piece(
                    "lipsync",
                    digest,
                    make,
                    f"shot {shot.id}: {who}",
                    shot.id,
                    shot.source,
                    "lipsync",
                )
                found_faces.append(_Face(n, face.character, bool(spoken), piece))
        return found_faces, notes

    def pieces(self, ctx: RenderContext) -> list[Piece]:
        """One piece per distinct face animation."""
        faces, _ = self._faces(ctx)
        return list({f.piece.key: f.piece for f in faces}.values())

    def run(self, ctx: RenderContext) -> None:
        from aifilm.pipeline.compose.base import Overlay
        from aifilm.pipeline.lipsync.base import LipSyncBackend

        backend = cast(LipSyncBackend, ctx.backends["lipsync"])
        timeline = _timeline(ctx)
        with self._timer(ctx, backend.name) as report:
            faces, stills = self._faces(ctx)
            report.notes += stills
            pieces = list({f.piece.key: f.piece for f in faces}.values())
            entries = dict(zip([p.key for p in pieces], self.make_all(ctx, pieces, 1), strict=True))
            overlays: list[tuple[Overlay, ...]] = [() for _ in timeline.shots]
            keys: list[list[str]] = [[] for _ in timeline.shots]
            animated = 0
            for face in faces:
                n, shot = face.shot, timeline.shots[face.shot]
                visual = ctx.state.visuals[n]
                meta = entries[face.piece.key].meta
                entry = entries[face.piece.key]
                if meta["kind"] == "overlay" and meta.get("overlay"):
                    o = meta["overlay"]
                    overlays[n] += (
                        Overlay(entry.file(o["file"]), int(o["x"]), int(o["y"]), o["start"]),
                    )
                    keys[n].append(face.piece.key)
                    animated += face.spoken
                elif meta["kind"] == "video" and meta.get("video"):
                    if visual.kind == "video":
                        note = (
                            f"shot {shot.id}: one face per shot can be re-rendered as video; "
                            f"{face.who or 'the narrator'} shown as a still"
                        )
                        report.notes.append(note)
                        stills.append(note)
                        continue
                    video = entry.file(meta["video"])
                    ctx.state.visuals[n] = Visual(video, "video", visual.width, visual.height)
                    ctx.state.visual_keys[n] = face.piece.key
                    animated += face.spoken
                if meta.get("note") and meta["kind"] != "none":
                    report.notes.append(f"shot {shot.id}: {meta['note']}")
            ctx.state.overlays = overlays
            ctx.state.overlay_keys = keys
            report.items = animated
            ctx.warn_shots(self.name, stills)


# --- subtitles -----------------------------------------------------------------


class TranslateStage(Stage):
    """Give each line its text in every subtitle language: from the spec, else the backend."""

    name = "translate"
    reads = ("timeline", "speech_keys")
    writes = ("timeline",)
    backends = (TRANSLATE,)

    def run(self, ctx: RenderContext) -> None:
        from aifilm.pipeline.translate.base import TranslateBackend
        from aifilm.pipeline.translate.lines import (
            describe_missing,
            missing_error,
            translate_lines,
        )

        backend = cast(TranslateBackend, ctx.backends["translate"])
        project = ctx.project
        lines = _timeline(ctx).lines
        keys = list(ctx.state.speech_keys)
        with self._timer(ctx, backend.name) as report:
            with _blame(ctx, self.name):
                done = translate_lines(
                    lines,
                    film_language=project.language,
                    languages=project.subtitle_languages,
                    backend=backend,
                    cache=ctx.cache,
                )
            report.items = done.from_spec + done.translated
            if done.translated:
                report.notes.append(f"{done.translated} text(s) translated by {backend.name}")
            if done.missing:
                messages = describe_missing(
                    lines,
                    done.missing,
                    lambda i: project.line_source(*keys[i]) if i < len(keys) else None,
                )
                if project.output.subtitles.missing == "error":
                    raise missing_error(messages, backend.name)
                for message in messages:
                    ctx.warn(self.name, message + "\n  (their subtitles show the spoken text)")


class SubtitlesStage(Stage):
    """Write SRT and VTT files per language, and an ASS file to burn in, timed to the speech."""

    name = "subtitles"
    reads = ("timeline",)
    writes = ("subtitles", "subtitle_tracks")

    def run(self, ctx: RenderContext) -> None:
        from aifilm.pipeline.subtitles.ass import write_ass
        from aifilm.pipeline.subtitles.cues import build_cues
        from aifilm.pipeline.subtitles.srt import write_srt
        from aifilm.pipeline.subtitles.vtt import write_vtt

        options = ctx.project.output.subtitles
        languages = ctx.project.subtitle_languages
        timeline = _timeline(ctx)
        with self._timer(ctx) as report:
            cues = {
                language: build_cues(
                    timeline,
                    max_chars=options.max_chars_per_line,
                    max_lines=options.max_lines,
                    language=language,
                )
                for language in languages
            }
            report.items = sum(len(c) for c in cues.values())
            if not report.items:
                return
            for n, language in enumerate(languages):
                srt = write_srt(cues[language], ctx.workdir / f"subtitles.{language}.srt")
                ctx.state.subtitle_tracks[language] = srt
                if not options.files:
                    continue
                vtt = write_vtt(cues[language], ctx.workdir / f"subtitles.{language}.vtt")
                if n == 0:  # the main language keeps the plain names: <slug>.srt, <slug>.vtt
                    ctx.state.subtitles["srt"], ctx.state.subtitles["vtt"] = srt, vtt
                if len(languages) > 1:
                    ctx.state.subtitles[f"srt:{language}"] = srt
                    ctx.state.subtitles[f"vtt:{language}"] = vtt
            if options.burn:
                burn = ctx.project.burn_language
                # on whole frames: a shot that only moves burns its cues on the same frames
                # of its own segment, so the segment comes from the cache (ass_cut.py)
                fps = timeline.fps
                on_frames = [
                    replace(c, start=round(c.start * fps) / fps, end=round(c.end * fps) / fps)
                    for c in cues[burn]
                ]
                write_ass(
                    on_frames,
                    ctx.workdir / "subtitles.ass",
                    width=timeline.width,
                    height=timeline.height,
                    language=burn,
                    font_size=options.font_size,
                )
                ctx.state.subtitles["ass"] = ctx.workdir / "subtitles.ass"


# --- mix -----------------------------------------------------------------------


def music_volume(project: Project) -> float:
    """The music's level: the spec's, else the default (lower in podcast mode)."""
    music = project.music
    if music is None:
        return 0.0
    if project.mode == "podcast" and "volume" not in music.model_fields_set:
        return PODCAST_MUSIC_VOLUME
    return music.volume


class MixStage(Stage):
    """Place the speech in time, duck the music under it, normalise to -14 LUFS; and encode
    the mix as the film's AAC track.

    In a render that can overlap it (`RenderContext.overlap`), a mix not in the cache is
    made in the background while the composer encodes the picture, which does not need it.
    """

    name = "mix"
    reads = ("timeline", "speech_keys", "music", "music_key")
    writes = ("audio", "audio_aac", "audio_key", "audio_facts")
    deferred_writes = ("audio", "audio_aac", "audio_facts")

    def run(self, ctx: RenderContext) -> None:
        from aifilm.pipeline.compose.audio import assemble_speech, encode_aac, mix_audio

        timeline = _timeline(ctx)
        music = ctx.project.music
        volume = music_volume(ctx.project)
        draft = ctx.quality == "draft"  # a preview's sound track: AAC's fast coder
        placed = [
            (ctx.state.speech_keys[key], round(line.start, 4))
            for key, line in zip(ctx.state.speech_keys, timeline.lines, strict=True)
        ]
        digest = cache_key(
            "mix",
            MIX_VERSION,
            placed,
            ctx.state.music_key,
            volume,
            music.duck if music else None,
            round(timeline.duration, 4),
            draft,
        )
        track = ctx.state.music

        def make(folder: Path) -> dict[str, Any]:
            speech = assemble_speech(timeline, folder / "speech.wav")
            facts = mix_audio(
                speech,
                track.path if track else None,
                duration=timeline.duration,
                out=folder / "mix.wav",
                music_volume=volume,
                duck=music.duck if music else False,
            )
            (folder / "speech.wav").unlink(missing_ok=True)
            encode_aac(folder / "mix.wav", folder / "mix.m4a", draft=draft)
            return {"file": "mix.wav", "aac": "mix.m4a", "facts": facts}

        def mix() -> None:
            with self._timer(ctx, "ffmpeg") as report:
                with _blame(ctx, self.name):
                    entry = ctx.cache.fetch("mix", digest, make)
                ctx.state.audio = entry.file(entry.meta["file"])
                aac = entry.meta.get("aac")  # none: the join encodes the sound itself
                ctx.state.audio_aac = entry.file(aac) if aac else None
                ctx.state.audio_facts = dict(entry.meta.get("facts") or {})
                report.items = 1

        ctx.state.audio_key = digest
        background = ctx.overlap and ctx.cache.lookup("mix", digest) is None
        if background:
            folder = ctx.cache.folder("mix", digest)  # where its files will be
            ctx.state.audio, ctx.state.audio_aac = folder / "mix.wav", folder / "mix.m4a"
            ctx.defer(self.name, mix)
        else:
            mix()


# --- compose -------------------------------------------------------------------


class ComposeStage(Stage):
    """Encode the film (its segments, from the cache where unchanged), and make its thumbnail."""

    name = "compose"
    reads = (
        "timeline",
        "visuals",
        "visual_keys",
        "overlays",
        "overlay_keys",
        "audio",
        "audio_key",
        "subtitles",
        "subtitle_tracks",
    )
    writes = ("film", "film_facts", "thumbnail")
    late_reads = ("audio", "audio_aac", "audio_facts")  # the mix: only for the join
    backends = (COMPOSE,)

    def run(self, ctx: RenderContext) -> None:
        from aifilm.media.fonts import fonts_dir
        from aifilm.pipeline.thumbnail import make_thumbnail

        composer = cast(ComposeBackend, ctx.backends["compose"])
        timeline = _timeline(ctx)
        assert ctx.state.audio is not None
        ass = ctx.state.subtitles.get("ass")
        late = composer.waits_for_audio()
        if not late:
            ctx.settle("mix")
        with self._timer(ctx, composer.name) as report:
            geometry = [
                (s.start, s.duration, s.camera, s.transition, s.transition_s)
                for s in timeline.shots
            ]
            digest = cache_key(
                "film",
                composer.identity(),
                ctx.state.visual_keys,
                ctx.state.overlay_keys,
                ctx.state.audio_key,
                ass,
                geometry,
                timeline.width,
                timeline.height,
                timeline.fps,
                ctx.quality,
            )
            request = CompositionRequest(
                timeline=timeline,
                visuals=ctx.state.visuals,
                audio=ctx.state.audio,
                audio_aac=ctx.state.audio_aac,
                audio_ready=(lambda: ctx.settle("mix")) if late else None,
                subtitles_ass=ass,
                fonts_dir=fonts_dir(ctx.fonts_base),
                quality=ctx.quality,
                overlays=ctx.state.overlays,
                segment_cache=ctx.cache,  # an edit re-encodes only the segments it changed
                segment_encoder=ctx.runner.segment_encoder(ctx),  # None: in this process
            )

            def make(folder: Path) -> dict[str, Any]:
                result = composer.compose(
                    request,
                    folder / "film.mp4",
                    progress=lambda f: ctx.progress(self.name, f, 1.0, "encoding"),
                )
                return {"file": "film.mp4", "duration": result.duration, "facts": result.facts}

            with _blame(ctx, self.name):
                entry = ctx.cache.fetch("film", digest, make)
            ctx.state.film = entry.file(entry.meta["file"])
            ctx.state.film_facts = dict(entry.meta.get("facts") or {})
            # "camera shown static", "overlays not applied": the viewer sees these.
            ctx.warn_shots(self.name, [str(n) for n in ctx.state.film_facts.get("notes", [])])
            if ctx.project.output.subtitles.tracks and ctx.state.subtitle_tracks:
                ctx.state.film = _with_subtitle_tracks(ctx, ctx.state.film, digest)

            # what the thumbnail shows: the shots' pictures and the title, not the film's
            # sound or timing, so an edited line does not redo it
            picked = [
                (s.visual.kind, s.visual.illustrate, len(s.visual.figures), bool(s.visual.words))
                for s in timeline.shots
            ]
            thumb_key = cache_key(
                "thumbnail",
                ctx.state.visual_keys,
                picked,
                ctx.project.title,
                ctx.project.language,
                timeline.width,
                timeline.height,
                "2",
            )
            with _blame(ctx, "thumbnail"):
                thumb = ctx.cache.fetch(
                    "thumbnail",
                    thumb_key,
                    lambda folder: make_thumbnail(
                        ctx.project, timeline, ctx.state.visuals, folder / "thumbnail.png"
                    ),
                )
            ctx.state.thumbnail = thumb.file("thumbnail.png")
            report.items = 1


def _with_subtitle_tracks(ctx: RenderContext, film: Path, film_key: str) -> Path:
    """The film with every subtitle language as a soft track (a cached remux, no encode)."""
    from aifilm.pipeline.compose.mux import SubtitleTrack, add_subtitle_tracks

    tracks = [SubtitleTrack(path, lang) for lang, path in ctx.state.subtitle_tracks.items()]
    key = cache_key("film-tracks", MUX_VERSION, film_key, [(t.language, t.path) for t in tracks])

    def make(folder: Path) -> dict[str, Any]:
        add_subtitle_tracks(film, tracks, folder / "film.mp4")
        return {"file": "film.mp4", "languages": [t.language for t in tracks]}

    with _blame(ctx, "compose"):
        entry = ctx.cache.fetch("film", key, make)
    return entry.file(entry.meta["file"])


STAGES: tuple[type[Stage], ...] = (
    VoiceStage,
    PlanStage,
    DirectStage,
    MusicStage,
    VisualsStage,
    LipSyncStage,
    TranslateStage,
    SubtitlesStage,
    MixStage,
    ComposeStage,
)
STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)
BACKEND_KINDS: tuple[BackendKind, ...] = tuple(
    dict.fromkeys(kind for stage in STAGES for kind in stage.backends)
)


def _blame(
    ctx: RenderContext,
    stage: str,
    key: LineKey | None = None,
    *,
    shot: str | None = None,
    source: str | None = None,
) -> blame:
    """`blame` for a stage, naming a spoken line's shot and line when given its key."""
    if key is not None:
        shot, source = _line_place(ctx.project, key)
    return blame(stage, shot=shot, source=source)


def _line_place(project: Project, key: LineKey) -> tuple[str, str | None]:
    """A line's name in errors ("shot 1.2 line 1") and its place in the project file."""
    return f"shot {key[0] + 1}.{key[1] + 1} line {key[2] + 1}", project.shot_source(key[0], key[1])
