"""What a plan shows of its changes, for people (text and Markdown alike).

A change holds canonical values (planner/normalize.py: `environment` as a map, portMappings keyed
"8125/udp", defaults such as versionConsistency filled in): right for comparing, wrong for reading
a new container or a new service. Where the action carries the user's own form (the
RegisterTaskDefinition / CreateService payload), an added container or a new service's field is
shown as the user wrote it. Changes are ordered task-level fields first, then one run per
container, its image first.
"""

from __future__ import annotations

import re
from typing import Any

from planner.actions import Action, CreateService, RegisterTaskDefinition
from planner.diff import Change, plain

_CONTAINER = re.compile(r"^containerDefinitions\[(.+?)\](?=$|\.|\[)")
_WHOLE_CONTAINER = re.compile(r"^containerDefinitions\[([^\]]+)\]$")
_TOP_LEVEL = re.compile(r"^[A-Za-z]+$")


def _user_container(definition: Any, name: str) -> Any:
    for c in plain(definition).get("containerDefinitions") or []:
        if isinstance(c, dict) and c.get("name") == name:
            return c
    return None


def _as_written(action: Action, change: Change) -> Change:
    if change.before is not None or change.after is None:
        return change
    if isinstance(action, RegisterTaskDefinition):
        m = _WHOLE_CONTAINER.match(change.path)
        written = _user_container(action.definition, m.group(1)) if m else None
    elif isinstance(action, CreateService) and _TOP_LEVEL.match(change.path):
        written = plain(action.definition).get(change.path)
    else:
        written = None
    return change if written is None else Change(path=change.path, before=None, after=written)


def container_of(path: str) -> str | None:
    m = _CONTAINER.match(path)
    return m.group(1) if m else None


def _order(change: Change, first_seen: dict[str | None, int]) -> tuple[int, int, int]:
    name = container_of(change.path)
    if name is None:
        return (0, 0, 0)
    image = change.path == f"containerDefinitions[{name}].image"
    return (1, first_seen[name], 0 if image else 1)


def shown_changes(action: Action) -> list[Change]:
    """The action's changes as people read them: user's form for what is new, task-level fields
    first, then each container's changes together, its image first (a stable order otherwise)."""
    changes = [_as_written(action, c) for c in action.changes]
    first_seen: dict[str | None, int] = {}
    for c in changes:
        first_seen.setdefault(container_of(c.path), len(first_seen))
    return sorted(changes, key=lambda c: _order(c, first_seen))
