"""ecspresso-compatible templates: the subset of Go text/template that config and definition files use.

Supported, as ecspresso (kayac/go-config) renders them:

- ``{{ must_env "NAME" }}``: the variable's value; an unset variable is an error.
- ``{{ env "NAME" "default" }}`` / ``{{ env "NAME" }}``: the value, or the default ("" when not
  given) when the variable is unset or empty (go-config uses ``os.Getenv``, which cannot tell
  the two apart).
- ``json_escape``: escapes a string for use inside a JSON string literal, called directly
  (``json_escape (must_env "X")``) or at the end of a pipe (``must_env "X" | json_escape``).
- String arguments in "double quotes" (Go escapes) or `backticks` (raw); ``{{-`` / ``-}}`` trim
  whitespace as Go does; ``{{/* comments */}}`` render nothing.

Everything else Go or ecspresso plugins accept (``tfstate``, ``ssm``, ``.Field``, ``if``, ...)
is a TemplateError, so a file never renders half-understood. The whole text is parsed before
anything is evaluated, as Go does, so a syntax error is reported before a missing variable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Union

import attrs

from planner.errors import TemplateError

__all__ = ["render", "FUNCTIONS"]

FUNCTIONS = ("must_env", "env", "json_escape")
_SUPPORTED = "ecsplan supports must_env, env and json_escape"
# Go's isSpace: the characters a trim marker removes and that separate tokens.
_SPACE = " \t\r\n"
# Longest expression quoted back in a message; beyond this a file's context is noise.
_MAX_SHOWN = 120


@attrs.frozen(kw_only=True)
class _Str:
    value: str


@attrs.frozen(kw_only=True)
class _Call:
    name: str
    args: tuple[_Node, ...]


@attrs.frozen(kw_only=True)
class _Pipe:
    # Each later stage receives the previous stage's value as its last argument (Go semantics).
    stages: tuple[_Node, ...]


_Node = Union[_Str, _Call, _Pipe]


@attrs.frozen(kw_only=True)
class _Action:
    start: int  # offset of "{{" in the text, for line:column
    expr: str  # the action as written, for messages
    node: _Node | None  # None for a comment


@attrs.frozen(kw_only=True)
class _Token:
    kind: str  # "str", "ident", "(", ")", "|"
    value: str


class _Syntax(Exception):
    """Internal: a malformed action; turned into a TemplateError with position by the caller."""


def render(text: str, *, source: str, environ: Mapping[str, str] | None = None) -> str:
    """Render ``text`` (read from ``source``, named in errors); pure apart from reading ``environ``."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    parts = _parse(text, source)
    out: list[str] = []
    missing: list[tuple[str, _Action]] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part.node is not None:
            out.append(_evaluate(part.node, env, part, missing, text, source))
    if missing:
        name, action = missing[0]
        message = (
            f"environment variable {name} is not set (in {_shown(action.expr)}); "
            f'set {name} or use {{{{ env "{name}" "default" }}}}'
        )
        others = [f"{n} at {_where(text, a.start)}" for n, a in missing[1:]]
        if others:
            message += f" (also not set: {', '.join(others)})"
        raise TemplateError(message, file=source, where=_where(text, action.start))
    return "".join(out)


# --- parsing --------------------------------------------------------------------------------


def _parse(text: str, source: str) -> list[str | _Action]:
    parts: list[str | _Action] = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            parts.append(text[pos:])
            return parts
        try:
            node, end, trim_left, trim_right = _parse_action(text, start)
        except _Syntax as err:
            raise TemplateError(
                f"bad template expression {_shown(_expr_at(text, start))}: {err}; {_SUPPORTED}",
                file=source,
                where=_where(text, start),
            ) from None
        chunk = text[pos:start]
        parts.append(chunk.rstrip(_SPACE) if trim_left else chunk)
        parts.append(_Action(start=start, expr=text[start:end], node=node))
        pos = end
        if trim_right:
            while pos < len(text) and text[pos] in _SPACE:
                pos += 1


