"""ecspresso-compatible templates: the part of Go text/template that config and definition files use.

As ecspresso renders them (kayac/go-config's functions, Go's text/template):

- ``{{ must_env "NAME" }}``: the variable's value (set but empty is fine); an unset variable is an error.
- ``{{ env "NAME" "default" }}``: go-config's ``env`` takes any number of names and returns the first
  that is set and not empty; when none is, it returns the *last argument itself*. So
  ``{{ env "UNSET" }}`` renders ``UNSET``, and the default is itself looked up as a variable name
  (``{{ env "A" "HOME" }}`` gives $HOME when A is unset): both are go-config's behaviour, kept.
- ``json_escape``: the body of a JSON string literal (``must_env "X" | json_escape``).
- Control flow real configs use: ``if`` / ``else if`` / ``else`` / ``end``, with Go's builtins
  ``eq ne lt le gt ge and or not len index print printf println``; pipelines; parentheses;
  string ("..." with Go escapes, `raw`), integer and boolean literals; ``{{-`` / ``-}}`` trim
  markers; ``{{/* comments */}}``.
- Lookup functions (tfstate, ssm, secretsmanager_arn, cfn_output, ...) are handed in as plain
  callables (``Function``): the planner never talks to AWS. A failing lookup raises
  ``LookupFailed``; the error names the file, the line, the function and what is missing.

Not supported (a TemplateError naming the construct, so a file never renders half-understood):
``range``, ``with``, ``define``/``template``/``block``, variables (``$x``) and fields (``.Foo``;
go-config renders with no data). The whole text is parsed before anything is evaluated, as Go
does, so a syntax error is reported before a missing variable.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Union

import attrs

from planner.errors import LookupFailed, TemplateError
from planner.template_values import _compare, _EvalError, _go_kind, _index, _sprint, _sprintf, _text_arg, go_sprintf, to_text, truth

__all__ = ["render", "render_tracked", "static_calls", "go_sprintf", "Function", "Secret", "FUNCTIONS", "Rendered"]

FUNCTIONS = ("must_env", "env", "json_escape")
_BUILTINS = ("and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index", "print", "printf", "println")
# Go's isSpace: the characters a trim marker removes and that separate tokens.
_SPACE = " \t\r\n"
# Longest expression quoted back in a message; beyond this a file's context is noise.
_MAX_SHOWN = 120
# Functions ecspresso's plugins add, and the plugin that adds each (for "unknown function" hints).
PLUGIN_OF = {
    "tfstate": "tfstate",
    "tfstatef": "tfstate",
    "cfn_output": "cloudformation",
    "cfn_export": "cloudformation",
    "ssm": "ssm",
    "ssm_list": "ssm",
    "secretsmanager_arn": "secretsmanager",
}


class Secret(str):
    """A looked-up value that must never be shown (an SSM SecureString): the renderer records it
    so outputs can mask it; the payload sent to AWS carries the real value."""

    __slots__ = ()


@attrs.frozen(kw_only=True)
class Function:
    """A function templates (and Jsonnet, as ``std.native(name)``) may call.

    ``call`` gets the arguments as written (str, int, bool) and returns a value; it raises
    LookupFailed with what is missing. ``jsonnet_params`` names the parameters of the Jsonnet
    native function (None: not offered to Jsonnet). ``prefetch``, when given, is called once per
    file with every call of this function whose arguments are literals, before rendering, so that
    lookups can be batched (GetParameters takes 10 names)."""

    call: Callable[..., Any]
    min_args: int
    max_args: int | None  # None: any number
    jsonnet_params: tuple[str, ...] | None = None
    prefetch: Callable[[Sequence[tuple[Any, ...]]], None] | None = None


@attrs.frozen(kw_only=True)
class Rendered:
    text: str
    secrets: tuple[str, ...]  # values of Secret results used in the text


# --- the parse tree -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Lit:
    value: Any


@attrs.frozen(kw_only=True)
class _Call:
    name: str
    args: tuple[_Node, ...]


@attrs.frozen(kw_only=True)
class _Pipe:
    # Each later stage receives the previous stage's value as its last argument (Go semantics).
    stages: tuple[_Node, ...]


_Node = Union[_Lit, _Call, _Pipe]


@attrs.frozen(kw_only=True)
class _Action:
    start: int  # offset of "{{" in the text, for line:column
    expr: str  # the action as written, for messages


@attrs.frozen(kw_only=True)
class _Output:
    action: _Action
    node: _Node


@attrs.frozen(kw_only=True)
class _If:
    # (action, condition, body) per `if` / `else if`; then the `else` body.
    branches: tuple[tuple[_Action, _Node, tuple[_Item, ...]], ...]
    otherwise: tuple[_Item, ...]


_Item = Union[str, _Output, _If]


@attrs.frozen(kw_only=True)
class _Token:
    kind: str  # "str", "num", "ident", "(", ")", "|"
    value: Any


class _Syntax(Exception):
    """Internal: a malformed action; turned into a TemplateError with position by the caller."""


# --- entry points ---------------------------------------------------------------------------


def render(
    text: str,
    *,
    source: str,
    environ: Mapping[str, str] | None = None,
    functions: Mapping[str, Function] | None = None,
) -> str:
    """Render ``text`` (read from ``source``, named in errors); see ``render_tracked``."""
    return render_tracked(text, source=source, environ=environ, functions=functions).text


def render_tracked(
    text: str,
    *,
    source: str,
    environ: Mapping[str, str] | None = None,
    functions: Mapping[str, Function] | None = None,
) -> Rendered:
    """Render ``text``; pure apart from reading ``environ`` and what ``functions`` do. Returns the
    text and the secret values (Secret results) it holds."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    funcs = dict(functions or {})
    items = _parse(text, source, known=set(FUNCTIONS) | set(_BUILTINS) | set(funcs))
    for name, calls in _literal_calls(items, {n for n, f in funcs.items() if f.prefetch is not None}).items():
        prefetch = funcs[name].prefetch
        assert prefetch is not None
        try:
            prefetch(calls)
        except LookupFailed:
            pass  # each call reports its own failure, with its position
    run = _Run(env=env, functions=funcs, text=text, source=source, known=sorted(set(FUNCTIONS) | set(funcs)))
    out: list[str] = []
    run.items(items, out)
    if run.missing:
        name, action = run.missing[0]
        message = (
            f"environment variable {name} is not set (in {_shown(action.expr)}); "
            f'set {name} or use {{{{ env "{name}" "default" }}}}'
        )
        others = [f"{n} at {_where(text, a.start)}" for n, a in run.missing[1:]]
        if others:
            message += f" (also not set: {', '.join(others)})"
        raise TemplateError(_without_secrets(message, run.secrets), file=source, where=_where(text, action.start))
    return Rendered(text="".join(out), secrets=tuple(dict.fromkeys(run.secrets)))


