"""Illustrated shots (aifilm.draw): the words pick the pictures, characters are who they
are, and a rendered film shows them (real resvg, Pillow and FFmpeg)."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from aifilm import Pipeline, Project
from aifilm.cast import infer_cast
from aifilm.draw import assets
from aifilm.draw.figures import figure_for
from aifilm.draw.scene import draw_scene
from aifilm.draw.words import find_things, lookup
from aifilm.pipeline.visuals.stills import read_hops, read_scene

CROW = np.array((0x50, 0x35, 0x81))  # the Fluent blackbird's body


def _edges(rgb: np.ndarray) -> float:
    """Share of pixels on an edge, above the subtitle zone: ~0 for a colour or gradient."""
    luma = rgb[: int(rgb.shape[0] * 0.78)].astype(np.float32).mean(axis=2)
    dx = np.abs(np.diff(luma, axis=1))[:-1]
    dy = np.abs(np.diff(luma, axis=0))[:, :-1]
    return float(((dx + dy) > 24).mean())


def _crow_share(rgb: np.ndarray) -> float:
    return float((np.abs(rgb.astype(np.int16) - CROW).max(axis=2) < 28).mean())


def test_story_words_name_the_right_pictures() -> None:
    assert lookup("crow") == "blackbird" and lookup("crows") == "blackbird"
    assert lookup("pot") == "amphora" and lookup("pebbles") == "rock"
    assert lookup("palace") == "castle" and lookup("बारिश") == "cloud-with-rain"
    assert lookup("rose") is None  # "the water rose" is not a flower
    things = find_things("Then he dropped a pebble into the pot, and another pebble.")
    assert [(m.word, m.asset) for m in things] == [("pebble", "rock"), ("pot", "amphora")]
    for asset in {m.asset for m in find_things("crow owl king temple diya lotus moon rain")}:
        assert assets.has(asset)


def test_characters_are_drawn_as_who_they_are(tmp_path: Path) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(
        """\
title: Court
language: hi
characters:
  - {name: Kaka, look: a little black crow}
  - {name: Grandmother Owl}
  - {name: King Vikram, voice: mature}
  - {name: Dadi, sex: female, age: mature}
scenes:
  - shots:
      - narration: Everyone met in the palace.
""",
        encoding="utf-8",
    )
    project = Project.load(path)
    figures = {}
    for name, who in infer_cast(project).items():
        char = project.character(name)
        figures[name] = figure_for(
            name,
            species=who.species,
            sex=who.sex,
            age=who.age,
            role=who.role,
            look=who.look,
            color=char.color if char else None,
            language=project.language,
        )
    assert figures["Kaka"].asset == "blackbird" and figures["Kaka"].animal
    assert figures["Grandmother Owl"].asset == "owl"
    assert figures["King Vikram"].asset.startswith(("prince-", "person-with-crown-"))
    assert figures["Dadi"].asset.startswith("old-woman-")
    # A Hindi film's people get the region's tones, the same one every time.
    assert figures["Dadi"].tone in ("medium", "medium-dark")
    assert (
        figure_for(
            "Dadi",
            species="human",
            sex="female",
            age="mature",
            role=None,
            look=None,
            color=None,
            language="hi",
        )
        == figures["Dadi"]
    )
    for figure in figures.values():
        assert assets.has(figure.asset)


def test_a_scene_places_its_words_props_and_its_characters() -> None:
    crow = figure_for(
        "Kaka",
        species="crow",
        sex="male",
        age="child",
        role=None,
        look=None,
        color="#2b2d42",
        language="en",
    )
    drawing = draw_scene(
        (640, 360),
        heading="The pot",
        words="Kaka dropped a pebble into the pot.",
        figures=(crow,),
        speaker="Kaka",
    )
    layers = {(p.asset, p.layer) for p in drawing.placed}
    assert {("amphora", "prop"), ("rock", "prop"), ("blackbird", "figure")} <= layers
    rgb = np.asarray(drawing.picture)
    for placed in drawing.placed:
        left, top, right, bottom = placed.box
        assert 0 <= left < right <= 640 and 0 <= top < bottom <= 360, placed
    figure = next(p for p in drawing.placed if p.layer == "figure")
    left, top, right, bottom = figure.box
    assert bottom <= 360 * 0.82  # feet above the subtitles
    assert _crow_share(rgb[top:bottom, left:right]) > 0.15  # the crow is really there
    assert _crow_share(rgb) < 0.1 and _edges(rgb) > 0.01


def test_keywords_steer_the_pictures() -> None:
    drawing = draw_scene((640, 360), words="It was quiet.", keywords=("elephant",))
    assert [m.asset for m in drawing.matched] == ["elephant"]
    assert any(p.asset == "elephant" for p in drawing.placed)


FILM = """\
title: Two Shots
duration: auto
output: {resolution: 320x180, fps: 12, subtitles: {burn: false}}
characters:
  - {name: Kaka, look: a little black crow}
  - {name: Asha, sex: female, age: adult}
  - {name: Ravi, sex: male, age: adult}
