"""Which picture a story word names: a curated word -> Fluent Emoji table.

Plain emoji keyword matching is wrong for story nouns (a "pot" would be a honey pot,
a "palace" a guard), so the table is written by hand for the words stories, explainers
and devotional films use. English words are matched in their singular and plural
forms; Hindi words (the examples' language besides English) as written. Words neither
table knows are looked up in CLDR's emoji names (English and ten Indian languages). In a
French, Spanish, Portuguese, Italian, German, Russian, Arabic or Mandarin film, that
language's CLDR names and the curated nouns translated into it (`translated.py`) are looked
up too, with plural and case endings taken off; Mandarin is cut into words by jieba. In a
Japanese film, the words are cut out by the longest known word (`japanese.py`); Arabic is
read without vowel marks and what is joined to a word (`arabic.py`). A film in Hindi,
Tamil, Telugu, Kannada, Malayalam, Bengali, Marathi, Gujarati or Punjabi looks up the
curated nouns in that language (`indian_nouns.py`), with its case endings taken off. A
user's `keywords:` on a shot are looked up the same way, first.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources

from aifilm.draw import arabic, indian_nouns, japanese, translated
from aifilm.draw.translated import AMBIGUOUS
from aifilm.pipeline.subtitles.phrases import chinese_words
from aifilm.spec.vocabulary import base_language

# word -> asset name (a file in assets/fluent/, without ".svg")
# fmt: off
NOUNS: dict[str, str] = {
    # birds
    "crow": "blackbird", "raven": "blackbird", "blackbird": "blackbird", "bird": "bird",
    "sparrow": "bird", "owl": "owl", "eagle": "eagle", "hawk": "eagle", "parrot": "parrot",
    "peacock": "peacock", "swan": "swan", "duck": "duck", "goose": "goose", "dove": "dove",
    "pigeon": "dove", "hen": "chicken", "chicken": "chicken", "rooster": "rooster",
    "cock": "rooster", "chick": "baby-chick", "penguin": "penguin", "flamingo": "flamingo",
    "turkey": "turkey", "nest": "nest-with-eggs", "feather": "feather", "egg": "egg",
    "phoenix": "phoenix-bird", "dodo": "dodo", "wing": "wing",
    # animals
    "elephant": "elephant", "lion": "lion", "lioness": "lion", "tiger": "tiger",
    "leopard": "leopard", "monkey": "monkey", "ape": "gorilla", "gorilla": "gorilla",
    "orangutan": "orangutan", "bear": "bear", "panda": "panda", "koala": "koala",
    "fox": "fox", "jackal": "fox", "wolf": "wolf", "dog": "dog", "puppy": "dog",
    "cat": "cat", "kitten": "cat", "mouse": "mouse", "mice": "mouse", "rat": "rat",
    "rabbit": "rabbit", "hare": "rabbit", "bunny": "rabbit", "squirrel": "chipmunk",
    "chipmunk": "chipmunk", "hedgehog": "hedgehog", "deer": "deer", "stag": "deer",
    "cow": "cow", "calf": "cow", "bull": "ox", "ox": "ox", "buffalo": "water-buffalo",
    "goat": "goat", "sheep": "ewe", "lamb": "ewe", "ram": "ram", "pig": "pig",
    "boar": "boar", "horse": "horse", "pony": "horse", "donkey": "donkey",
    "camel": "camel", "giraffe": "giraffe", "zebra": "zebra", "rhino": "rhinoceros",
    "rhinoceros": "rhinoceros", "hippo": "hippopotamus", "hippopotamus": "hippopotamus",
    "kangaroo": "kangaroo", "sloth": "sloth", "otter": "otter", "beaver": "beaver",
    "raccoon": "raccoon", "bat": "bat", "badger": "badger", "skunk": "skunk",
    "llama": "llama", "bison": "bison", "moose": "moose", "mammoth": "mammoth",
    "unicorn": "unicorn", "dragon": "dragon", "dinosaur": "t-rex", "t-rex": "t-rex",
    "tortoise": "turtle", "turtle": "turtle", "snake": "snake", "serpent": "snake",
    "cobra": "snake", "crocodile": "crocodile", "alligator": "crocodile",
    "lizard": "lizard", "frog": "frog", "toad": "frog", "fish": "fish", "goldfish": "tropical-fish",
    "shark": "shark", "whale": "spouting-whale", "dolphin": "dolphin", "octopus": "octopus",
    "crab": "crab", "lobster": "lobster", "shrimp": "shrimp", "squid": "squid",
    "jellyfish": "jellyfish", "shell": "spiral-shell", "snail": "snail",
    "ant": "ant", "bee": "honeybee", "honeybee": "honeybee", "butterfly": "butterfly",
    "caterpillar": "bug", "bug": "bug", "beetle": "beetle", "ladybird": "lady-beetle",
    "ladybug": "lady-beetle", "spider": "spider", "mosquito": "mosquito", "worm": "worm",
    "scorpion": "scorpion", "cricket": "cricket", "polar": "polar-bear",
    # plants and nature
    "tree": "deciduous-tree", "banyan": "deciduous-tree", "oak": "deciduous-tree",
    "mango": "mango", "pine": "evergreen-tree", "palm": "palm-tree", "coconut": "coconut",
    "forest": "evergreen-tree", "jungle": "palm-tree", "wood": "wood", "log": "wood",
    "leaf": "leaf-fluttering-in-wind", "leaves": "leaf-fluttering-in-wind",
    "flower": "blossom", "blossom": "blossom", "tulip": "tulip",
    "sunflower": "sunflower", "lotus": "lotus", "hibiscus": "hibiscus",
    "marigold": "sunflower", "garden": "potted-plant", "plant": "potted-plant",
    "seed": "seedling", "seedling": "seedling", "sprout": "seedling", "grass": "herb",
    "herb": "herb", "cactus": "cactus", "mushroom": "mushroom", "clover": "four-leaf-clover",
    "rice": "sheaf-of-rice", "wheat": "sheaf-of-rice", "crop": "sheaf-of-rice",
    "harvest": "sheaf-of-rice", "corn": "ear-of-corn", "field": "sheaf-of-rice",
    "rock": "rock", "stone": "rock", "pebble": "rock", "boulder": "rock",
    "mountain": "mountain", "hill": "mountain", "volcano": "volcano",
    "snow": "snowflake", "ice": "ice", "desert": "desert", "island": "desert-island",
    "beach": "beach-with-umbrella", "sea": "water-wave", "ocean": "water-wave",
    "wave": "water-wave", "tide": "water-wave", "river": "water-wave", "lake": "water-wave",
    "pond": "water-wave", "water": "droplet", "drop": "droplet", "droplet": "droplet",
    "raindrop": "droplet", "vapour": "cloud", "vapor": "cloud", "steam": "cloud", "fog": "fog",
    "mist": "cloud", "rain": "cloud-with-rain", "storm": "cloud-with-lightning-and-rain",
    "thunder": "cloud-with-lightning", "lightning": "high-voltage", "cloud": "cloud",
    "wind": "wind-face", "tornado": "tornado", "cyclone": "cyclone", "rainbow": "rainbow",
    "sun": "sun", "sunshine": "sun", "sunlight": "sun", "sunrise": "sunrise",
    "sunset": "sunset", "dawn": "sunrise", "heat": "fire", "fire": "fire", "flame": "fire",
    "moon": "full-moon", "crescent": "crescent-moon", "star": "star", "stars": "glowing-star",
    "sky": "cloud", "planet": "ringed-planet", "saturn": "ringed-planet",
    "earth": "globe-showing-asia-australia", "world": "globe-showing-asia-australia",
    "globe": "globe-showing-asia-australia", "comet": "comet", "galaxy": "milky-way",
    "space": "milky-way", "crater": "new-moon", "footprint": "footprints",
    "footprints": "footprints", "night": "crescent-moon", "nights": "crescent-moon",
    # places and buildings
    "house": "house", "home": "house-with-garden", "hut": "hut", "cottage": "house-with-garden",
    "village": "houses", "town": "houses", "city": "cityscape", "palace": "castle",
    "castle": "castle", "fort": "castle", "kingdom": "castle", "temple": "hindu-temple",
    "mandir": "hindu-temple", "shrine": "hindu-temple", "church": "church",
    "mosque": "mosque", "school": "school", "classroom": "school", "hospital": "hospital",
    "shop": "convenience-store", "market": "shopping-cart",
    "office": "office-building", "factory": "factory", "farm": "tractor",
    "bridge": "bridge-at-night", "tent": "tent", "camp": "camping", "fountain": "fountain",
    "stadium": "stadium", "road": "motorway", "door": "door",
    "window": "window", "ladder": "ladder",
    # things
    "pot": "amphora", "pitcher": "amphora", "jar": "amphora", "jug": "amphora",
    "vase": "amphora", "bucket": "bucket", "bowl": "bowl-with-spoon",
    "cup": "teacup-without-handle",
    "tea": "hot-beverage", "coffee": "hot-beverage", "glass": "glass-of-milk",
    "milk": "glass-of-milk", "bottle": "baby-bottle", "basket": "basket",
    "box": "package", "gift": "wrapped-gift", "key": "old-key",
    "lock": "locked", "coin": "coin", "coins": "coin", "gold": "coin", "money": "money-bag",
    "treasure": "gem-stone", "gem": "gem-stone", "jewel": "gem-stone", "diamond": "gem-stone",
    "ring": "ring", "crown": "crown", "throne": "crown", "sword": "crossed-swords",
    "shield": "shield", "arrow": "bow-and-arrow", "axe": "axe",
    "hammer": "hammer", "boat": "sailboat",
    "ship": "ship", "canoe": "canoe", "car": "automobile", "bus": "bus", "train": "locomotive",
    "bicycle": "bicycle", "bike": "bicycle", "plane": "airplane", "aeroplane": "airplane",
    "airplane": "airplane", "rocket": "rocket", "astronaut": "astronaut",
    "telescope": "telescope", "satellite": "satellite", "book": "open-book",
    "books": "books", "story": "open-book", "letter": "envelope", "pen": "pen",
    "pencil": "pencil", "paper": "page-facing-up", "map": "world-map", "scroll": "scroll",
    "clock": "alarm-clock", "time": "hourglass-not-done", "hourglass": "hourglass-not-done",
    "bell": "bell", "drum": "drum", "flute": "flute", "music": "musical-notes",
    "song": "musical-notes", "sing": "musical-notes", "guitar": "guitar",
    "violin": "violin", "trumpet": "trumpet", "microphone": "studio-microphone",
    "podcast": "studio-microphone", "radio": "radio", "television": "television",
    "tv": "television", "phone": "mobile-phone", "computer": "laptop", "laptop": "laptop",
    "robot": "robot", "camera": "camera", "film": "film-frames", "movie": "clapper-board",
    "idea": "light-bulb", "bulb": "light-bulb", "light": "light-bulb", "lamp": "diya-lamp",
    "diya": "diya-lamp", "candle": "candle", "lantern": "red-paper-lantern",
    "umbrella": "umbrella-with-rain-drops", "kite": "kite", "ball": "soccer-ball",
    "balloon": "balloon", "toy": "teddy-bear", "game": "game-die", "puzzle": "puzzle-piece",
    "magnet": "magnet", "microscope": "microscope", "atom": "atom-symbol", "dna": "dna",
    "science": "test-tube", "experiment": "test-tube", "brain": "brain", "mind": "brain",
    "heart": "red-heart", "love": "red-heart", "bed": "bed", "chair": "chair",
    "bench": "seat", "mirror": "mirror", "candy": "candy", "bread": "bread",
    "roti": "flatbread", "cake": "birthday-cake", "apple": "red-apple",
    "banana": "banana", "grapes": "grapes", "grape": "grapes", "lemon": "lemon",
    "carrot": "carrot", "potato": "potato", "food": "pot-of-food",
    "meal": "pot-of-food", "curry": "curry-rice", "honey": "honey-pot", "cheese": "cheese-wedge",
    "peanut": "peanuts", "nut": "chestnut", "berry": "strawberry", "berries": "strawberry",
    "watermelon": "watermelon", "pumpkin": "jack-o-lantern", "shoe": "running-shoe",
    "hat": "top-hat", "dress": "dress", "sari": "sari", "cloth": "thread",
    "medicine": "pill", "doctor": "stethoscope", "trophy": "trophy", "medal": "sports-medal",
    "race": "chequered-flag", "flag": "triangular-flag",
    "chart": "chart-increasing", "growth": "chart-increasing", "graph": "bar-chart",
    "question": "red-question-mark", "answer": "light-bulb", "fact": "light-bulb",
    "facts": "light-bulb", "thought": "thought-balloon",
    "think": "thought-balloon", "dream": "thought-balloon", "sleep": "zzz", "nap": "zzz",
    "thirsty": "droplet", "thirst": "droplet", "drink": "droplet", "pull": "magnet",
    "gravity": "magnet", "distance": "straight-ruler", "centimetre": "straight-ruler",
    "centimetres": "straight-ruler", "cycle": "counterclockwise-arrows-button",
    "party": "party-popper", "festival": "fireworks", "diwali": "diya-lamp",
    "fireworks": "fireworks", "gold-coin": "coin",
    # devotion
    "om": "om", "prayer": "folded-hands", "pray": "folded-hands", "mantra": "om",
    "god": "om", "divine": "sparkles", "radiance": "sun", "radiant": "sun",
    "meditate": "person-in-lotus-position", "meditation": "person-in-lotus-position",
    "yoga": "person-in-lotus-position", "peace": "dove", "bead": "prayer-beads",
    "beads": "prayer-beads", "incense": "candle", "bell-temple": "bell",
    "wisdom": "owl", "guide": "compass", "path": "footprints", "breath": "wind-face",
    "joy": "sparkles", "sorrow": "crying-face", "soul": "sparkles", "spirit": "sparkles",
    "heaven": "cloud", "sky-god": "sun",
}
# fmt: on

# Hindi (and Sanskrit) words as written, for films with no English translation.
# fmt: off
HINDI: dict[str, str] = {
    "कौआ": "blackbird", "कौवा": "blackbird", "उल्लू": "owl", "हाथी": "elephant",
    "शेर": "lion", "बाघ": "tiger", "बंदर": "monkey", "गाय": "cow", "मछली": "fish",
    "पानी": "droplet", "जल": "droplet", "बारिश": "cloud-with-rain", "वर्षा": "cloud-with-rain",
    "बादल": "cloud", "बादलों": "cloud", "सूरज": "sun", "सूर्य": "sun", "सवितुर्": "sun",
    "चाँद": "full-moon", "चंद्रमा": "full-moon", "तारे": "glowing-star", "नदी": "water-wave",
    "नदियों": "water-wave", "समुद्र": "water-wave", "भाप": "cloud", "बूंदें": "droplet",
    "बूंद": "droplet", "हवा": "wind-face", "पेड़": "deciduous-tree", "जंगल": "evergreen-tree",
    "फूल": "blossom", "कमल": "lotus", "मंदिर": "hindu-temple", "दीया": "diya-lamp",
    "दीपक": "diya-lamp", "घड़ा": "amphora", "पत्थर": "rock", "राजा": "crown",
    "महल": "castle", "गाँव": "houses", "घर": "house", "किताब": "open-book",
    "ॐ": "om", "प्रार्थना": "folded-hands", "देव": "sparkles", "देवस्य": "sparkles",
    "परमात्मा": "om", "बुद्धि": "brain", "तेज": "sun", "तेजस्वी": "sun", "भर्गो": "sun",
    "धीमहि": "person-in-lotus-position", "सन्मार्ग": "footprints", "गर्मी": "fire",
    "ठंडी": "snowflake", "सवाल": "red-question-mark", "चक्र": "counterclockwise-arrows-button",
}
# fmt: on

# Words that say where a shot is rather than what is in it pick its backdrop
# (aifilm.draw.scenery); they are also props when named.
# `\w` alone splits Indian scripts at their vowel signs (marks, not letters): बारिश
# would be ब, र, श. The Indic blocks (less the danda punctuation) count as letters, and
# so do Arabic's vowel marks (مَاءٌ would be م, اء).
WORD = re.compile(r"[\w\u0900-\u0963\u0966-\u0dff\u064b-\u065f\u0670'-]+", re.UNICODE)


@dataclass(frozen=True)
class Match:
    """A word of the shot that names a picture, and that picture's asset."""

    word: str
    asset: str


