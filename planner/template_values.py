"""Go's values as text/template sees them: truth, printing (print / println / printf and fmt's
Sprintf verbs real configs use), comparison and index. Split from planner/template.py, which
parses and runs templates with them."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any


class _EvalError(Exception):
    """Internal: an action failed while running; turned into a TemplateError with position."""


def truth(value: Any) -> bool:
    """Go's template truth: false, 0, nil and empty strings / lists / maps are false."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float, str, list, dict)):
        return bool(value)
    return True


def to_text(value: Any) -> str:
    """How Go prints a value into the output."""
    if value is None:
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (dict, list)):
        # tfstate-lookup renders a non-scalar attribute as JSON.
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _text_arg(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _EvalError(f"{name} takes a string, got {_go_kind(value)} {to_text(value)}")
    return value


def _go_kind(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__


def _compare(name: str, a: Any, b: Any) -> int:
    ka, kb = _go_kind(a), _go_kind(b)
    if ka != kb:
        raise _EvalError(f"{name}: incompatible types for comparison ({ka} and {kb})")
    if name in ("eq", "ne"):
        return 0 if a == b else 1
    if ka not in ("int", "string"):
        raise _EvalError(f"{name}: invalid type for comparison ({ka})")
    return int(a > b) - int(a < b)


def _index(value: Any, keys: list[Any]) -> Any:
    for key in keys:
        if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
            if not 0 <= key < len(value):
                raise _EvalError(f"index {key} out of range (length {len(value)})")
            value = value[key]
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            raise _EvalError(f"cannot index {_go_kind(value)} with {_go_kind(key)}")
    return value


def _sprint(args: Sequence[Any]) -> str:
    # fmt.Sprint: a space between operands when neither is a string.
    out = ""
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out += " "
        out += to_text(arg)
    return out


_VERB = re.compile(r"%([-+# 0]*\d*(?:\.\d+)?)([a-zA-Z%])")


def go_sprintf(fmt: str, args: Sequence[Any]) -> str:
    """Go's fmt.Sprintf for the verbs templates use (tfstatef builds its address with it)."""
    return _sprintf(fmt, args)


def _sprintf(fmt: str, args: Sequence[Any]) -> str:
    """fmt.Sprintf for the verbs templates use: %s %v %d %q %x %t %%."""
    out: list[str] = []
    pos = 0
    used = 0
    for match in _VERB.finditer(fmt):
        out.append(fmt[pos : match.start()])
        pos = match.end()
        flags, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        if used >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[used]
        used += 1
        if verb in ("s", "v", "t"):
            text = to_text(arg)
        elif verb == "d" and isinstance(arg, int) and not isinstance(arg, bool):
            text = str(arg)
        elif verb == "q" and isinstance(arg, str):
            text = json.dumps(arg, ensure_ascii=False)
        elif verb == "x" and isinstance(arg, (int, str)) and not isinstance(arg, bool):
            text = format(arg, "x") if isinstance(arg, int) else arg.encode().hex()
        else:
            text = f"%!{verb}({_go_kind(arg)}={to_text(arg)})"
        width = re.match(r"-?0?(\d*)", flags.replace("+", "").replace("#", "").replace(" ", ""))
        size = int(width.group(1)) if width and width.group(1) else 0
        text = text.ljust(size) if flags.startswith("-") else text.rjust(size, "0" if flags.startswith("0") else " ")
        out.append(text)
    out.append(fmt[pos:])
    if used < len(args):
        out.append("%!(EXTRA " + ", ".join(f"{_go_kind(a)}={to_text(a)}" for a in args[used:]) + ")")
    return "".join(out)
