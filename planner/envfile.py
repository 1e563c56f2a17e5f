"""--envfile FILE: environment files in the format ecspresso reads (hashicorp/go-envparse).

    # a comment
    IMAGE_TAG=1.25
    export CLUSTER=prod            # `export ` is allowed; a comment after an unquoted value too
    GREETING="hello\\nworld"       # double quotes: \\n \\t \\" \\\\ \\$ escapes
    RAW='no $escapes here'        # single quotes: taken as written

Values are loaded before any template renders and override the process environment, as
ecspresso's os.Setenv does; later files override earlier ones. Pure: the caller reads the file.
"""

from __future__ import annotations

import re

from planner.errors import ConfigError

__all__ = ["parse_envfile", "load_envfiles"]

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_DOUBLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$", "'": "'", "`": "`", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def parse_envfile(text: str, *, source: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export ") or line.startswith("export\t"):
            line = line[len("export") :].lstrip()
        key, sep, rest = line.partition("=")
        key = key.rstrip()
        where = f"line {number}"
        if not sep:
            raise ConfigError(f"expected KEY=VALUE, got {_quoted_line(raw)}", file=source, where=where)
        if not _KEY.fullmatch(key):
            raise ConfigError(f"{key!r} is not a variable name (letters, digits and _)", file=source, where=where)
        values[key] = _value(rest.lstrip(), source, where, key)
    return values


def _quoted_line(raw: str) -> str:
    """A line without `=`, quoted in the error: `NAME value` with a secret-looking NAME shows the
    name only (the masking rules of the plans, planner/render/mask.py)."""
    from planner.render.mask import DEFAULT_PATTERNS, SENSITIVE, is_sensitive, mask_text  # noqa: PLC0415 - only on bad input

    name, _, value = raw.strip().partition(" ")
    if value.strip() and is_sensitive(name, DEFAULT_PATTERNS):
        return repr(f"{name} {SENSITIVE}")
    return repr(mask_text(raw.strip()))


def _value(rest: str, source: str, where: str, key: str) -> str:
    if rest.startswith("'"):
        close = rest.find("'", 1)
        if close < 0:
            raise ConfigError("unterminated single-quoted value", file=source, where=where)
        _trailing(rest[close + 1 :], source, where, key)
        return rest[1:close]
    if rest.startswith('"'):
        out: list[str] = []
        i = 1
        while i < len(rest):
            ch = rest[i]
            if ch == '"':
                _trailing(rest[i + 1 :], source, where, key)
                return "".join(out)
            if ch == "\\" and i + 1 < len(rest):
                esc = rest[i + 1]
                if esc not in _DOUBLE_ESCAPES:
                    raise ConfigError(f"unknown escape \\{esc} in a double-quoted value", file=source, where=where)
                out.append(_DOUBLE_ESCAPES[esc])
                i += 2
                continue
            out.append(ch)
            i += 1
        raise ConfigError("unterminated double-quoted value", file=source, where=where)
    # Unquoted: up to a comment (" #"), trimmed.
    match = re.search(r"\s#", rest)
    return (rest[: match.start()] if match else rest).strip()


def _trailing(rest: str, source: str, where: str, key: str) -> None:
    rest = rest.strip()
    if rest and not rest.startswith("#"):
        from planner.render.mask import DEFAULT_PATTERNS, is_sensitive  # noqa: PLC0415 - only on bad input

        if is_sensitive(key, DEFAULT_PATTERNS):  # the rest of a secret value: never quoted
            raise ConfigError(f"unexpected text after the quoted value of {key}", file=source, where=where)
        raise ConfigError(f"unexpected {rest!r} after the quoted value", file=source, where=where)


MAX_ENVFILE_CHARS = 1024 * 1024


def load_envfiles(paths: list[str]) -> dict[str, str]:
    """The variables of every file, in order (a later file wins)."""
    values: dict[str, str] = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read(MAX_ENVFILE_CHARS + 1)  # bounded: a device (/dev/zero) never ends
        except FileNotFoundError as err:
            raise ConfigError("envfile not found (--envfile)", file=path) from err
        except OSError as err:
            raise ConfigError(f"envfile cannot be read: {err.strerror}", file=path) from err
        except UnicodeDecodeError as err:
            raise ConfigError(f"envfile is not UTF-8 text (byte {err.start})", file=path) from err
        if len(text) > MAX_ENVFILE_CHARS:
            raise ConfigError(f"envfile is over {MAX_ENVFILE_CHARS} characters (1 MiB); is it the right file?", file=path)
        values.update(parse_envfile(text, source=path))
    return values