def _singular(word: str) -> list[str]:
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        forms.append(word[:-2])
    if word.endswith("s") and len(word) > 2:
        forms.append(word[:-1])
    if word.endswith("'s"):
        forms.append(word[:-2])
    return forms


# Languages whose CLDR names are looked up only in a film in that language: their words
# would be false friends elsewhere ("chat" is a cat in French, "coin" a corner).
OWN_LANGUAGES = frozenset({"fr", "es", "pt", "it", "de", "ru", "ar", "zh", "ja"})
# Plural and case endings -> the dictionary form's own ending after the stem ("chats" ->
# "chat", "gatti" -> "gatto", "Katzen" -> "katze", "кошку" -> "кошка"). Italian takes off
# only plural endings: "solo" (alone) is not "sole" (sun).
_RUSSIAN_FINALS = ("", "а", "я", "о", "е", "ь", "й")
_RUSSIAN_ENDINGS = (
    "ами", "ями", "ах", "ях", "ов", "ев", "ей", "ой", "ом", "ем", "ам", "ям", "ую", "ю", "у",
    "ы", "и", "е", "а", "я",
)  # fmt: skip
_ENDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {"es": ("",), "s": ("",), "x": ("",)},
    "es": {"es": ("",), "s": ("",)},
    "pt": {"es": ("",), "s": ("",)},
    "it": {"i": ("o", "e"), "e": ("a",)},
    "de": {ending: ("", "e") for ending in ("en", "er", "es", "e", "n", "s")},
    "ru": dict.fromkeys(_RUSSIAN_ENDINGS, _RUSSIAN_FINALS),
    # Mandarin: a place word after the noun ("河边" riverside, "湖面", "森林里")
    "zh": dict.fromkeys("边上里中下旁前后外面", ("",)),
    **indian_nouns.ENDINGS,
}  # fmt: skip
_SHORTEST_STEM = {"zh": 1, **dict.fromkeys(indian_nouns.LANGUAGES, 2)}
# Languages whose own words for the curated story nouns are looked up, with their endings
STORY_LANGUAGES = OWN_LANGUAGES | indian_nouns.LANGUAGES
_JAPANESE_SCRIPT = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@functools.cache
def _cldr(language: str = "en") -> dict[str, str]:
    """CLDR's one-word emoji names -> shipped picture: English and ten Indian languages in
    every film, French, Spanish, Portuguese, Italian, German, Russian, Arabic, Mandarin and
    Japanese in a film in that language (its own names first).

    A subset of the Unicode CLDR annotations (`aifilm/draw/cldr/words.json`, Unicode
    licence, made by `tools/cldr_subset.py`); consulted after the curated tables.
    """
    text = resources.files("aifilm.draw").joinpath("cldr/words.json").read_text("utf-8")
    tables: dict[str, dict[str, str]] = json.loads(text)["words"]
    from aifilm.draw.translated import AMBIGUOUS

    merged: dict[str, str] = {}
    if language in OWN_LANGUAGES:
        skip = AMBIGUOUS.get(language, frozenset())
        merged = {w: a for w, a in tables.get(language, {}).items() if w not in skip}
    for name, table in tables.items():
        if name in OWN_LANGUAGES:
            continue
        for word, asset in table.items():
            merged.setdefault(word, asset)
    return merged


