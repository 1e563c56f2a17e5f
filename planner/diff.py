"""Compare two canonical definitions and name each change by a keyed path.

The only module that imports deepdiff. Paths name entries by key, never by a list index that
shifts when an entry is added: `containerDefinitions[app].environment[LOG_LEVEL]`. A plain list
(a command line, sorted subnets) changes as a whole, at the list's own path.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from planner.frozen import freeze
from planner.normalize import Keyed


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


class ChangeKind(enum.StrEnum):
    """A StrEnum: it compares equal to its value ("add", "remove", "change"), as the plan JSON shows it."""

    ADD = "add"
    REMOVE = "remove"
    CHANGE = "change"


@attrs.frozen(kw_only=True)
class Change:
    """One changed value. `before`/`after` are None when the value is absent on that side; they
    are held frozen (FrozenDict, tuples): `plain()` gives the JSON-ready form."""

    path: str
    before: Any = attrs.field(converter=freeze)
    after: Any = attrs.field(converter=freeze)

    @property
    def kind(self) -> ChangeKind:
        if self.before is None:
            return ChangeKind.ADD
        if self.after is None:
            return ChangeKind.REMOVE
        return ChangeKind.CHANGE

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "before": plain(self.before), "after": plain(self.after)}


def plain(value: Any) -> Any:
    """Keyed maps, frozen mappings and tuples back to JSON-ready dicts and lists."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _get(obj: Any, path: list[Any]) -> Any:
    for step in path:
        if isinstance(obj, dict) and step in obj:
            obj = obj[step]
        elif isinstance(obj, list) and isinstance(step, int) and step < len(obj):
            obj = obj[step]
        else:
            return ABSENT
    return obj


def format_path(path: list[Any], before: Any, after: Any, prefix: str = "") -> str:
    """`containerDefinitions[app].image`: keys of Keyed maps in brackets, fields after dots."""
    out = prefix
    node_b, node_a = before, after
    for step in path:
        container = node_b if isinstance(node_b, dict) else node_a
        if isinstance(container, Keyed):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
        node_b = node_b.get(step, ABSENT) if isinstance(node_b, dict) else ABSENT
        node_a = node_a.get(step, ABSENT) if isinstance(node_a, dict) else ABSENT
    return out


def diff(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[Change]:
    """Changes from `before` (live) to `after` (desired), in a stable order."""
    if before == after:
        # Most services of a fleet are unchanged: no change can be reported where every value is
        # equal (each change below is kept only if its two sides differ), and deepdiff's import
        # (~0.15 s) and walk are not paid for them (make bench: plan of 100 services).
        return []
    from deepdiff import DeepDiff  # noqa: PLC0415 - only for a service that differs (see above)

    dd = DeepDiff(before, after, view="tree", ignore_order=False, verbose_level=2)
    paths: dict[tuple[Any, ...], None] = {}
    for report in dd.values():
        for level in report:
            raw = level.path(output_format="list")
            # A list changes as a whole: cut the path at the first list index.
            cut: list[Any] = []
            for step in raw:
                parent_b = _get(before, cut)
                parent_a = _get(after, cut)
                if isinstance(parent_b, list) or isinstance(parent_a, list):
                    break
                cut.append(step)
            paths[tuple(cut)] = None
    # deepdiff reports a dict that was empty on one side at the dict itself: name each key.
    expanded: dict[tuple[Any, ...], None] = {}
    todo = list(paths)
    while todo:
        path = todo.pop()
        b, a = _get(before, list(path)), _get(after, list(path))
        if isinstance(b, dict) and isinstance(a, dict):
            todo.extend(path + (k,) for k in set(b) | set(a) if b.get(k, ABSENT) != a.get(k, ABSENT))
        elif isinstance(b, Keyed) and a is ABSENT or isinstance(a, Keyed) and b is ABSENT:
            # A keyed list that appears or disappears whole: name its entries
            # (dependsOn[log_router] removed, not dependsOn).
            todo.extend(path + (k,) for k in (b if b is not ABSENT else a))
        else:
            expanded[path] = None
    changes = []
    for path in sorted(expanded, key=lambda p: [str(s) for s in p]):
        b = _get(before, list(path))
        a = _get(after, list(path))
        if b == a:
            continue
        changes.append(
            Change(
                path=format_path(list(path), before, after, prefix),
                before=None if b is ABSENT else plain(b),
                after=None if a is ABSENT else plain(a),
            )
        )
    return changes