scenes:
  - title: By the pot
    shots:
      - narration: Kaka the crow looked into the pot.
        camera: static
  - title: The desert
    shots:
      - narration: A lion rested under the sun in the desert.
        camera: static
  - title: Home
    shots:
      - camera: static
        dialogue:
          - Asha: Hello, I am home.
          - Ravi: Welcome back, Asha.
      - camera: static
        dialogue:
          - Kaka: Water, water! Where is all the water?
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("language", "text", "found"),
    [
        (
            "fr",
            "Un chat et une vache dans le champ, sous la pluie, près de la rivière.",
            ["cat", "cow", "sheaf-of-rice", "cloud-with-rain", "water-wave"],
        ),
        (
            "es",
            "El gato y la vaca bajo la lluvia en el bosque.",
            ["cat", "cow", "cloud-with-rain", "evergreen-tree"],
        ),
        (
            "pt",
            "O gato na chuva, perto do rio e das árvores.",
            ["cat", "cloud-with-rain", "water-wave", "deciduous-tree"],
        ),
        (
            "it",
            "Il sole splende. Era solo, vicino al fiume con i cani.",
            ["sun", "water-wave", "dog"],
        ),
        (
            "de",
            "Die Katzen liefen durch den Wald zum Fluss.",
            ["cat", "evergreen-tree", "water-wave"],
        ),
        (
            "ru",
            "Кошка увидела собаку у реки в лесу.",
            ["cat", "dog", "water-wave", "evergreen-tree"],
        ),
        ("ar", "رأت القطة الكلب.", ["cat", "dog"]),
        # Arabic with what is joined to a word: "and the" (وال), "in the" (بال), "its" (ـها)
        (
            "ar",
            "جلس الغراب على الشجرة والماء بعيد. وضع حصاة بالجرة قرب بيتها.",
            ["blackbird", "deciduous-tree", "droplet", "rock", "amphora", "house"],
        ),
        # Mandarin, cut into words by jieba: "马上" (at once) is no horse
        (
            "zh",
            "他们在河边的市场买了牛奶和鸡蛋。他马上就来了。",
            ["water-wave", "shopping-cart", "glass-of-milk", "egg"],
        ),
        # Japanese, cut out by the longest known word: kanji, hiragana and katakana names
        (
            "ja",
            "子猫といぬが川のそばの森で遊んでいた。ライオンも来た。",
            ["cat", "dog", "water-wave", "evergreen-tree", "lion"],
        ),
    ],
)
def test_a_films_own_language_names_its_pictures(
    language: str, text: str, found: list[str]
) -> None:
    """Words in French, Spanish, Portuguese, Italian, German, Russian and Arabic, with their
    plural and case endings ("chats", "Katzen", "собаку", "القطة"), pick pictures as
    English words do: a French film about a market drew a generic meadow before."""
    assert [m.asset for m in find_things(text, language=language)] == found
    assert find_things(text) == []  # before: an English lookup, which knows none of them


def test_a_languages_words_are_not_looked_up_in_another_languages_film() -> None:
    """False friends: "chat" is a cat in French and a talk in English; "solo" (alone) is
    not "sole" (sun); German "Uhr" (o'clock) and French "or" (now) draw nothing."""
    assert lookup("chat", "fr") == "cat" and lookup("chat") is None
    assert lookup("solo", "it") is None and lookup("sole", "it") == "sun"
    assert find_things("Um 15 Uhr ging er weg.", language="de") == []
    assert find_things("Or, il lit.", language="fr") == []
    for language in ("fr", "es", "pt", "it", "de", "ru"):
        from aifilm.draw.translated import STORY_NOUNS
        from aifilm.draw.words import NOUNS

        assert all(english in NOUNS for english in STORY_NOUNS), "a translation without a picture"
        from aifilm.draw import indian_nouns

        for indian in indian_nouns.LANGUAGES:
            assert set(indian_nouns.table(indian).values()) <= set(NOUNS), indian
        trees = {"fr": "arbres", "es": "árboles", "pt": "árvores", "it": "alberi", "de": "Bäume",
                 "ru": "деревья"}  # fmt: skip
        assert lookup(trees[language], language) == "deciduous-tree"