def _dictionary_forms(word: str, language: str) -> list[str]:
    """The forms a word may have in the dictionary: itself, and without a plural or case
    ending ("chats" -> "chat", "gatti" -> "gatto", "Katzen" -> "katze", "собаку" ->
    "собака", Arabic "القطة" -> "قطة", Tamil "தண்ணீரைத்" -> "தண்ணீர்")."""
    forms = [word]
    joined = next((c for c in indian_nouns.JOINING.get(language, ()) if word.endswith(c)), None)
    if joined:  # Tamil doubles the next word's consonant onto this one: ஆந்தைப் பாட்டி
        word = word[: -len(joined)]
        forms.append(word)
    if language == "ar":
        forms += sorted(arabic.stems(word) - {word})
    for ending, finals in _ENDINGS.get(language, {}).items():
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= _SHORTEST_STEM.get(language, 3):
            forms += [stem + final for final in finals]
    return forms


def _plain(word: str, code: str) -> str:
    """A word as the tables hold it: casefolded, and French or Italian without an elided
    article ("l'eau", "dell'acqua": the noun after)."""
    word = word.strip().casefold().strip("'-")
    if code == "ar":
        word = arabic.without_marks(word)
    if code in ("fr", "it") and "'" in word:
        word = word.rsplit("'", 1)[1]
    return word


