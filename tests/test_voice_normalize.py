"""Money, dates, times, years and titles written as they are said, per language, with each
spoken character still pointing at the written character it comes from."""

from __future__ import annotations

import pytest

from aifilm.pipeline.voice.kokoro_g2p import phonemize
from aifilm.pipeline.voice.normalize import speakable


@pytest.mark.parametrize(
    ("language", "written", "spoken"),
    [
        ("en", "It costs $5.50 today.", "It costs 5 dollars and 50 cents today."),
        ("en", "Only $1 left.", "Only 1 dollar left."),
        ("en", "Pay €20 or £3.", "Pay 20 euros or 3 pounds."),
        ("en", "Meet Dr. Smith at 3:00.", "Meet Doctor Smith at 3 o'clock."),
        ("en", "Due 12/05/2024.", "Due December 5, 20 24."),
        ("en", "Born in 1990, moved in 2005.", "Born in 19 90, moved in 2005."),
        ("en", "Since 1905 it stood.", "Since 19 oh 5 it stood."),
        ("hi", "₹15,000 दीजिए", "15000 रुपये दीजिए"),
        ("hi", "डॉ. शर्मा 12/05/2024 को", "डॉक्टर शर्मा 12 मई 2024 को"),
        ("es", "Son 20 € y la Sra. López", "Son 20 euros y la señora López"),
        ("es", "el 12/05/2024", "el 12 de mayo de 2024"),
        ("fr", "à 3h30, M. Dupont", "à 3 heures 30, monsieur Dupont"),
        ("fr", "Ça coûte 15 000 €", "Ça coûte 15000 euros"),
        ("pt", "Custa R$ 15.000,50", "Custa 15000 reais e 50 centavos"),
        ("it", "Costa 15.000 €, Dott. Rossi", "Costa 15000 euro, dottor Rossi"),
        ("de", "Es kostet 5 €.", "Es kostet 5 €."),  # no table: left to espeak
    ],
)
def test_written_forms_become_spoken(language: str, written: str, spoken: str) -> None:
    text, index = speakable(written, language)
    assert text == spoken
    assert len(index) == len(text)
    assert index == sorted(index) and all(0 <= i < len(written) for i in index)


def test_each_spoken_character_points_into_its_written_word() -> None:
    written = "Pay $5.50 now"
    text, index = speakable(written, "en")
    dollars = text.index("dollars")
    assert written[index[dollars]] == "$"
    assert written[index[text.index("now")]] == "n"
    cents = text.index("cents")
    assert 4 <= index[cents] <= 8  # inside "$5.50"


def test_kokoro_phonemes_keep_the_written_words() -> None:
    words = phonemize("Pay $5.50, Dr. Lee.", "en")
    spans = ["Pay $5.50, Dr. Lee."[w.start : w.end] for w in words]
    assert spans == ["Pay", "$5.50,", "Dr.", "Lee."]
    money = "".join(words[1].phonemes)
    assert "dˈɑːlɚz" in money and "sˈɛnts" in money, money
    assert words[1].mark == ","
    assert "dˈɑːktɚ" in "".join(words[2].phonemes)