@pytest.mark.parametrize(
    ("language", "text", "found"),
    [
        ("fr", "Les rivières étaient sèches. Il n'y a pas de pluie.", []),
        ("es", "Los ríos estaban secos. No hay agua.", []),
        ("pt", "Os rios estavam secos. Não há água no pote.", ["amphora"]),  # "no": in the
        ("it", "I fiumi erano secchi. Non c'è acqua.", []),
        ("de", "Die Flüsse waren ausgetrocknet. Es gibt kein Wasser.", []),
        ("ru", "Реки пересохли. Нет воды.", []),
        ("zh", "河流都干了。没有水。", []),
        ("ar", "جفت الأنهار. لا يوجد ماء.", []),  # the rivers dried up; there is no water
        ("ja", "川はすっかり干上がっていた。水がない。雨も降らなかった。", []),
        ("ja", "干上がった川のそばに、一羽の鳥がいた。", ["bird"]),
    ],
)
def test_things_a_films_language_says_are_not_there_are_not_drawn(
    language: str, text: str, found: list[str]
) -> None:
    """As in English ("the rivers were dry"): a dry river is not drawn as a wave."""
    assert [m.asset for m in find_things(text, language=language)] == found


# "A crow sat on the tree and looked for water. A pot behind the house."
CROW_STORY = ["blackbird", "deciduous-tree", "droplet", "house", "amphora"]


@pytest.mark.parametrize(
    ("language", "text", "found"),
    [
        # case endings joined to the noun, and a joining consonant (தண்ணீரைத்)
        (
            "ta",
            "ஒரு காகம் மரத்தில் அமர்ந்து தண்ணீரைத் தேடியது. வீட்டின் பின்னால் ஒரு பானை.",
            CROW_STORY,
        ),
        ("te", "ఒక కాకి చెట్టుకు దగ్గర నీటిలో చేపను చూసింది.", ["blackbird", "deciduous-tree",
                                                            "droplet", "fish"]),
        ("kn", "ಕಾಗೆ ಮರದಲ್ಲಿ ಕುಳಿತು ನೀರನ್ನು ಹುಡುಕಿತು. ಮನೆಯ ಹಿಂದೆ ಮಡಕೆ.", CROW_STORY),
        ("ml", "കാക്ക മരത്തിൽ ഇരുന്നു വെള്ളം തേടി. വീടിന്റെ പിന്നിൽ കുടം.", CROW_STORY),
        ("bn", "কাকটি গাছে বসে জলের খোঁজ করছিল। বাড়ির পিছনে কলসি।", CROW_STORY),
        ("mr", "कावळा झाडावर बसून पाण्याच्या शोधात होता. घरामागे मडके.", CROW_STORY),
        ("gu", "કાગડો ઝાડ પર બેસીને પાણીની શોધમાં હતો. ઘરની પાછળ માટલું.", CROW_STORY),
        ("pa", "ਕਾਂ ਦਰਖ਼ਤਾਂ ਉੱਤੇ ਪਾਣੀ ਲੱਭ ਰਿਹਾ ਸੀ। ਘਰ ਦੇ ਪਿੱਛੇ ਘੜਾ।", CROW_STORY),
        # Hindi's oblique and plural forms
        ("hi", "कौए ने पेड़ों के बीच घड़े में कंकड़ डाले। खेत में गायें थीं।",
         ["blackbird", "deciduous-tree", "amphora", "rock", "sheaf-of-rice", "cow"]),
    ],
)  # fmt: skip
def test_an_indian_languages_words_name_their_pictures_with_their_endings(
    language: str, text: str, found: list[str]
) -> None:
    """Before, a Tamil or Bengali film drew none of "a crow sat on the tree and looked for
    water": CLDR names animals, not trees, water or houses, and no word with its ending."""
    assert [m.asset for m in find_things(text, language=language)] == found


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ta", "நதிகள் வறண்டு இருந்தன. தண்ணீர் இல்லை."),  # the rivers were dry; no water
        ("bn", "নদীগুলো শুকিয়ে গিয়েছিল। জল নেই।"),
        ("mr", "नद्या कोरड्या होत्या. पाणी नाही."),
        ("ta", "நான் ஆறு மணிக்கு வந்தேன்."),  # at six o'clock: no river (ஆறு), no bell (மணி)
        ("ml", "ഞാൻ മലയാളം സംസാരിക്കും."),  # Malayalam, not a mountain (മല)
        ("gu", "આભાર, દાદી! હું કોઈ રસ્તો શોધી કાઢીશ."),  # "a way", not a road
        ("hi", "आम आदमी सोने गया।"),  # common (आम, a mango), to sleep (सोना, gold)
    ],
)
def test_indian_languages_words_that_name_nothing_draw_nothing(language: str, text: str) -> None:
    assert find_things(text, language=language) == []