def lookup(word: str, language: str = "en") -> str | None:
    """The asset a single word names, or None: the curated tables first, then CLDR's
    emoji names (a camel, a tractor; ऊँट, மயில்; in a French film "vache")."""
    code = base_language(language)
    word = _plain(word, code)
    if not word:
        return None
    skip = AMBIGUOUS.get(code, frozenset())
    if word in skip:
        return None
    if word in HINDI:
        return HINDI[word]
    forms = _singular(word)
    for form in forms:
        if form in NOUNS:
            return NOUNS[form]
    names = _cldr(code if code in OWN_LANGUAGES else "en")
    for form in forms:
        if form in names:
            return names[form]
    if code not in STORY_LANGUAGES:
        return None
    english = english_noun(word, code)
    if english:
        return NOUNS[english]
    if code in ("zh", "ja"):  # "马上" (at once) is no horse: a word is a name only whole
        return None
    forms = [f for f in _dictionary_forms(word, code) if f not in skip]
    return next((HINDI.get(f) or names[f] for f in forms if f in HINDI or f in names), None)


def english_noun(word: str, language: str) -> str | None:
    """The curated English story noun a word of a film in `language` is ("forêts" ->
    "forest", "реке" -> "river", Tamil "மரத்தில்" -> "tree"), or None: how backdrops are
    picked in other languages."""
    code = base_language(language)
    if code not in STORY_LANGUAGES:
        return None
    word = _plain(word, code)
    story = _story_nouns(code)
    return next((story[f] for f in _dictionary_forms(word, code) if f in story), None)


