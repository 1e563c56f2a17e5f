"""Masking of secret-looking values in printed output (plans as text, markdown, JSON, and the
documents `ecsplan render` prints). Plan files keep the real values: apply needs them.

Many users keep secrets in plain `environment` values; an environment entry whose name matches
one of the patterns (case-insensitive substring) is shown as `(sensitive)`. A change to such a
value is still shown as a change. Values looked up as secrets (an SSM SecureString in a template)
are masked wherever they appear, whatever the key: any string holding one is shown as
`(sensitive)`, and so is the value it replaces at the same place (the secret before a rotation).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from planner.diff import Change, plain

SENSITIVE = "(sensitive)"
DEFAULT_PATTERNS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "PRIVATE", "AUTH")

_ENV_ENTRY = re.compile(r"\.environment\[([^\]]+)\]$")


class _SecretValue(str):
    """A looked-up secret value carried among the name patterns (patterns_for): matched by value."""

    __slots__ = ()


def is_sensitive(name: str, patterns: Iterable[str]) -> bool:
    upper = name.upper()
    return any(p.upper() in upper for p in patterns if not isinstance(p, _SecretValue))


def _holds_secret(value: Any, patterns: tuple[str, ...]) -> bool:
    return isinstance(value, str) and any(p in value for p in patterns if isinstance(p, _SecretValue))


def _mask_tree(value: Any, patterns: tuple[str, ...], under_env: bool = False) -> Any:
    if _holds_secret(value, patterns):
        return SENSITIVE
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if under_env and is_sensitive(str(k), patterns) and not isinstance(v, (dict, list)):
                out[k] = SENSITIVE
            else:
                out[k] = _mask_tree(v, patterns, under_env=(k == "environment" and isinstance(v, (dict, list))))
        return out
    if isinstance(value, list):
        # The raw API shape: [{"name": ..., "value": ...}] under "environment".
        return [_mask_entry(v, patterns) if under_env else _mask_tree(v, patterns) for v in value]
    return value


def _mask_entry(entry: Any, patterns: tuple[str, ...]) -> Any:
    if isinstance(entry, dict) and "name" in entry and "value" in entry and is_sensitive(str(entry["name"]), patterns):
        return {**entry, "value": SENSITIVE}
    return _mask_tree(entry, patterns)


def mask_value(path: str, value: Any, patterns: tuple[str, ...]) -> Any:
    value = plain(value)
    if value is None:
        return None
    m = _ENV_ENTRY.search(path)
    if m and is_sensitive(m.group(1), patterns):
        return SENSITIVE
    return _mask_tree(value, patterns, under_env=path.endswith(".environment") or path == "environment")


def mask_pair(path: str, before: Any, after: Any, patterns: tuple[str, ...]) -> tuple[Any, Any]:
    """(before, after) masked; where the new value is a looked-up secret, the value it replaces
    at the same place is masked too: it is the secret before a rotation (an old SecureString
    value, read back from the registered revision, is in no lookup of this run)."""
    masked_after = mask_value(path, after, patterns)
    return _mask_where(mask_value(path, before, patterns), masked_after), masked_after


def _mask_where(before: Any, after: Any) -> Any:
    if after == SENSITIVE and isinstance(before, str):
        return SENSITIVE
    if isinstance(before, dict) and isinstance(after, dict):
        return {k: _mask_where(v, after[k]) if k in after else v for k, v in before.items()}
    if isinstance(before, list) and isinstance(after, list):
        return [_mask_where(b, a) for b, a in zip(before, after)] + before[len(after) :]
    return before


def mask_document(document: Any, patterns: tuple[str, ...]) -> Any:
    """A whole document (a rendered task or service definition, the config) under the same rules:
    environment entries by name (the API's [{"name", "value"}] shape too), secrets by value."""
    return _mask_tree(plain(document), patterns)


def mask_change(change: Change, patterns: tuple[str, ...]) -> Change:
    before, after = mask_pair(change.path, change.before, change.after, patterns)
    return Change(path=change.path, before=before, after=after)


def patterns_for(extra: Iterable[str], secret_values: Iterable[str] = ()) -> tuple[str, ...]:
    """The name patterns, with the looked-up secret values (matched by value) among them."""
    return DEFAULT_PATTERNS + tuple(extra) + tuple(_SecretValue(v) for v in secret_values if v)