@pytest.mark.parametrize(
    "text",
    [
        "カメレオンを見た。",  # カメ (a turtle) is not in カメレオン (a chameleon)
        "帰ってからすぐ寝た。",  # からす (a crow) is not in てからすぐ
        "沢山の言葉を覚えた。",  # 山 (a mountain) in 沢山 (many), 葉 (a leaf) in 言葉 (words)
        "3月と一か月後の木曜日に、家族と会う。",  # months, Thursday (木), family (家)
        "今日は本当にいい天気ですね。",
    ],
)
def test_japanese_words_inside_other_words_name_nothing(text: str) -> None:
    """Japanese is written without spaces: a known word inside another word, a month or a
    counter is not a picture."""
    assert find_things(text, language="ja") == []


def test_japanese_words_are_looked_up_only_in_a_japanese_film() -> None:
    assert lookup("猫", "ja") == "cat" and lookup("ネコ", "ja") == "cat"
    assert lookup("猫") is None and lookup("ネコ", "zh") is None
    assert [m.asset for m in find_things("3羽のカラスが月を見た。", language="ja")] == [
        "blackbird",
        "full-moon",
    ]


def test_a_films_own_language_picks_its_backdrop() -> None:
    from aifilm.draw.scenery import pick_setting

    assert pick_setting("", "Au marché, une femme vend du lait.", language="fr").name == "city"
    assert pick_setting("", "Die Kinder spielten im Wald.", language="de").name == "forest"
    assert pick_setting("", "Мы долго сидели у реки.", language="ru").name == "river"
    assert pick_setting("", "一只乌鸦在森林里飞。", language="zh").name == "forest"
    assert pick_setting("", "カラスが森の中を飛んでいた。", language="ja").name == "forest"
    assert pick_setting("", "காட்டில் ஒரு யானை இருந்தது.", language="ta").name == "forest"
    assert pick_setting("", "নদীর ধারে একটি গ্রাম ছিল।", language="bn").name == "river"
    assert pick_setting("", "Au marché.", language="en").name == "meadow"  # as before


def test_a_french_film_shows_what_its_words_name(tmp_path: Path) -> None:
    """Rendered: the illustrated scene of a French line draws the cow and the rain it says."""
    path = tmp_path / "project.yaml"
    path.write_text(
        "title: La ferme\nlanguage: fr\nduration: 10s\noutput: {resolution: 640x360, fps: 12}\n"
        "backends: {voice: espeak}\nscenes:\n  - shots:\n"
        '      - narration: "Une vache regarde la pluie tomber sur le champ."\n',
        encoding="utf-8",
    )
    pipe = Pipeline(Project.load(path))
    try:
        state = pipe.run()
        scene = read_scene(state.visuals[0].path)
        assert scene is not None
        assert {"cow", "cloud-with-rain"} <= {p["name"] for p in scene["pictures"]}
    finally:
        pipe.close()


def test_a_tamil_film_shows_what_its_words_name(tmp_path: Path) -> None:
    """Rendered: the illustrated scene of a Tamil line, its words carrying case endings
    (மரத்தில் "in the tree", வீட்டின் "of the house"), draws the crow, the tree and the
    house (a scene draws the first few things a line names, `scene.MAX_PROPS`)."""
    path = tmp_path / "project.yaml"
    path.write_text(
        "title: காகம்\nlanguage: ta\nduration: 10s\noutput: {resolution: 640x360, fps: 12}\n"
        "backends: {voice: espeak}\nscenes:\n  - shots:\n"
        '      - narration: "காகம் மரத்தில் அமர்ந்தது. வீட்டின் பின்னால் ஒரு பானை."\n',
        encoding="utf-8",
    )
    pipe = Pipeline(Project.load(path))
    try:
        state = pipe.run()
        scene = read_scene(state.visuals[0].path)
        assert scene is not None
        drawn = {p["name"] for p in scene["pictures"]}
        assert {"blackbird", "deciduous-tree", "house"} <= drawn, drawn
    finally:
        pipe.close()