@functools.cache
def _story_nouns(language: str) -> dict[str, str]:
    return {**translated.table(language), **indian_nouns.table(language)}


# Words before a thing that say it is not there ("no water", "without a boat", "not a
# single drop", "sans eau", "kein Wasser"), and states after it that say so ("the rivers
# were dry", "नदियाँ सूखी थीं", "les rivières étaient sèches", "Реки пересохли"): the
# picture would show the opposite of the words.
ABSENT_BEFORE = frozenset({"no", "without", "not", "never", "nor", "नहीं", "बिना"})
ABSENT_AFTER = frozenset(
    {"dry", "dried", "empty", "gone", "missing", "सूखी", "सूखे", "सूखा", "सूख", "नहीं"}
)
BE = frozenset({"is", "are", "was", "were", "had", "has", "have", "ran", "run", "went", "lay"})
FILLERS = frozenset({"a", "an", "any", "the", "single", "more", "one", "of"})


@dataclass(frozen=True)
class _Absence:
    """A language's words that say a thing is not there (see `said_absent`)."""

    before: frozenset[str]
    after: frozenset[str]
    be: frozenset[str]
    fillers: frozenset[str]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# In a film in one of these languages, its own words (Portuguese "no pote" is "in the pot")
_ABSENCE: dict[str, _Absence] = {
    "fr": _Absence(
        _words("sans pas aucun aucune jamais ni"),
        _words("sec secs sèche sèches vide vides tari taris tarie taries"),
        _words("est sont était étaient"),
        _words("le la les un une de des du d l y a"),
    ),
    "es": _Absence(
        _words("sin no ningún ninguna nunca ni"),
        _words("seco secos seca secas vacío vacíos vacía vacías"),
        _words("está están estaba estaban es son era eran"),
        _words("el la los las un una de del hay había"),
    ),
    "pt": _Absence(
        _words("sem não nenhum nenhuma nunca nem"),
        _words("seco secos seca secas vazio vazios vazia vazias"),
        _words("está estão estava estavam é são era eram"),
        _words("o a os as um uma de do da há havia tem tinha"),
    ),
    "it": _Absence(
        _words("senza non nessun nessuno nessuna mai né"),
        _words("secco secchi secca secche vuoto vuoti vuota vuote"),
        _words("è sono era erano"),
        _words("il lo la i gli le un uno una di del della c'è c'era"),
    ),
    "de": _Absence(
        _words("kein keine keinen keinem ohne nicht nie"),
        _words("trocken ausgetrocknet leer versiegt"),
        _words("ist sind war waren"),
        _words("der die das den dem ein eine einen es gibt gab"),
    ),
    "zh": _Absence(
        _words("没有 没 无 不"),
        _words("干 干了 干涸 干涸了 枯竭 枯竭了 空 空了 没了"),
        _words("都 已经 是 全 全都"),
        _words("一 一个 一只 一点 任何"),
    ),
    # Arabic says the drying before the thing too: "جفت الأنهار" (the rivers dried up)
    "ar": _Absence(
        _words("بلا بدون لا ليس ليست لم جفت جفّت نضب نضبت جف"),
        _words("جافة جاف جافّة فارغة فارغ جفت نضبت"),
        _words("كانت كان كانوا أصبحت"),
        _words("أي من يوجد توجد هناك"),  # لا يوجد ماء: there is no water
    ),
    "ru": _Absence(
        _words("без нет не ни никакой никакого"),
        _words("пересохли пересохла пересох высохли высохла высох сухие сухая пустой пустая пусты"),
        _words("был была были было"),
        _words("и"),
    ),
}
_DEFAULT_ABSENCE = _Absence(ABSENT_BEFORE, ABSENT_AFTER, BE, FILLERS)
# The other Indian languages say it after the thing, as Hindi does (`indian_nouns`)
_INDIAN_ABSENCE = _Absence(ABSENT_BEFORE, ABSENT_AFTER | indian_nouns.ABSENT_AFTER, BE, FILLERS)
_ABSENCE.update(dict.fromkeys(indian_nouns.LANGUAGES, _INDIAN_ABSENCE))
LIQUIDS = frozenset({"water-wave", "droplet"})  # a dry river is still drawn as no water


