"""A toy Coqui VITS checkpoint, built from a small config with random weights and saved as
Coqui saves checkpoints (config.json + model.pth + speakers.json), so the backend loads it
through ``TTS.api.TTS`` exactly as a downloaded model."""

from __future__ import annotations

import json
from pathlib import Path

RATE = 16000
SPEAKERS = ("p225", "p226", "p227", "p232", "p255", "p305", "p308", "p336")


def tiny_vits(folder: Path, *, licence: str | None = "apache 2.0") -> Path:
    """Write a tiny multi-speaker English VITS (graphemes, no phonemizer) into `folder`."""
    import torch
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models import setup_model

    folder.mkdir(parents=True, exist_ok=True)
    speakers = folder / "speakers.json"
    speakers.write_text(json.dumps({name: i for i, name in enumerate(SPEAKERS)}))
    args = VitsArgs(
        hidden_channels=16,
        hidden_channels_ffn_text_encoder=32,
        num_layers_text_encoder=1,
        num_layers_flow=1,
        num_layers_posterior_encoder=1,
        resblock_type_decoder="2",
        resblock_kernel_sizes_decoder=[3],
        resblock_dilation_sizes_decoder=[[1, 3]],
        upsample_rates_decoder=[8, 8, 4],  # product = hop_length
        upsample_initial_channel_decoder=16,
        upsample_kernel_sizes_decoder=[16, 16, 8],
        use_speaker_embedding=True,
        speaker_embedding_channels=8,
        speakers_file=str(speakers),
        init_discriminator=False,
    )
    config = VitsConfig(
        model_args=args,
        use_phonemes=False,
        text_cleaner="english_cleaners",
        speakers_file=str(speakers),
        characters=CharactersConfig(
            characters_class="TTS.tts.models.vits.VitsCharacters",
            pad="<PAD>",
            eos="<EOS>",
            bos="<BOS>",
            blank="<BLNK>",
            characters="abcdefghijklmnopqrstuvwxyz",
            punctuations=" !',.?-",
            phonemes=None,
        ),
        audio=BaseAudioConfig(
            sample_rate=RATE, hop_length=256, win_length=1024, fft_size=1024, num_mels=80
        ),
    )
    torch.manual_seed(0)
    model = setup_model(config)
    data = config.to_dict()
    if licence:
        data["license"] = licence
    (folder / "config.json").write_text(json.dumps(data, indent=2))
    torch.save({"model": model.state_dict(), "config": config.to_dict()}, folder / "model.pth")
    return folder


XTTS_RATE = 24000


def tiny_xtts(folder: Path) -> Path:
    """Write a tiny XTTS checkpoint folder (config.json, model.pth, vocab.json) as Coqui
    publishes XTTS-v2: a small GPT over a character vocabulary; the HiFi-GAN decoder and the
    speaker encoder keep their fixed published sizes (about 90 MB of random weights)."""
    import torch
    from tokenizers import Tokenizer
    from tokenizers.models import BPE
    from tokenizers.pre_tokenizers import Whitespace
    from TTS.tts.configs.xtts_config import XttsConfig
    from TTS.tts.models.xtts import Xtts, XttsArgs, XttsAudioConfig

    folder.mkdir(parents=True, exist_ok=True)
    specials = ["[STOP]", "[UNK]", "[SPACE]", "[START]", "[en]"]
    vocab = {t: i for i, t in enumerate(specials + list("abcdefghijklmnopqrstuvwxyz.,!?'-"))}
    tokenizer = Tokenizer(BPE(vocab=vocab, merges=[], unk_token="[UNK]"))
    tokenizer.add_special_tokens(specials)
    tokenizer.pre_tokenizer = Whitespace()
    tokenizer.save(str(folder / "vocab.json"))
    args = XttsArgs(
        gpt_layers=1,
        gpt_n_model_channels=32,
        gpt_n_heads=2,
        gpt_number_text_tokens=len(vocab),
        gpt_start_text_token=vocab["[START]"],
        gpt_stop_text_token=vocab["[STOP]"],
        gpt_num_audio_tokens=34,
        gpt_start_audio_token=32,
        gpt_stop_audio_token=33,
        gpt_max_audio_tokens=24,  # random weights rarely stop: keep generation short
        gpt_max_text_tokens=200,
        gpt_max_prompt_tokens=16,
        decoder_input_dim=32,
        gpt_use_perceiver_resampler=True,
        tokenizer_file=str(folder / "vocab.json"),
    )
    config = XttsConfig(model_args=args, audio=XttsAudioConfig(), languages=["en"])
    torch.manual_seed(0)
    model = Xtts(config)
    config.save_json(str(folder / "config.json"))
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    return folder