def test_rendered_frames_show_the_named_things_and_no_shot_is_flat(tmp_path: Path) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(FILM, encoding="utf-8")
    pipe = Pipeline(Project.load(path))
    try:
        state = pipe.run()
        assert state.timeline is not None and state.film is not None
        with av.open(str(state.film)) as container:
            frames = np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])
        fps = state.timeline.fps
        crow_shot, lion_shot, talk_shot, caw_shot = state.timeline.shots
        for shot in state.timeline.shots:
            middle = frames[min(len(frames) - 1, int((shot.start + shot.duration / 2) * fps))]
            assert _edges(middle) > 0.005, f"shot {shot.id} is a flat field"
        crow_frame = frames[int((crow_shot.start + crow_shot.duration / 2) * fps)]
        lion_frame = frames[int((lion_shot.start + lion_shot.duration / 2) * fps)]
        assert _crow_share(crow_frame) > 0.01 and _crow_share(lion_frame) < 0.001
        scenes = [read_scene(v.path) for v in state.visuals]
        assert all(s is not None for s in scenes)
        assert {"amphora", "blackbird"} <= {p["name"] for p in scenes[0]["pictures"]}
        assert {"lion", "sun"} <= {p["name"] for p in scenes[1]["pictures"]}
        assert scenes[1]["setting"] == "desert"
        # Both people are drawn with faces, and each one's mouth moves on their own line.
        face = state.visuals[2].face_of("Asha")
        assert face is not None and face.character == "Asha"
        assert {f.character for f in state.visuals[2].faces} == {"Asha", "Ravi"}
        lipsync = next(r for r in pipe.context.reports if r.name == "lipsync")
        assert lipsync.items == 3 and not lipsync.notes  # Asha, Ravi, and the crow
        first, second = talk_shot.lines
        still = np.asarray(Image.open(state.visuals[2].path).convert("RGB")).astype(np.int16)
        for line, who in ((first, "Asha"), (second, "Ravi")):
            other = next(f for f in state.visuals[2].faces if f.character != who)
            mid = frames[int((line.start + line.clip.duration / 2) * fps)].astype(np.int16)
            x0, y0, x1, y1 = other.mouth
            # The one not speaking keeps the still's closed mouth.
            assert np.abs(mid[y0:y1, x0:x1] - still[y0:y1, x0:x1]).mean() < 12
        # The crow has no mouth: it hops while it speaks, and stands still before.
        (hop,) = read_hops(state.visuals[3].path)
        x0, y0, x1, y1 = hop.box
        crow_still = np.asarray(Image.open(state.visuals[3].path).convert("RGB")).astype(np.int16)
        (line,) = caw_shot.lines
        moved = []
        for n in range(int(line.start * fps) + 1, int(line.end * fps)):
            frame = frames[n].astype(np.int16)
            moved.append(np.abs(frame[y0:y1, x0:x1] - crow_still[y0:y1, x0:x1]).mean())
        before = frames[int((line.start - 0.1) * fps)].astype(np.int16)
        assert np.abs(before[y0:y1, x0:x1] - crow_still[y0:y1, x0:x1]).mean() < 4
        assert max(moved) > 12 and min(moved) < 6  # up on syllables, down between
    finally:
        pipe.close()


@pytest.mark.slow
def test_the_render_report_lists_words_pictures_and_licences(tmp_path: Path) -> None:
    from aifilm.pipeline.render import render

    path = tmp_path / "project.yaml"
    path.write_text(FILM, encoding="utf-8")
    result = render(path, tmp_path / "out")
    report = json.loads(result.report_path.read_text(encoding="utf-8"))
    first = report["timeline"]["shots"][0]
    assert {"word": "pot", "picture": "amphora"} in first["words_matched"]
    assert {p["license"] for p in first["pictures"]} == {"MIT"}
    assert report["art"][0]["license"] == "MIT"
    assert "Fluent Emoji by Microsoft" in report["credits"]


def test_every_shipped_picture_is_listed_licensed_and_reachable() -> None:
    from importlib import resources

    from aifilm.doctor import check_art
    from aifilm.draw.figures import PERSON_BASES, TONES
    from aifilm.draw.scenery import SCENERY_ASSETS
    from aifilm.draw.words import HINDI, NOUNS

    folder = resources.files("aifilm.draw").joinpath("assets/fluent")
    files = {p.name.removesuffix(".svg") for p in folder.iterdir() if p.name.endswith(".svg")}
    assert files == set(assets.names())  # nothing shipped unlisted, nothing listed missing
    named = set(NOUNS.values()) | set(HINDI.values()) | set(SCENERY_ASSETS)
    named |= {f"{base}-{tone}" for base in PERSON_BASES for tone in TONES}
    assert named <= files
    art = assets.licence()
    assert art.license == "MIT" and "Microsoft" in assets.licence_text()
    (check,) = check_art()
    assert check.ok and "MIT" in check.detail