def said_absent(tokens: list[str], index: int, asset: str, language: str = "en") -> bool:
    """Whether the words around `tokens[index]` say the thing it names is not there (in
    the film's `language`: "pas d'eau", "Реки пересохли", "جفت الأنهار", "水がない", "জল
    নেই"; English and Hindi otherwise)."""
    code = base_language(language)
    if code == "ja":
        return japanese.said_absent(
            tokens[max(0, index - 2) : index], tokens[index + 1 : index + 4], asset in LIQUIDS
        )
    words = _ABSENCE.get(code, _DEFAULT_ABSENCE)
    before = [t.casefold() for t in tokens[max(0, index - 3) : index]]
    while before and before[-1] in words.fillers:
        before.pop()
    if before and before[-1] in words.before:
        return True
    if before and asset in LIQUIDS and before[-1] in words.after:
        return True  # "the dry river", "an empty pond"
    after = [t.casefold() for t in tokens[index + 1 : index + 4]]
    if after and after[0] in words.after:
        return True  # "नदी सूखी", "water gone"
    return len(after) >= 2 and after[0] in words.be and after[1] in words.after


def tokens(text: str, language: str = "en") -> list[str]:
    """The words of `text`; Mandarin, written without spaces, cut into words by jieba (as
    its voice does), so "马上" (at once) is not a horse; Japanese by the longest known word."""
    code = base_language(language)
    if code == "ja" and _JAPANESE_SCRIPT.search(text):
        known, longest = _japanese_words()
        return japanese.tokens(text, known, longest)
    if code == "zh" and (words := chinese_words(text)) is not None:
        return [t for t in words if WORD.fullmatch(t)]
    return WORD.findall(text)  # without misaki[zh]: runs of characters, as other languages


