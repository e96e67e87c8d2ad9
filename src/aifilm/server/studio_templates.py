"""Starting points for a new project in the studio: a story, an explainer, a podcast, a
devotional and a YouTube Short, each a short valid project.yaml (tested)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    """A named project.yaml to start from."""

    key: str
    name: str
    description: str
    spec: str


TEMPLATES: tuple[Template, ...] = (
    Template(
        "story",
        "Story",
        "A short tale with a narrator and two characters.",
        """\
title: The Clever Crow
language: en
duration: 30s
output: {resolution: 720p}
music: {genre: ambient}
script: |
  [Scene: A hot afternoon]
  On a hot afternoon, a thirsty crow found a pot with a little water at the bottom.
  Crow: I cannot reach it. What can I do?

  [Scene: The pebbles]
  The crow dropped pebbles into the pot, one by one, and the water rose.
  Sparrow: You are clever, friend!
  Crow: Where there is a will, there is a way.
""",
    ),
    Template(
        "explainer",
        "Explainer",
        "One narrator explains an idea in three steps.",
        """\
title: How Rain Forms
language: en
duration: 40s
output: {resolution: 720p}
music: {genre: ambient}
script: |
  [Scene: Evaporation]
  The sun warms the sea, and water rises into the air as vapour.

  [Scene: Clouds]
  High up, the air is cold. The vapour cools into tiny droplets, and clouds form.

  [Scene: Rain]
  When the droplets grow heavy, they fall back to the ground as rain.
""",
    ),
    Template(
        "podcast",
        "Podcast",
        "Two hosts side by side, the speaker lit up.",
        """\
title: Why We Sleep
language: en
mode: podcast
duration: 45s
output: {resolution: 720p}
characters:
  - name: Maya
    voice: adult-female
  - name: Arjun
    voice: adult-male
script: |
  Maya: Welcome back! Today: why do we sleep at all?
  Arjun: Sleep lets the brain sort the day's memories.
  Maya: So a good night helps you remember?
  Arjun: Exactly. And it repairs the body too.
  Maya: Thanks for listening!
""",
    ),
    Template(
        "devotional",
        "Devotional",
        "A calm reading with gentle music.",
        """\
title: Morning Prayer
language: en
duration: 30s
output: {resolution: 720p}
narrator: {voice: mature}
music: {genre: bhajan, volume: 0.3}
script: |
  [Scene: Dawn]
  As the sun rises, we give thanks for the new day.

  [Scene: Peace]
  May our words be kind, our hands be helpful, and our hearts be at peace.
""",
    ),
    Template(
        "short",
        "YouTube Short",
        "A vertical 9:16 film under a minute.",
        """\
title: Three Facts About the Moon
language: en
duration: 30s
output: {resolution: vertical}
narrator: {voice: young-adult}
music: {genre: electronic, volume: 0.3}
script: |
  [Scene: The Moon]
  Three facts about the Moon, in thirty seconds.

  The Moon drifts away from Earth by about four centimetres every year.

  [Scene: Footprints]
  There is no wind on the Moon, so footprints can last for millions of years.
""",
    ),
)