def test_a_scenes_colour_tints_its_sky() -> None:
    plain = np.asarray(draw_scene((320, 180), words="a quiet day").picture)[4:20]
    red = np.asarray(draw_scene((320, 180), words="a quiet day", tint=(192, 57, 43)).picture)
    sky = red[4:20].reshape(-1, 3).mean(axis=0) - plain.reshape(-1, 3).mean(axis=0)
    assert sky[0] > 15 and sky[2] < -15  # redder, less blue


def test_a_vertical_film_gets_a_vertical_thumbnail_of_its_best_illustrated_shot(
    tmp_path: Path,
) -> None:
    from aifilm.pipeline.thumbnail import make_thumbnail
    from aifilm.pipeline.timeline import TimedShot, Timeline, VisualSpec
    from aifilm.pipeline.visuals.base import Visual

    crow = figure_for(
        "Kaka",
        species="crow",
        sex="male",
        age="child",
        role=None,
        look=None,
        color=None,
        language="en",
    )
    specs = [
        VisualSpec("title", text="Moon"),
        VisualSpec("generated", illustrate=True, words="the moon", figures=()),
        VisualSpec("generated", illustrate=True, words="a crow", figures=(crow,)),
    ]
    shots, visuals = [], []
    for n, spec in enumerate(specs):
        picture = Image.new("RGB", (108, 192), (n * 100, 0, 0))
        path = tmp_path / f"{n}.png"
        picture.save(path)
        shots.append(TimedShot(str(n), 0, n, n * 2.0, 2.0, spec, "static", "cut", 0.0))
        visuals.append(Visual(path, "still", 108, 192))
    timeline = Timeline(1080, 1920, 30, 6.0, shots)
    project = Project.model_validate(
        {"title": "Moon Facts", "scenes": [{"shots": [{"narration": "Hi."}]}]}
    )
    out = tmp_path / "thumb.png"
    make_thumbnail(project, timeline, visuals, out)
    thumb = Image.open(out).convert("RGB")
    assert thumb.size == (720, 1280)
    assert thumb.getpixel((360, 100))[0] > 150  # the shot with the crow, not the title card


def test_vertical_subtitles_stay_above_and_left_of_the_shorts_player_ui(tmp_path: Path) -> None:
    from aifilm.pipeline.subtitles.ass import write_ass
    from aifilm.pipeline.subtitles.cues import Cue

    def style(width: int, height: int) -> list[str]:
        text = write_ass(
            [Cue(0, 1, "Hello")],
            tmp_path / f"{width}.ass",
            width=width,
            height=height,
            language="en",
        ).read_text(encoding="utf-8")
        line = next(x for x in text.splitlines() if x.startswith("Style:"))
        return line.split(",")

    vertical, wide = style(1080, 1920), style(1280, 720)
    margin_l, margin_r, margin_v = (int(v) for v in vertical[-4:-1])
    assert margin_v >= 0.2 * 1920 and margin_r >= 0.12 * 1080 > margin_l
    assert int(wide[-2]) < 0.1 * 720  # a landscape film keeps its subtitles low
    # And an illustrated vertical scene keeps its figures above the subtitles.
    crow = figure_for(
        "Kaka",
        species="crow",
        sex="male",
        age="child",
        role=None,
        look=None,
        color=None,
        language="en",
    )
    drawing = draw_scene((540, 960), words="a crow and a pot", figures=(crow,))
    for placed in drawing.placed:
        assert placed.box[3] <= 960 * 0.7 and placed.box[2] <= 540 * 0.95, placed


PARALLAX = """\
title: Parallax
duration: auto
output: {resolution: 320x180, fps: 12, subtitles: {burn: false}}
characters:
  - {name: Kaka, look: a little black crow}
scenes:
  - title: By the pot
    shots:
      - narration: Kaka the crow looked into the pot.
        camera: pan-right
      - camera: pan-left
        dialogue:
          - Kaka: Water, water! Where is all the water?
"""


def _shift(a: np.ndarray, b: np.ndarray) -> float:
    """How far (x, pixels) the picture `b` lies from `a`, by phase correlation."""
    import cv2

    (dx, _), _ = cv2.phaseCorrelate(
        a.astype(np.float32).mean(axis=2), b.astype(np.float32).mean(axis=2)
    )
    return float(dx)


def _crow_x(rgb: np.ndarray) -> float:
    mask = np.abs(rgb.astype(np.int16) - CROW).max(axis=2) < 28
    assert mask.sum() > 50, "no crow in the frame"
    return float(np.nonzero(mask)[1].mean())