def _parse_action(text: str, start: int) -> tuple[_Node | None, int, bool, bool]:
    """Parse the action at ``start``; return (node, offset after "}}", trim left, trim right)."""
    i = start + 2
    trim_left = text.startswith("-", i) and i + 1 < len(text) and text[i + 1] in _SPACE
    if trim_left:
        i += 2
        while i < len(text) and text[i] in _SPACE:
            i += 1
    if text.startswith("/*", i):
        return _parse_comment(text, i, trim_left)
    tokens, end, trim_right = _lex(text, i)
    parser = _Parser(tokens)
    node = parser.pipeline()
    if not parser.at_end():
        raise _Syntax(f"unexpected {parser.describe_next()}")
    return node, end, trim_left, trim_right


def _parse_comment(text: str, i: int, trim_left: bool) -> tuple[None, int, bool, bool]:
    close = text.find("*/", i + 2)
    if close < 0:
        raise _Syntax("unclosed comment (no */)")
    j = close + 2
    if text.startswith("}}", j):
        return None, j + 2, trim_left, False
    k = j
    while k < len(text) and text[k] in _SPACE:
        k += 1
    if k > j and text.startswith("-}}", k):
        return None, k + 3, trim_left, True
    raise _Syntax("comment must end with */}}")


def _lex(text: str, i: int) -> tuple[list[_Token], int, bool]:
    """Tokens of one action from offset ``i``; return (tokens, offset after "}}", trim right)."""
    tokens: list[_Token] = []
    n = len(text)
    while True:
        if i >= n:
            raise _Syntax("unclosed action (no }})")
        ch = text[i]
        if ch in _SPACE:
            j = i
            while j < n and text[j] in _SPACE:
                j += 1
            if text.startswith("-}}", j):
                return tokens, j + 3, True
            i = j
        elif text.startswith("}}", i):
            return tokens, i + 2, False
        elif ch == '"':
            value, i = _lex_quoted(text, i)
            tokens.append(_Token(kind="str", value=value))
        elif ch == "`":
            close = text.find("`", i + 1)
            if close < 0:
                raise _Syntax("unterminated raw string (no closing `)")
            tokens.append(_Token(kind="str", value=text[i + 1 : close]))
            i = close + 1
        elif ch in "()|":
            tokens.append(_Token(kind=ch, value=ch))
            i += 1
        elif ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(_Token(kind="ident", value=text[i:j]))
            i = j
        elif ch == "{":
            raise _Syntax("unexpected { inside an action (unbalanced braces)")
        elif ch == "}":
            raise _Syntax("unexpected single } (an action ends with }})")
        else:
            raise _Syntax(f"unexpected {ch!r}")