def static_calls(text: str, source: str, names: set[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Calls of ``names`` whose arguments are all literals (for batching lookups across files)."""
    return _literal_calls(_parse(text, source, known=None), names)


# --- parsing --------------------------------------------------------------------------------


@attrs.define
class _Frame:
    branches: list[tuple[_Action, _Node, list[_Item]]]
    otherwise: list[_Item] | None
    opened: _Action


def _parse(text: str, source: str, known: set[str] | None) -> tuple[_Item, ...]:
    root: list[_Item] = []
    stack: list[_Frame] = []

    def current() -> list[_Item]:
        if not stack:
            return root
        frame = stack[-1]
        return frame.otherwise if frame.otherwise is not None else frame.branches[-1][2]

    def fail(start: int, why: str) -> TemplateError:
        return TemplateError(
            f"bad template expression {_shown(_expr_at(text, start))}: {why}", file=source, where=_where(text, start)
        )

    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            current().append(text[pos:])
            break
        try:
            tokens, end, trim_left, trim_right, comment = _scan_action(text, start)
        except _Syntax as err:
            raise fail(start, str(err)) from None
        chunk = text[pos:start]
        current().append(chunk.rstrip(_SPACE) if trim_left else chunk)
        action = _Action(start=start, expr=text[start:end])
        pos = end
        if trim_right:
            while pos < len(text) and text[pos] in _SPACE:
                pos += 1
        if comment:
            continue
        try:
            head = tokens[0].value if tokens and tokens[0].kind == "ident" else None
            if head == "if":
                cond = _parse_pipeline(tokens[1:], known, "if")
                stack.append(_Frame(branches=[(action, cond, [])], otherwise=None, opened=action))
            elif head == "else":
                if not stack:
                    raise _Syntax("{{ else }} without {{ if }}")
                frame = stack[-1]
                if frame.otherwise is not None:
                    raise _Syntax("a second {{ else }} in the same {{ if }}")
                if len(tokens) > 1 and tokens[1].kind == "ident" and tokens[1].value == "if":
                    frame.branches.append((action, _parse_pipeline(tokens[2:], known, "else if"), []))
                elif len(tokens) > 1:
                    raise _Syntax("else takes nothing after it, or `if` and a condition")
                else:
                    frame.otherwise = []
            elif head == "end":
                if len(tokens) > 1:
                    raise _Syntax("end takes nothing after it")
                if not stack:
                    raise _Syntax("{{ end }} without {{ if }}")
                frame = stack.pop()
                current().append(
                    _If(
                        branches=tuple((a, c, tuple(b)) for a, c, b in frame.branches),
                        otherwise=tuple(frame.otherwise or ()),
                    )
                )
            elif head in _UNSUPPORTED_KEYWORDS:
                raise _Syntax(
                    f'Go template "{head}" is not supported by ecsplan (if / else / end are); '
                    "see README, Coming from ecspresso"
                )
            else:
                current().append(_Output(action=action, node=_parse_pipeline(tokens, known, None)))
        except _Syntax as err:
            raise fail(start, str(err)) from None
    if stack:
        raise TemplateError(
            f"{_shown(stack[-1].opened.expr)} has no {{{{ end }}}}",
            file=source,
            where=_where(text, stack[-1].opened.start),
        )
    return tuple(root)


_UNSUPPORTED_KEYWORDS = frozenset({"range", "with", "define", "template", "block", "break", "continue"})


def _parse_pipeline(tokens: list[_Token], known: set[str] | None, keyword: str | None) -> _Node:
    if keyword and not tokens:
        raise _Syntax(f"{keyword} needs a condition")
    parser = _Parser(tokens, known)
    node = parser.pipeline()
    if not parser.at_end():
        raise _Syntax(f"unexpected {parser.describe_next()}")
    return node


def _scan_action(text: str, start: int) -> tuple[list[_Token], int, bool, bool, bool]:
    """Tokens of the action at ``start``; (tokens, offset after "}}", trim left, trim right, is comment)."""
    i = start + 2
    trim_left = text.startswith("-", i) and i + 1 < len(text) and text[i + 1] in _SPACE
    if trim_left:
        i += 2
        while i < len(text) and text[i] in _SPACE:
            i += 1
    if text.startswith("/*", i):
        end, trim_right = _scan_comment(text, i)
        return [], end, trim_left, trim_right, True
    tokens, end, trim_right = _lex(text, i)
    return tokens, end, trim_left, trim_right, False


def _scan_comment(text: str, i: int) -> tuple[int, bool]:
    close = text.find("*/", i + 2)
    if close < 0:
        raise _Syntax("unclosed comment (no */)")
    j = close + 2
    if text.startswith("}}", j):
        return j + 2, False
    k = j
    while k < len(text) and text[k] in _SPACE:
        k += 1
    if k > j and text.startswith("-}}", k):
        return k + 3, True
    raise _Syntax("comment must end with */}}")


_NUMBER = re.compile(r"-?(?:0[xX][0-9a-fA-F]+|\d+)")


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
        elif (match := _NUMBER.match(text, i)) is not None and (ch != "-" or match.end() > i + 1):
            tokens.append(_Token(kind="num", value=int(match.group(0), 0)))
            i = match.end()
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
        elif ch == ".":
            raise _Syntax("unexpected '.': fields (.Foo) are not supported; go-config renders with no data")
        elif ch == "$":
            raise _Syntax("unexpected '$': template variables are not supported")
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


_LITERAL_IDENTS = {"true": True, "false": False, "nil": None}


class _Parser:
    """pipeline := command ("|" command)*;  command := operand+;  operand := literal | IDENT | "(" pipeline ")"."""

    def __init__(self, tokens: list[_Token], known: set[str] | None) -> None:
        self._tokens = tokens
        self._known = known
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
        if tok.kind in ("str", "num"):
            return _Lit(value=tok.value)
        if tok.kind == "ident":
            name = tok.value
            if name in _LITERAL_IDENTS:
                return _Lit(value=_LITERAL_IDENTS[name])
            if name in ("if", "else", "end") or name in _UNSUPPORTED_KEYWORDS:
                raise _Syntax(f'unexpected "{name}" inside an expression')
            if self._known is not None and name not in self._known:
                raise _Syntax(_unknown_function(name, self._known))
            return _Call(name=name, args=())
        if tok.kind == "(":
            inner = self.pipeline()
            if self._peek() != ")":
                raise _Syntax(f"missing ) before {self.describe_next()}")
            self._i += 1
            return inner
        raise _Syntax(f"unexpected {tok.value!r}")


def _unknown_function(name: str, known: set[str]) -> str:
    available = ", ".join(sorted(known - set(_BUILTINS)))
    message = f'unknown function "{name}"'
    base = next((p for p in PLUGIN_OF if name.endswith(p) and name != p), None)
    if name in PLUGIN_OF:
        plugin = PLUGIN_OF[name]
        message += (
            f" (the {plugin} plugin adds it: declare `plugins: [{{name: {plugin}, ...}}]` in the config; "
            "lookups are not available in the config file itself)"
        )
    elif base is not None:
        message += f" (a {base} with a func_prefix: check the plugin's func_prefix in the config)"
    return f"{message}; available: {available}"


def _literal_calls(items: Sequence[_Item], names: set[str]) -> dict[str, list[tuple[Any, ...]]]:
    found: dict[str, list[tuple[Any, ...]]] = {}

    def node(n: _Node) -> None:
        if isinstance(n, _Pipe):
            for s in n.stages:
                node(s)
        elif isinstance(n, _Call):
            if n.name in names and all(isinstance(a, _Lit) for a in n.args):
                found.setdefault(n.name, []).append(tuple(a.value for a in n.args if isinstance(a, _Lit)))
            for a in n.args:
                node(a)

    def walk(seq: Sequence[_Item]) -> None:
        for item in seq:
            if isinstance(item, _Output):
                node(item.node)
            elif isinstance(item, _If):
                for _, cond, body in item.branches:
                    node(cond)
                    walk(body)
                walk(item.otherwise)

    if names:
        walk(items)
    return found


# --- evaluation -----------------------------------------------------------------------------

_ARITY: dict[str, tuple[int, int | None]] = {
    "must_env": (1, 1),
    "env": (0, None),
    "json_escape": (1, 1),
    "not": (1, 1),
    "and": (1, None),
    "or": (1, None),
    "eq": (2, None),
    "ne": (2, 2),
    "lt": (2, 2),
    "le": (2, 2),
    "gt": (2, 2),
    "ge": (2, 2),
    "len": (1, 1),
    "index": (1, None),
    "print": (0, None),
    "printf": (1, None),
    "println": (0, None),
}
_NO_PIPE = object()


@attrs.define
class _Run:
    env: Mapping[str, str]
    functions: Mapping[str, Function]
    text: str
    source: str
    known: list[str]
    missing: list[tuple[str, _Action]] = attrs.Factory(list)
    secrets: list[str] = attrs.Factory(list)

    def items(self, items: Sequence[_Item], out: list[str]) -> None:
        for item in items:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, _Output):
                out.append(to_text(self.eval(item.node, item.action)))
            else:
                for action, cond, body in item.branches:
                    if truth(self.eval(cond, action)):
                        self.items(body, out)
                        break
                else:
                    self.items(item.otherwise, out)

    def eval(self, node: _Node, action: _Action) -> Any:
        try:
            return self._node(node, action)
        except _EvalError as err:
            # A message may quote a value this run looked up as a secret: never print it.
            message = _without_secrets(f"{_shown(action.expr)}: {err}", self.secrets)
            raise TemplateError(message, file=self.source, where=_where(self.text, action.start)) from None

    def _node(self, node: _Node, action: _Action, piped: Any = _NO_PIPE) -> Any:
        if isinstance(node, _Lit):
            return node.value
        if isinstance(node, _Pipe):
            value: Any = _NO_PIPE
            for stage in node.stages:
                value = self._node(stage, action, value)
            return value
        return self._call(node, action, piped)

    def _call(self, node: _Call, action: _Action, piped: Any) -> Any:
        name = node.name
        fn = self.functions.get(name)
        low, high = (fn.min_args, fn.max_args) if fn is not None else _ARITY[name]
        count = len(node.args) + (0 if piped is _NO_PIPE else 1)
        if count < low or (high is not None and count > high):
            wanted = str(low) if low == high else (f"{low} or more" if high is None else f"{low} to {high}")
            raise _EvalError(f"{name} takes {wanted} argument{'' if wanted == '1' else 's'}, got {count}")
        if name in ("and", "or") and fn is None:
            # Go 1.18+: and/or stop at the first argument that decides, and return it.
            value: Any = None
            for arg in node.args:
                value = self._node(arg, action)
                if truth(value) != (name == "and"):
                    return value
            return piped if piped is not _NO_PIPE else value
        args = [self._node(arg, action) for arg in node.args]
        if piped is not _NO_PIPE:
            args.append(piped)
        if fn is not None:
            try:
                result = fn.call(*args)
            except LookupFailed as err:
                raise _EvalError(f"{name}: {err}") from None
            if isinstance(result, Secret):
                self.secrets.append(str(result))
            return result
        return self._builtin(name, args, action)

    def _builtin(self, name: str, args: list[Any], action: _Action) -> Any:
        if name == "must_env":
            key = _text_arg(name, args[0])
            if key not in self.env:
                # Keep going so one error can name every unset variable.
                self.missing.append((key, action))
                return ""
            return self.env[key]
        if name == "env":
            value = ""
            for arg in args:
                key = _text_arg(name, arg)
                value = self.env.get(key, "")
                if value:
                    return value
                value = key
            return value
        if name == "json_escape":
            return json.dumps(_text_arg(name, args[0]), ensure_ascii=False)[1:-1]
        if name == "not":
            return not truth(args[0])
        if name == "eq":
            return any(_compare(name, args[0], other) == 0 for other in args[1:])
        if name in ("ne", "lt", "le", "gt", "ge"):
            c = _compare(name, args[0], args[1])
            return {"ne": c != 0, "lt": c < 0, "le": c <= 0, "gt": c > 0, "ge": c >= 0}[name]
        if name == "len":
            if not isinstance(args[0], (str, list, dict)):
                raise _EvalError(f"len of {_go_kind(args[0])}")
            return len(args[0])
        if name == "index":
            return _index(args[0], args[1:])
        if name == "print":
            return _sprint(args)
        if name == "println":
            return " ".join(to_text(a) for a in args) + "\n"
        return _sprintf(_text_arg(name, args[0]), args[1:])


# --- messages -------------------------------------------------------------------------------


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}:{column}"


def _without_secrets(message: str, secrets: Sequence[str]) -> str:
    """A message may quote a value this run looked up as a secret: never print it."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        message = message.replace(secret, "(sensitive)")
    return message


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