@pytest.mark.slow
def test_the_camera_passes_the_characters_faster_than_the_backdrop(tmp_path: Path) -> None:
    """Parallax: under a pan the crow (in front) moves further than the hills behind it,
    both in a plain shot and in one where the crow talks (hops) while the camera pans."""
    path = tmp_path / "project.yaml"
    path.write_text(PARALLAX, encoding="utf-8")
    pipe = Pipeline(Project.load(path))
    try:
        state = pipe.run()
        assert state.timeline is not None and state.film is not None
        assert all(len(v.layers) >= 3 for v in state.visuals)  # backdrop, props, figures
        assert state.film_facts["moving_shots"] == 2
        with av.open(str(state.film)) as container:
            frames = np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])
        fps = state.timeline.fps
        for shot, way in zip(state.timeline.shots, (-1, 1), strict=True):
            first = frames[int(shot.start * fps) + 8]
            last = frames[int(shot.end * fps) - 8]
            hills = slice(int(180 * 0.28), int(180 * 0.45))  # above the crow's head
            behind = _shift(first[hills], last[hills])
            front = _crow_x(last) - _crow_x(first)
            assert way * behind > 3, (shot.id, behind)  # the backdrop moves with the pan
            # and the crow, in front, moves the same way by clearly more
            assert way * front > way * behind + 4, (shot.id, front, behind)
    finally:
        pipe.close()


def test_every_person_picture_has_a_face_to_talk_with() -> None:
    """Every person asset a speaking character can be drawn as has face boxes: read from
    its pixels, else from its proportions (seated figures, beards, visors)."""
    from aifilm.draw.faces import face_from_geometry, face_of, find_face
    from aifilm.draw.figures import TONES

    people = [n for n in sorted(assets.names()) if n.endswith(tuple(f"-{t}" for t in TONES))]
    assert len(people) >= 300
    by_geometry = 0
    for name in people:
        tone = next(t for t in sorted(TONES, key=len, reverse=True) if name.endswith(f"-{t}"))
        sprite = assets.raster(name, 240)
        sprite = sprite.crop(sprite.getbbox())
        face = face_of(name, sprite, tone)
        alpha = np.asarray(sprite.getchannel("A"))
        fx0, fy0, fx1, fy1 = face.face
        mx0, my0, mx1, my1 = face.mouth
        assert 0 <= fx0 <= mx0 < mx1 <= fx1 <= sprite.width, name
        assert 0 <= fy0 <= my0 < my1 <= fy1 <= sprite.height, name
        assert (alpha[my0:my1, mx0:mx1] > 200).mean() > 0.9, name  # the mouth is on the figure
        for eye in (face.left_eye, face.right_eye):
            assert fx0 <= eye[0] < eye[2] <= fx1 and fy0 <= eye[1] < eye[3] <= my0, name
        by_geometry += face != find_face(sprite, tone)
    assert by_geometry > 0  # the ones the pixels alone do not give (54 of 335 at 300 px)
    # A geometry face of a seated figure sits in its head, the top of the figure.
    sprite = assets.raster("man-in-lotus-position-medium", 240)
    sprite = sprite.crop(sprite.getbbox())
    face = face_from_geometry(sprite, "medium")
    assert face.face[3] < sprite.height * 0.55


def test_words_the_table_does_not_know_are_looked_up_in_cldr_names() -> None:
    """After the curated table, CLDR's emoji names: an English noun and Indian scripts."""
    from aifilm.draw.words import HINDI, NOUNS

    assert "tractor" not in NOUNS and "ऊँट" not in HINDI and "मोर" not in HINDI
    hindi = find_things("रेगिस्तान में एक प्यासा ऊँट था, और पेड़ पर मोर नाच रहा था।")
    assert [(m.word, m.asset) for m in hindi] == [
        ("ऊँट", "camel"),
        ("पेड़", "deciduous-tree"),  # the curated Hindi table still comes first
        ("मोर", "peacock"),
    ]
    english = find_things("The farmer drove his old tractor slowly.")
    assert [(m.word, m.asset) for m in english] == [("tractor", "tractor")]
    assert lookup("மயில்") == "peacock"  # Tamil
    assert lookup("pot") == "amphora" and lookup("rose") is None  # the table decides these
    for asset in {lookup(w) for w in ("tractor", "ऊँट", "மயில்")}:
        assert asset is not None and assets.has(asset)


