"""The project spec as typed models: what a `project.yaml` may say.

Unknown keys are forbidden so a typo is an error with a position, never a
silently ignored setting. Paths stay as written; `aifilm.spec.loader` resolves
them against the project folder and checks that they exist.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from PIL import ImageColor
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from aifilm.spec.vocabulary import (
    CAMERA_MOTIONS,
    GENRE_IDS,
    LANGUAGE_CODES,
    RESOLUTIONS,
    TRANSITIONS,
    VOICE_PRESETS,
    choice_error,
)

MIN_DURATION_S = 10.0
MAX_DURATION_S = 600.0


class StrictModel(BaseModel):
    """Base for spec models: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _check_choice(kind: str, value: str, choices: tuple[str, ...] | list[str]) -> str:
    if value not in choices:
        raise ValueError(choice_error(kind, value, choices))
    return value


def _check_color(value: str) -> str:
    try:
        ImageColor.getrgb(value)
    except ValueError:
        raise ValueError(
            f"'{value}' is not a colour; use a name like 'navy' or a hex value like '#1e3a5f'"
        ) from None
    return value


_DURATION_RE = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*m(?:in)?)?\s*(?:(\d+(?:\.\d+)?)\s*s?)?\s*$")


def parse_duration(value: Any) -> float | None:
    """Seconds from 60, 90.5, "90s", "2m", "1m30s" or "2 min"; None for "auto"."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return None
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text like '90s' or '2m'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _DURATION_RE.match(value)
        if match and (match.group(1) or match.group(2)):
            minutes = float(match.group(1) or 0)
            seconds = float(match.group(2) or 0)
            return minutes * 60 + seconds
    raise ValueError(f"'{value}' is not a duration; write seconds (90), '90s', '2m' or '1m30s'")


def _check_language(value: str) -> str:
    return _check_choice("language", value, LANGUAGE_CODES)


LanguageCode = Annotated[
    str,
    AfterValidator(_check_language),
    Field(description="A language code: " + ", ".join(LANGUAGE_CODES)),
]
Translations = Annotated[
    dict[LanguageCode, str],
    Field(description="The same words in other languages, by language code: {en: ..., hi: ...}"),
]


def _check_translations(value: dict[str, str]) -> dict[str, str]:
    for code, text in value.items():
        if not str(text).strip():
            raise PydanticCustomError(
                "empty_translation",
                "the {key} translation is empty; remove it or write the text",
                {"key": code},
            )
    return value


class SubtitleOptions(StrictModel):
    """Which subtitle languages and files to make, and which language to burn into the picture."""

    languages: list[LanguageCode] | None = Field(
        None,
        description="Subtitle languages, e.g. [hi, en] (default: the film's language). Each "
        "gets .srt/.vtt files and a subtitle track in the MP4; lines need translations into "
        "the others (written in the spec or from a translate backend).",
    )
    burn: bool = Field(True, description="Draw the subtitles into the video frames.")
    burn_language: LanguageCode | None = Field(
        None, description="Which of `languages` to burn in (default: the first)."
    )
    files: bool = Field(True, description="Write .srt and .vtt files beside the film.")
    tracks: bool = Field(
        True, description="Add every subtitle language to the MP4 as a soft (selectable) track."
    )
    missing: Literal["error", "original"] = Field(
        "error",
        description="A line without a translation into a subtitle language: 'error' lists every "
        "such line; 'original' warns and shows the spoken text instead.",
    )
    max_chars_per_line: int = Field(42, ge=16, le=80)
    max_lines: int = Field(2, ge=1, le=3)
    font_size: float = Field(
        0.055, gt=0.01, le=0.2, description="Text height as a fraction of the frame height."
    )

    @field_validator("languages")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            if not value:
                raise ValueError("list at least one language, or remove the key")
            repeated = sorted({code for code in value if value.count(code) > 1})
            if repeated:
                raise ValueError(f"languages repeat: {', '.join(repeated)}")
        return value

    @model_validator(mode="after")
    def _burn_listed(self) -> SubtitleOptions:
        if self.burn_language and self.languages and self.burn_language not in self.languages:
            raise ValueError(
                f"burn_language '{self.burn_language}' is not in languages "
                f"({', '.join(self.languages)}); add it there or pick one of them"
            )
        return self


class Output(StrictModel):
    """Frame size, rate and extras of the finished film."""

    resolution: str = Field(
        "720p", description="One of " + ", ".join(RESOLUTIONS) + ", or WIDTHxHEIGHT."
    )
    fps: int = Field(30, ge=12, le=60)
    subtitles: SubtitleOptions = Field(default_factory=SubtitleOptions)
    thumbnail: bool = True
    quality: Literal["draft", "standard", "high"] = Field(
        "standard", description="Encoder effort: draft is fastest, high is smallest per quality."
    )

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, value: str) -> str:
        if value in RESOLUTIONS:
            return value
        match = re.fullmatch(r"(\d{2,4})x(\d{2,4})", value)
        if match:
            w, h = int(match.group(1)), int(match.group(2))
            if w % 2 or h % 2 or not (64 <= w <= 3840 and 64 <= h <= 3840):
                raise ValueError(f"size {value} must have even sides between 64 and 3840")
            return value
        raise ValueError(choice_error("resolution", value, [*RESOLUTIONS, "WIDTHxHEIGHT"]))

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        if self.resolution in RESOLUTIONS:
            return RESOLUTIONS[self.resolution]
        w, h = self.resolution.split("x")
        return int(w), int(h)


VoicePreset = Annotated[str, Field(description="One of: " + ", ".join(VOICE_PRESETS))]


class Voice(StrictModel):
    """How a speaker sounds: an age preset, optionally a backend-specific voice id."""

    voice: VoicePreset = "adult-female"
    voice_id: str | None = Field(None, description="A backend's own voice name, overrides preset.")
    language: str | None = Field(None, description="Language of this speaker's lines.")
    rate: float = Field(1.0, ge=0.5, le=2.0, description="Speaking-rate multiplier.")
    pitch: float = Field(0.0, ge=-12, le=12, description="Pitch shift in semitones.")

    @field_validator("voice")
    @classmethod
    def _voice(cls, value: str) -> str:
        return _check_choice("voice", value, tuple(VOICE_PRESETS))

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else _check_choice("language", value, LANGUAGE_CODES)


CharacterAge = Literal["baby", "toddler", "child", "pre-teen", "young-adult", "adult", "mature"]


class Character(Voice):
    """A named speaker with an optional picture."""

    name: str = Field(min_length=1, max_length=60)
    look: str | None = Field(
        None,
        max_length=300,
        description="Who they are, in a few words: 'a little black crow', 'an old wise owl', "
        "'a king with a grey beard'. Read for the voice (when `voice` is not set) and the "
        "picture.",
    )
    species: str | None = Field(
        None,
        min_length=1,
        max_length=40,
        description="'human' or an animal noun ('crow', 'owl', 'elephant'); default: inferred.",
    )
    sex: Literal["female", "male"] | None = Field(
        None, description="female or male; default: inferred from the name, look and script."
    )
    age: CharacterAge | None = Field(
        None,
        description="baby, toddler, child, pre-teen, young-adult, adult or mature; "
        "default: inferred from the name, look and script.",
    )
    image: Path | None = Field(None, description="Portrait shown while the character speaks.")
    color: str | None = Field(None, description="Accent colour for generated portraits.")
    mouth: list[int] | None = Field(
        None,
        min_length=4,
        max_length=4,
        description="Where the mouth is in `image`: [left, top, right, bottom] in its pixels "
        "(for lip-sync when the face detector misses it).",
    )

    @field_validator("color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        return None if value is None else _check_color(value)

    # Set by casting (aifilm.cast.casting): which of the characters sharing this preset.
    _variant: int = PrivateAttr(default=0)

    @property
    def variant(self) -> int:
        """Index among this film's characters with the same voice preset (0 for most)."""
        return self._variant

    @field_validator("species")
    @classmethod
    def _species(cls, value: str | None) -> str | None:
        # Stored as the identity uses it: one lower-case singular noun.
        return None if value is None else value.strip().casefold()

    @field_validator("mouth")
    @classmethod
    def _mouth(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and not (0 <= value[0] < value[2] and 0 <= value[1] < value[3]):
            raise ValueError(
                f"mouth {value} is not a box: give [left, top, right, bottom] in the image's "
                "pixels, left < right and top < bottom"
            )
        return value

    @model_validator(mode="after")
    def _mouth_needs_image(self) -> Character:
        if self.mouth is not None and self.image is None:
            raise ValueError("'mouth' is a box in the character's 'image'; give 'image' too")
        return self


class Music(StrictModel):
    """Background music: a genre the music backend plays, or a file."""

    genre: str | None = Field(None, description="One of: " + ", ".join(GENRE_IDS))
    file: Path | None = Field(None, description="An audio file to use instead of a genre.")
    volume: float = Field(0.35, ge=0.0, le=1.0, description="Music level relative to speech.")
    duck: bool = Field(True, description="Lower the music while someone speaks.")
    seed: int = 0
    tempo: int | None = Field(None, ge=40, le=200, description="Beats per minute override.")

    @field_validator("genre")
    @classmethod
    def _genre(cls, value: str | None) -> str | None:
        return None if value is None else _check_choice("genre", value, GENRE_IDS)

    @model_validator(mode="after")
    def _one_source(self) -> Music:
        if self.genre and self.file:
            raise ValueError("give either 'genre' or 'file', not both")
        if not self.genre and not self.file:
            raise ValueError("music needs a 'genre' (e.g. ambient) or a 'file'")
        return self


class PodcastOptions(StrictModel):
    """How a podcast (`mode: podcast`) looks and flows: format, title cards, highlight, gaps."""

    format: Literal["interview", "debate", "narrator-character"] = Field(
        "interview",
        description="interview or debate: the named hosts have panels and narration shows no "
        "highlight; narrator-character: the narrator gets a panel of its own too.",
    )
    intro: bool = Field(True, description="Open with a title card.")
    intro_text: str | None = Field(None, description="Text of the intro card (default: title).")
    outro: bool = Field(True, description="Close with a title card.")
    outro_text: str | None = Field(None, description="Text of the outro card (default: title).")
    highlight: Literal["glow", "border"] = Field(
        "glow",
        description="glow: the speaker's panel grows a little, with a glowing border; "
        "border: a coloured border only. The others are dimmed either way.",
    )
    highlight_color: str | None = Field(
        None, description="Colour of the highlight (default: the speaker's colour, else amber)."
    )
    gap: float = Field(0.25, ge=0.0, le=3.0, description="Seconds of silence between turns.")
    overlap: float = Field(
        0.6, ge=0.1, le=3.0, description="Seconds an interrupting turn cuts into the one before."
    )
    narrator_name: str = Field(
        "Narrator", min_length=1, max_length=60, description="Label of the narrator's panel."
    )

    @field_validator("highlight_color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        return None if value is None else _check_color(value)


class Line(StrictModel):
    """One spoken line: a speaker (None for the narrator) and the words."""

    speaker: str | None = None
    text: str = Field(min_length=1)
    translations: dict[str, str] = Field(default_factory=dict)


def _dialogue_item(item: dict[str, str]) -> dict[str, str]:
    """`{Speaker: text}`, then optionally translations: `{Crow: ..., hi: ..., en: ...}`."""
    if not item:
        raise ValueError("a dialogue item is one 'Speaker: text' pair, e.g. '- Crow: I am thirsty'")
    speaker, *languages = item
    if not str(item[speaker]).strip():
        raise ValueError("a dialogue line is empty")
    for key in languages:
        if key not in LANGUAGE_CODES:
            raise PydanticCustomError(
                "dialogue_language",
                "'{key}' is not a language code: a dialogue item is 'Speaker: text' followed "
                "only by translations ('hi: ...'); {detail}",
                {"key": key, "detail": choice_error("language", key, LANGUAGE_CODES)},
            )
        if not str(item[key]).strip():
            raise PydanticCustomError(
                "empty_translation",
                "the {key} translation is empty; remove it or write the text",
                {"key": key},
            )
    return item


DialogueItem = Annotated[dict[str, str], AfterValidator(_dialogue_item)]


class Shot(StrictModel):
    """A stretch of film with one picture: its words, its visual and its motion."""

    narration: str | None = Field(None, description="Words the narrator speaks over this shot.")
    dialogue: list[DialogueItem] | None = Field(
        None,
        description="Lines as a list of {Speaker: text}, spoken in order; further keys of an "
        "item are its translations: {Crow: I am thirsty, hi: ...}.",
    )
    translations: Annotated[Translations, AfterValidator(_check_translations)] = Field(
        default_factory=dict,
        description="The narration in other languages, for subtitles: {en: ..., hi: ...}.",
    )
    image: Path | None = None
    color: str | None = None
    title: str | None = Field(None, description="Text of a title card shown in this shot.")
    prompt: str | None = Field(None, description="A picture description for an AI visual backend.")
    show: str | None = Field(None, description="Name of the character whose image to show.")
    keywords: list[str] | None = Field(
        None,
        description="Words that pick this shot's illustrated picture, before its own words: "
        "[pot, pebble, forest].",
    )
    camera: str = "auto"
    transition: str = Field("crossfade", description="How this shot gives way to the next.")
    duration: float | None = Field(None, gt=0, le=120, description="Minimum seconds on screen.")
    interrupt: bool = Field(
        False, description="Podcast mode: cut into the end of the previous turn (overlapping)."
    )

    @field_validator("camera")
    @classmethod
    def _camera(cls, value: str) -> str:
        return _check_choice("camera motion", value, tuple(CAMERA_MOTIONS))

    @field_validator("transition")
    @classmethod
    def _transition(cls, value: str) -> str:
        return _check_choice("transition", value, tuple(TRANSITIONS))

    @field_validator("color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        return None if value is None else _check_color(value)

    @field_validator("narration", "title", "prompt")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("is empty; remove the key or write some text")
        return value

    @model_validator(mode="after")
    def _has_content(self) -> Shot:
        has_visual = any(v is not None for v in (self.image, self.color, self.title, self.prompt))
        if not (self.narration or self.dialogue or has_visual or self.duration):
            raise ValueError(
                "a shot needs narration, dialogue, a visual (image, color, title, prompt) "
                "or a duration"
            )
        if self.translations and not self.narration:
            raise ValueError(
                "'translations' of a shot translate its narration, and this shot has none; "
                "a dialogue line's translations go in its item: '- Crow: ...' then '  hi: ...'"
            )
        return self

    @property
    def lines(self) -> list[Line]:
        """The shot's spoken lines in order, narration first."""
        out: list[Line] = []
        if self.narration:
            out.append(
                Line(
                    speaker=None,
                    text=self.narration.strip(),
                    translations={k: v.strip() for k, v in self.translations.items()},
                )
            )
        for item in self.dialogue or []:
            speaker, *languages = item
            out.append(
                Line(
                    speaker=speaker,
                    text=str(item[speaker]).strip(),
                    translations={k: str(item[k]).strip() for k in languages},
                )
            )
        return out


class Scene(StrictModel):
    """A group of shots sharing a place: a title and a background."""

    title: str | None = None
    background: Path | None = Field(None, description="Image behind narration in this scene.")
    color: str | None = Field(None, description="Background colour when there is no image.")
    shots: list[Shot] = Field(min_length=1)

    @field_validator("color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        return None if value is None else _check_color(value)


BackendChoice = Annotated[
    str | dict[str, Any],
    Field(description="A backend name, or {name: ..., options: {...}}"),
]


class Project(StrictModel):
    """A whole film: title, language, length, look, cast, music and script."""

    title: str = Field(min_length=1, max_length=100)
    description: str | None = None
    language: str = Field("en", description="Language of the script and its voices.")
    duration: float | None = Field(
        None,
        description="Target length: seconds, '90s', '2m', or 'auto' (as long as the script).",
    )
    mode: Literal["film", "podcast"] = Field(
        "film", description="film: a shot per line; podcast: the hosts on a split screen."
    )
    podcast: PodcastOptions = Field(
        default_factory=PodcastOptions, description="Podcast mode's options."
    )
    output: Output = Field(default_factory=Output)
    narrator: Voice = Field(default_factory=lambda: Voice(voice="mature"))
    characters: list[Character] = Field(default_factory=list)
    music: Music | None = None
    script: str | None = Field(None, description="An inline script (NAME: line, [Scene: ...]).")
    script_file: Path | None = Field(None, description="A .fountain or plain-text script file.")
    scenes: list[Scene] = Field(default_factory=list)
    backends: dict[str, BackendChoice] = Field(
        default_factory=dict, description="Backend per stage, e.g. {voice: espeak}."
    )

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _source: Path | None = PrivateAttr(default=None)
    _sources: dict[tuple[int, int], str] = PrivateAttr(default_factory=dict)
    _line_sources: dict[tuple[int, int, int], str] = PrivateAttr(default_factory=dict)
    # Things worth saying about the file that do not stop it loading (plan and render show them).
    _load_warnings: list[str] = PrivateAttr(default_factory=list)
    # A part of a longer script (--scenes, --episodes): the whole project it was cut from.
    _whole: Project | None = PrivateAttr(default=None)
    # Scene index -> the script's act (a Fountain `# ACT ONE` section) it belongs to.
    _sections: dict[int, str] = PrivateAttr(default_factory=dict)

    @classmethod
    def load(
        cls, path: str | Path, *, language: str | None = None, mode: str | None = None
    ) -> Project:
        """Load and check a `project.yaml` or a bare script file (.fountain, .txt).

        `mode` ("film" or "podcast") overrides the file's.
        """
        from aifilm.spec.loader import load_project

        return load_project(path, language=language, mode=mode)

    @property
    def base_dir(self) -> Path:
        """The folder that relative paths in the spec are read from."""
        return self._base_dir

    def _repr_html_(self) -> str:
        """In a notebook: the title, the cast with pictures, the shots as planned."""
        from aifilm.notebook import project_html

        return project_html(self)

    @property
    def source(self) -> Path | None:
        """The file this project was loaded from, if any."""
        return self._source

    def resolve(self, path: Path) -> Path:
        """An asset path from the spec, made absolute against the project folder."""
        return (self._base_dir / path.expanduser()).resolve()

    def shot_source(self, scene: int, shot: int) -> str | None:
        """`file:line` where a shot was written, for messages."""
        return self._sources.get((scene, shot))

    def line_source(self, scene: int, shot: int, line: int) -> str | None:
        """`file:line` where a spoken line was written (else its shot's), for messages."""
        return self._line_sources.get((scene, shot, line)) or self.shot_source(scene, shot)

    @property
    def whole(self) -> Project:
        """The whole project this one was cut from (`--scenes`, `--episodes`), else itself."""
        return self._whole or self

    @property
    def load_warnings(self) -> list[str]:
        """Warnings about the files, found while loading (e.g. the script's language)."""
        return self._load_warnings

    @property
    def scene_sections(self) -> dict[int, str]:
        """The act (top-level Fountain section) of each scene that has one, by scene index."""
        return self._sections

    @property
    def speaking_characters(self) -> list[Character]:
        """Characters that speak at least one line."""
        spoken = {
            line.speaker.casefold()
            for sc in self.scenes
            for sh in sc.shots
            for line in sh.lines
            if line.speaker
        }
        return [c for c in self.characters if c.name.casefold() in spoken]

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return _check_choice("language", value, LANGUAGE_CODES)

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float | None:
        seconds = parse_duration(value)
        if seconds is not None and not (MIN_DURATION_S <= seconds <= MAX_DURATION_S):
            raise ValueError(
                f"{seconds:g} s is outside {MIN_DURATION_S:g} s to {MAX_DURATION_S / 60:g} min"
            )
        return seconds

    @model_validator(mode="after")
    def _cast(self) -> Project:
        names = [c.name for c in self.characters]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"character names must be unique; repeated: {', '.join(dupes)}")
        return self

    @model_validator(mode="after")
    def _burn_language(self) -> Project:
        subs = self.output.subtitles
        if subs.burn_language and subs.languages is None and subs.burn_language != self.language:
            raise ValueError(
                f"output.subtitles.burn_language '{subs.burn_language}' is not a subtitle "
                f"language; list it in output.subtitles.languages (e.g. [{self.language}, "
                f"{subs.burn_language}])"
            )
        return self

    @property
    def subtitle_languages(self) -> list[str]:
        """Subtitle languages to make, main first: `output.subtitles.languages`, or the film's."""
        return list(self.output.subtitles.languages or [self.language])

    @property
    def burn_language(self) -> str:
        """The subtitle language drawn into the picture."""
        return self.output.subtitles.burn_language or self.subtitle_languages[0]

    def character(self, name: str) -> Character | None:
        """The character with that name (case-insensitive), if any."""
        for char in self.characters:
            if char.name.casefold() == name.casefold():
                return char
        return None
