"""A readable inline diff of long values (a command line, JSON in an env var): the words that
changed, in `[-removed-]{+added+}` marks (git's --word-diff), the rest kept around them."""

from __future__ import annotations

import difflib
import re
from typing import Any

_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
LONG = 40  # shorter values read fine as `old -> new`


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return " ".join(str(v) for v in value)  # a command line reads like one
    return None


def inline_diff(before: Any, after: Any, *, context: int = 24) -> str | None:
    """None when the values are short or not text-like: the plain `old -> new` is clearer."""
    old, new = _as_text(before), _as_text(after)
    if old is None or new is None or max(len(old), len(new)) < LONG:
        return None
    if old.startswith("arn:") or new.startswith("arn:"):
        return None  # an ARN's changed part is its readable tail: `old -> new` says it
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.ratio() < 0.5:  # little in common (e.g. an ARN -> "(known after apply)"): old -> new reads better
        return None
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            same = "".join(a[i1:i2])
            if len(same) > 2 * context:  # keep a little context either side of a change
                if i1 == 0:
                    same = "… " + same[-context:]
                elif i2 == len(a):
                    same = same[:context] + " …"
                else:
                    same = same[:context] + " … " + same[-context:]
            out.append(same)
        else:
            if i2 > i1:
                out.append("[-" + "".join(a[i1:i2]) + "-]")
            if j2 > j1:
                out.append("{+" + "".join(b[j1:j2]) + "+}")
    return "".join(out)