def test_a_character_with_its_own_picture_stands_in_the_scene_as_that_picture(
    tmp_path: Path,
) -> None:
    """A cut-out (transparent background) stands as it is; a photo comes framed."""
    from PIL import ImageDraw

    cut = Image.new("RGBA", (200, 300), (0, 0, 0, 0))
    ImageDraw.Draw(cut).ellipse((20, 20, 180, 280), fill=(230, 20, 30, 255))
    cut.save(tmp_path / "hare.png")
    Image.new("RGB", (300, 300), (20, 40, 230)).save(tmp_path / "king.jpg")
    hare = figure_for(
        "Hare", species="rabbit", sex="male", age="adult", role=None, look=None, color=None,
        language="en", image=tmp_path / "hare.png",
    )  # fmt: skip
    king = figure_for(
        "King", species="human", sex="male", age="adult", role="king", look=None, color=None,
        language="en", image=tmp_path / "king.jpg",
    )  # fmt: skip
    drawing = draw_scene((640, 360), words="The hare met the king.", figures=(hare, king))
    rgb = np.asarray(drawing.picture).astype(np.int16)
    placed = {p.name: p for p in drawing.placed if p.layer == "figure"}
    assert placed["Hare"].asset == "image:hare.png" and placed["King"].asset == "image:king.jpg"
    for who, colour in (("Hare", (230, 20, 30)), ("King", (20, 40, 230))):
        x0, y0, x1, y1 = placed[who].box
        share = (np.abs(rgb[y0:y1, x0:x1] - colour).max(axis=2) < 30).mean()
        assert share > 0.4, (who, share)  # the character's own picture, not an emoji
    x0, y0, x1, y1 = placed["King"].box
    assert (np.abs(rgb[y0 + 1, x0:x1] - (250, 246, 236)).max(axis=1) < 8).mean() > 0.5  # frame
    assert not drawing.faces and not drawing.bouncers  # no emoji face to move on a photo


def test_the_graph_moves_layers_only_under_a_moving_camera() -> None:
    """A layered still under a pan opens its planes as inputs and lays each on every
    keyframe at its depth; under a static camera the flattened still alone is shown; a
    picture not in the still's own size keeps today's move."""
    from aifilm.pipeline.compose.graph import ClipSource, build_graph
    from aifilm.pipeline.compose.motion import source_size
    from aifilm.pipeline.timeline import TimedShot, Timeline, VisualSpec
    from aifilm.pipeline.visuals.base import Layer

    w, h = source_size(640, 360, "pan-right")
    layers = (
        Layer(Path("/l0.png"), 0, 0, w, h),
        Layer(Path("/l1.png"), 300, 200, 100, 80, 0.35),
        Layer(Path("/l2.png"), 100, 150, 200, 200, 0.7),
    )

    def graph(camera: str, size: tuple[int, int] = (w, h)) -> tuple[str, list[str]]:
        shot = TimedShot("1", 0, 0, 0.0, 3.0, VisualSpec("generated"), camera, "cut", 0.0)
        clip = ClipSource(Path("/still.png"), "still", *size, camera, (), layers)
        from aifilm.pipeline.compose.transitions import plan_spans

        built = build_graph(
            [clip], plan_spans(Timeline(640, 360, 12, 3.0, [shot])), fps=12, width=640, height=360
        )
        return built.text, built.inputs

    text, inputs = graph("pan-right")
    assert [inputs[i + 1] for i, a in enumerate(inputs) if a == "-i"] == [
        "/l0.png",
        "/l1.png",
        "/l2.png",
    ]
    assert text.count("overlay=") == 2 and "eval=frame" in text
    assert text.index("overlay=") < text.index("framerate=")  # on keyframes, before the blend
    assert "100+floor(-67.2*" in text and "300+floor(-33.6*" in text  # 0.7, 0.35 of 96 px
    text, inputs = graph("static", (640, 360))
    assert "overlay=" not in text and inputs.count("-i") == 1 and "/still.png" in inputs
    text, inputs = graph("pan-right", (640, 360))  # not the still's size: no layers
    assert "overlay=" not in text and "/still.png" in inputs


def test_things_the_words_say_are_not_there_are_not_drawn() -> None:
    # The Thirsty Crow opened on a sea wave for "The rivers were dry"
    opening = (
        "It was the hottest day of the summer. The rivers were dry, and a little crow "
        "named Kaka flew from tree to tree, looking for water."
    )
    assert [m.asset for m in find_things(opening)] == ["blackbird", "deciduous-tree", "droplet"]
    assert find_things("There was no water, not a single drop of rain.") == []
    assert [m.asset for m in find_things("The empty pot stood by the dry pond.")] == ["amphora"]
    assert [m.asset for m in find_things("A drop of rain fell in the pond.")] == [
        "droplet",
        "cloud-with-rain",
        "water-wave",
    ]