@functools.cache
def _japanese_words() -> tuple[frozenset[str], int]:
    """The Japanese words the tables know (pictures, and words that are none) and the
    longest one's length: what `japanese.tokens` cuts out."""
    known = frozenset(
        word
        for word in (*_cldr("ja"), *_story_nouns("ja"), *japanese.NOT_PICTURES)
        if _JAPANESE_SCRIPT.search(word)
    )
    return known, max(map(len, known))


def find_things(text: str, *, limit: int | None = None, language: str = "en") -> list[Match]:
    """The pictures `text` names, in the order first named, each asset once; a thing the
    words say is not there ("the rivers were dry", "no boat") is left out. `language` is
    the film's: its own word names are looked up too (`OWN_LANGUAGES`)."""
    seen: set[str] = set()
    found: list[Match] = []
    words = tokens(text, language)
    absent: set[int] = set()
    for index, token in enumerate(words):
        asset = lookup(token, language)
        if asset and (
            said_absent(words, index, asset, language)
            or (index >= 2 and words[index - 1].casefold() == "of" and index - 2 in absent)
        ):
            absent.add(index)  # "not a drop of rain": the rain is not there either
            continue
        if asset and asset not in seen:
            seen.add(asset)
            found.append(Match(token, asset))
            if limit is not None and len(found) >= limit:
                break
    return found
