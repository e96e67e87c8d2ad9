"""What a script's action lines say about a character: introductions and pronouns.

Screenplays introduce a character where they first appear, the name in
capitals: "STEEL, a retired detective in his 50s"; stories say "a little crow
named Kaka" or "Kaka is a clever crow". Later lines refer back with pronouns:
"Steel reloads. He waits." Both are read from paragraphs of narration that
mention the character, each with its line in the file for the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aifilm.cast.describe import Traits, traits_of_name, traits_of_text, words
from aifilm.cast.lexicon import FEMALE_PRONOUNS, MALE_PRONOUNS, ROLES
from aifilm.cast.names import sex_of_given_name

Paragraph = tuple[str, int | None]  # text, 1-based line in the script (None: unknown)

_SENTENCE_END = re.compile(r"[.!?;:]+(?:\s|$)|\n")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’-]+\b")
_ARTICLE = re.compile(r"^(?:a|an|the|his|her|their|our|now|once|still)\b", re.IGNORECASE)
_PRONOUN_WINDOW_WORDS = 30
_FULL_NAME = re.compile(r"[A-Z][a-z'’-]+ [A-Z][\w'’-]*")
_MORE_DESCRIPTION = re.compile(
    r"^(?:a|an|in (?:his|her|their)|early|mid|late|\d|\(|aged?|about|around|maybe|"
    r"probably|perhaps|[a-z-]+ty\b|teen|young|old|elderly|retired)",
    re.IGNORECASE,
)


@dataclass
class ContextReading:
    """What the context says: an introduction's traits, and pronoun votes."""

    intro: Traits
    look: str | None  # the introduction's words, for the picture
    female_votes: int = 0
    male_votes: int = 0
    first_vote_line: int | None = None


def name_pattern(name: str) -> re.Pattern[str]:
    """The name as written in action lines: as given, in capitals or in title case."""
    forms = {name, name.upper(), name.title()}
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![\w]){'(?:' + alternatives + ')'}(?![\w])")


def _where(line: int | None) -> str:
    return f" (line {line})" if line else ""


def _cut(desc: str, others: Sequence[re.Pattern[str]]) -> str:
    """A description up to where the sentence ends or another character is named."""
    end = _SENTENCE_END.search(desc)
    if end:
        desc = desc[: end.start()]
    for other in others:
        for found in other.finditer(desc):
            # "Arjun's daughter" describes her; "and BOB" starts someone else.
            if not re.match(r"['’]s\b", desc[found.end() :]):
                desc = desc[: found.start()]
                break
    caps = _CAPS_WORD.search(desc)
    if caps and len(caps.group(0)) > 2:
        desc = desc[: caps.start()]
    # An appositive ends at its comma ("STEEL, a detective, sits"), unless what follows
    # still describes ("a woman, late 40s, tired").
    first, *rest = desc.split(",")
    kept = [first]
    for part in rest:
        if not _MORE_DESCRIPTION.match(part.strip()):
            break
        kept.append(part)
    return ",".join(kept).strip(" ,-—–(")


def _introductions(
    name: re.Pattern[str], text: str, others: Sequence[re.Pattern[str]]
) -> Iterable[str]:
    """Descriptions the paragraph attaches to the name, best first."""
    for found in name.finditer(text):
        after = text[found.end() :]
        shouted = found.group(0).isupper() and any(c.isalpha() for c in found.group(0))
        given = re.search(r"\b([A-Z][A-Z'’-]+)\s+$", text[: found.start()])
        if shouted and given and sex_of_given_name(given.group(1)):
            # "DICK STEEL" introduces Steel with his given name.
            yield f"{given.group(1).title()} {found.group(0).title()}"
        if shouted:
            # "BRICK BRADDOCK, retired ...": the rest of the name in capitals comes first.
            surname = re.match(r"(?:\s+[A-Z][A-Z'’.-]+\b)+", after)
            if surname:
                after = after[surname.end() :]
        paren = re.match(r"\s*\(([^)]{1,25})\)", after)
        if paren:
            yield paren.group(0).strip()
            after = after[paren.end() :]
        aged = re.match(r"\s+(in\s+(?:his|her|their)\s+(?:early|mid|late)?[\s-]*[\w']+)", after)
        if shouted and aged:
            yield aged.group(1)  # "A WAITRESS in her twenties pours coffee"
        comma = re.match(r"\s*,\s*", after)
        if comma:
            desc = _cut(after[comma.end() :], others)
            if desc and (shouted or _ARTICLE.match(desc)):
                yield desc
        being = re.match(r"\s+(?:is|was|,? who is)\s+(?=(?:a|an)\b)", after)
        if being:
            yield _cut(after[being.end() :], others)
        the = re.match(r"\s+the\s+", after)
        if the:
            yield _cut(after[the.end() :], others)
        before = text[max(0, found.start() - 80) : found.start()]
        # "her little brother TOMMY", "Brick's wife MAGGIE": the role word just before.
        role = re.search(r"\b([A-Za-z]+)\s*,?\s*$", before)
        if shouted and role and role.group(1).casefold() in ROLES:
            yield role.group(1).casefold()
        named = re.search(r"\b((?:a|an|the)\b[^.;!?]*?)\s+(?:named|called)\s*$", before, re.I)
        if named:
            yield named.group(1)


def _pronoun_vote(
    name: re.Pattern[str], text: str, others: Sequence[re.Pattern[str]]
) -> tuple[int, int]:
    """(female, male) votes: the first gendered pronoun after each mention, before anyone else."""
    female = male = 0
    text = _QUOTED.sub(" ", text)
    for found in name.finditer(text):
        window = text[found.end() :]
        # The rest of this sentence and the next one.
        ends = list(_SENTENCE_END.finditer(window))
        if len(ends) >= 2:
            window = window[: ends[1].start()]
        for other in others:
            hit = other.search(window)
            if hit:
                window = window[: hit.start()]
        for word in words(window)[:_PRONOUN_WINDOW_WORDS]:
            if word in FEMALE_PRONOUNS:
                female += 1
                break
            if word in MALE_PRONOUNS:
                male += 1
                break
    return female, male


def read_context(
    name: str,
    paragraphs: Iterable[Paragraph],
    *,
    other_names: Iterable[str] = (),
    language: str = "en",
) -> ContextReading:
    """Read every paragraph that names the character: the first introduction, pronoun votes."""
    pattern = name_pattern(name)
    others = [name_pattern(o) for o in other_names if o.casefold() != name.casefold()]
    reading = ContextReading(intro=Traits(), look=None)
    for text, line in paragraphs:
        if not pattern.search(text):
            continue
        for desc in _introductions(pattern, text, others):
            traits = (
                traits_of_name(desc, language=language)
                if _FULL_NAME.fullmatch(desc)
                else traits_of_text(desc, language=language)
            )
            if not (traits.sex or traits.age or traits.role or traits.species):
                continue
            for key in ("species", "sex", "age", "role"):
                if getattr(traits, key) is not None:
                    because = f"introduced as '{desc}'{_where(line)}"
                    reading.intro.set(key, getattr(traits, key), because)
            if reading.look is None and not _FULL_NAME.fullmatch(desc):
                reading.look = desc
        female, male = _pronoun_vote(pattern, text, others)
        if (female or male) and reading.first_vote_line is None:
            reading.first_vote_line = line
        reading.female_votes += female
        reading.male_votes += male
    return reading
