"""The built-in backends, registered through the same entry-point hook as plug-ins."""

from __future__ import annotations

from collections.abc import Callable

from aifilm.pipeline.backend import Backend
from aifilm.pipeline.registry import hookimpl


@hookimpl
def register_backends(register: Callable[[type[Backend]], None]) -> None:
    """Register every backend shipped with aifilm; imports stay inside so startup is cheap."""
    from aifilm.pipeline.compose.ffmpeg import FFmpegComposer
    from aifilm.pipeline.lipsync.sadtalker import SadTalkerLipSync
    from aifilm.pipeline.lipsync.visemes import VisemeLipSync
    from aifilm.pipeline.lipsync.wav2lip import Wav2LipLipSync
    from aifilm.pipeline.llm.anthropic_chat import AnthropicChat
    from aifilm.pipeline.llm.gemini import GeminiChat
    from aifilm.pipeline.llm.openai_chat import OpenAIChat
    from aifilm.pipeline.music.midi import MidiMusic
    from aifilm.pipeline.music.musicgen import MusicGen
    from aifilm.pipeline.translate.deepl import DeepLTranslate
    from aifilm.pipeline.translate.google import GoogleTranslate
    from aifilm.pipeline.translate.spec import SpecTranslations
    from aifilm.pipeline.visuals.comfyui import ComfyUIImages
    from aifilm.pipeline.visuals.diffusion_image import DiffusionImage
    from aifilm.pipeline.visuals.diffusion_video import DiffusionVideo
    from aifilm.pipeline.visuals.openai_images import OpenAIImages
    from aifilm.pipeline.visuals.pexels import PexelsPhotos
    from aifilm.pipeline.visuals.pexels_video import PexelsVideos
    from aifilm.pipeline.visuals.pixabay import PixabayPhotos
    from aifilm.pipeline.visuals.pixabay_video import PixabayVideos
    from aifilm.pipeline.visuals.replicate import ReplicateImages
    from aifilm.pipeline.visuals.replicate_video import ReplicateVideo
    from aifilm.pipeline.visuals.runway import RunwayVideo
    from aifilm.pipeline.visuals.stability import StabilityImages
    from aifilm.pipeline.visuals.stills import Stills
    from aifilm.pipeline.voice.coqui import CoquiVoice
    from aifilm.pipeline.voice.elevenlabs import ElevenLabsVoice
    from aifilm.pipeline.voice.espeak import EspeakVoice
    from aifilm.pipeline.voice.google_tts import GoogleVoice
    from aifilm.pipeline.voice.kokoro import KokoroVoice
    from aifilm.pipeline.voice.openai_tts import OpenAIVoice
    from aifilm.pipeline.voice.piper import PiperVoice

    for backend in (
        KokoroVoice, EspeakVoice, ElevenLabsVoice, OpenAIVoice, GoogleVoice,
        MidiMusic, Stills, FFmpegComposer,
        SpecTranslations, GoogleTranslate, DeepLTranslate, DiffusionImage, DiffusionVideo, MusicGen,
        PiperVoice, CoquiVoice,
        VisemeLipSync, Wav2LipLipSync, SadTalkerLipSync,
        OpenAIChat, AnthropicChat, GeminiChat, PexelsPhotos, PixabayPhotos,
        OpenAIImages, PexelsVideos, PixabayVideos, StabilityImages, ReplicateImages,
        ReplicateVideo, RunwayVideo, ComfyUIImages,
    ):  # fmt: skip
        register(backend)