_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_GO_KEYWORDS = frozenset(
    {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil"}
)


def _lex_quoted(text: str, i: int) -> tuple[str, int]:
    """A Go interpreted string literal starting at ``i`` (the quote); return (value, offset after it)."""
    out: list[str] = []
    j = i + 1
    n = len(text)
    while True:
        if j >= n or text[j] == "\n":
            raise _Syntax('unterminated quoted string (no closing ")')
        ch = text[j]
        if ch == '"':
            return "".join(out), j + 1
        if ch != "\\":
            out.append(ch)
            j += 1
            continue
        esc = text[j + 1 : j + 2]
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
            j += 2
        elif esc in _HEX_ESCAPES:
            width = _HEX_ESCAPES[esc]
            digits = text[j + 2 : j + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise _Syntax(f"bad escape \\{esc} in quoted string (needs {width} hex digits)")
            # Go's \xhh is a byte; as a code point it is the same for ASCII, which is all an
            # environment variable name or default needs.
            out.append(chr(int(digits, 16)))
            j += 2 + width
        elif esc and esc in "01234567":
            digits = text[j + 1 : j + 4]
            if len(digits) != 3 or any(c not in "01234567" for c in digits) or int(digits, 8) > 255:
                raise _Syntax("bad octal escape in quoted string (needs 3 octal digits, at most \\377)")
            out.append(chr(int(digits, 8)))
            j += 4
        else:
            raise _Syntax(f"unknown escape \\{esc} in quoted string")


class _Parser:
    """pipeline := command ("|" command)*;  command := operand+;  operand := STR | IDENT | "(" pipeline ")"."""

    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._i = 0

    def at_end(self) -> bool:
        return self._i >= len(self._tokens)

    def describe_next(self) -> str:
        if self.at_end():
            return "end of action"
        tok = self._tokens[self._i]
        return f"string {tok.value!r}" if tok.kind == "str" else repr(tok.value)

    def _peek(self) -> str | None:
        return None if self.at_end() else self._tokens[self._i].kind

    def pipeline(self) -> _Node:
        stages = [self._command()]
        while self._peek() == "|":
            self._i += 1
            stage = self._command()
            if not isinstance(stage, _Call):
                raise _Syntax("only a function can follow | in a pipe")
            stages.append(stage)
        return stages[0] if len(stages) == 1 else _Pipe(stages=tuple(stages))

    def _command(self) -> _Node:
        if self._peek() in (None, "|", ")"):
            raise _Syntax(f"missing value before {self.describe_next()}")
        head = self._operand()
        args: list[_Node] = []
        while self._peek() not in (None, "|", ")"):
            args.append(self._operand())
        if isinstance(head, _Call) and not head.args:
            return _Call(name=head.name, args=tuple(args))
        if args:
            raise _Syntax("only a function can take arguments")
        return head

    def _operand(self) -> _Node:
        tok = self._tokens[self._i]
        self._i += 1
        if tok.kind == "str":
            return _Str(value=tok.value)
        if tok.kind == "ident":
            if tok.value in _GO_KEYWORDS:
                raise _Syntax(f'Go template control structures ("{tok.value}") are not supported')
            if tok.value not in FUNCTIONS:
                # Most often an ecspresso plugin function (tfstate, ssm, secretsmanager...).
                raise _Syntax(
                    f'unknown function "{tok.value}" (to use a value ecspresso would look up, '
                    f'put it in an environment variable and read it with must_env)'
                )
            return _Call(name=tok.value, args=())
        if tok.kind == "(":
            inner = self.pipeline()
            if self._peek() != ")":
                raise _Syntax(f"missing ) before {self.describe_next()}")
            self._i += 1
            return inner
        raise _Syntax(f"unexpected {tok.value!r}")


# --- evaluation -----------------------------------------------------------------------------

_ARITY = {"must_env": (1, 1), "env": (1, 2), "json_escape": (1, 1)}


def _evaluate(
    node: _Node,
    env: Mapping[str, str],
    action: _Action,
    missing: list[tuple[str, _Action]],
    text: str,
    source: str,
    piped: str | None = None,
) -> str:
    if isinstance(node, _Str):
        return node.value
    if isinstance(node, _Pipe):
        value: str | None = None
        for stage in node.stages:
            value = _evaluate(stage, env, action, missing, text, source, value)
        assert value is not None
        return value
    args = [_evaluate(arg, env, action, missing, text, source) for arg in node.args]
    if piped is not None:
        args.append(piped)
    low, high = _ARITY[node.name]
    if not low <= len(args) <= high:
        wanted = str(low) if low == high else f"{low} or {high}"
        raise TemplateError(
            f"bad template expression {_shown(action.expr)}: {node.name} takes {wanted} "
            f"argument{'s' if high > 1 else ''}, got {len(args)}; {_SUPPORTED}",
            file=source,
            where=_where(text, action.start),
        )
    if node.name == "must_env":
        name = args[0]
        if name not in env:
            # Keep going so one error can name every unset variable.
            missing.append((name, action))
            return ""
        return env[name]
    if node.name == "env":
        return env.get(args[0], "") or (args[1] if len(args) > 1 else "")
    # json_escape: the body of a JSON string literal, without the surrounding quotes.
    return json.dumps(args[0], ensure_ascii=False)[1:-1]


# --- messages -------------------------------------------------------------------------------


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}:{column}"


def _expr_at(text: str, start: int) -> str:
    """The action as written, for a message about an action that did not parse."""
    end = text.find("}}", start + 2)
    if end < 0:
        newline = text.find("\n", start)
        return text[start : newline if newline >= 0 else len(text)]
    return text[start : end + 2]


def _shown(expr: str) -> str:
    expr = " ".join(expr.split())
    return expr if len(expr) <= _MAX_SHOWN else expr[: _MAX_SHOWN - 3] + "..."
