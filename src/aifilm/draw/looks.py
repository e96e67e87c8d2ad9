"""Genre looks: the pictures devotional, explainer and podcast films lean on."""

from __future__ import annotations

# Devotional films: verse over a lamp, a lotus and a temple.
DEVOTIONAL_PROPS = ("diya-lamp", "lotus", "hindu-temple", "om", "folded-hands")
# Podcasts: a studio microphone between the hosts when no topic picture is found.
PODCAST_PROPS = ("studio-microphone",)
LOOK_ASSETS = (*DEVOTIONAL_PROPS, *PODCAST_PROPS, "sparkles", "speech-balloon")
