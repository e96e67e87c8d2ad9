"""Podcast mode's cast: who gets a panel on the split screen, and the 2-4 hosts rule."""

from __future__ import annotations

from dataclasses import dataclass

from aifilm.spec.models import Project

MIN_HOSTS = 2
MAX_HOSTS = 4


@dataclass(frozen=True)
class Host:
    """One panel of the split screen: a character, or the narrator (`character` None)."""

    name: str
    character: str | None
    first: tuple[int, int]  # (scene, shot) of the host's first line


def podcast_hosts(project: Project) -> list[Host]:
    """The hosts in order of first speech: every named speaker, and in the
    narrator-character format the narrator too (when it speaks)."""
    hosts: dict[str, Host] = {}
    narrator = project.podcast.format == "narrator-character"
    for s, scene in enumerate(project.scenes):
        for t, shot in enumerate(scene.shots):
            for line in shot.lines:
                if line.speaker:
                    char = project.character(line.speaker)
                    name = char.name if char else line.speaker
                    hosts.setdefault(name.casefold(), Host(name, name, (s, t)))
                elif narrator:
                    hosts.setdefault("", Host(project.podcast.narrator_name, None, (s, t)))
    return list(hosts.values())


def host_index(hosts: list[Host], speaker: str | None) -> int | None:
    """The panel of a line's speaker (None: narration shown with no panel lit)."""
    for i, host in enumerate(hosts):
        if host.character is None and speaker is None:
            return i
        if (
            speaker is not None
            and host.character
            and host.character.casefold() == speaker.casefold()
        ):
            return i
    return None


def podcast_problem(project: Project) -> tuple[str, tuple[int, int] | None] | None:
    """Why the project cannot be a podcast (and the shot to point at), or None if it can."""
    if project.mode != "podcast":
        return None
    hosts = podcast_hosts(project)
    if MIN_HOSTS <= len(hosts) <= MAX_HOSTS:
        return None
    names = ", ".join(h.name for h in hosts) or "nobody"
    if len(hosts) < MIN_HOSTS:
        narr = (
            ""
            if project.podcast.format == "narrator-character"
            else "; or use 'podcast: {format: narrator-character}' to give the narrator a panel"
        )
        return (
            f"podcast mode needs {MIN_HOSTS} to {MAX_HOSTS} speakers, this script has "
            f"{len(hosts)} ({names}); write dialogue for a second host{narr}",
            None,
        )
    return (
        f"podcast mode shows at most {MAX_HOSTS} speakers, this script has {len(hosts)} "
        f"({names}); '{hosts[MAX_HOSTS].name}' is the {MAX_HOSTS + 1}th: give their lines "
        "to another host, or use 'mode: film'",
        hosts[MAX_HOSTS].first,
    )
