"""Jsonnet config and definition files, as ecspresso evaluates them.

A ``.jsonnet`` file is evaluated (imports relative to the file, ``std.extVar`` from --ext-str /
--ext-code), then its JSON is rendered as a template and parsed, as ecspresso does. Native
functions, ``std.native('name')``: ``env(name, default)``, ``must_env(name)`` and every lookup the
config's plugins add (``tfstate``, ``ssm``, ``ssm_list``, ``secretsmanager_arn``, ``cfn_output``,
``cfn_export``, with their func_prefix). An error names the file, the line and the column.

Pure apart from what the lookups do; the `jsonnet` package is imported only when a Jsonnet file is
read, so `ecsplan --help` stays fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from planner.errors import ConfigError, LookupFailed
from planner.template import Function, Secret

__all__ = ["evaluate"]

_LOCATION = re.compile(r"(?P<file>[^\s:][^:\n]*?):\(?(?P<line>\d+):(?P<col>\d+)")


def evaluate(
    path: str,
    *,
    environ: Mapping[str, str],
    ext_str: Mapping[str, str],
    ext_code: Mapping[str, str],
    functions: Mapping[str, Function],
    secrets: list[str],
) -> str:
    """The JSON text of the Jsonnet file at ``path``; Secret lookup results are added to ``secrets``."""
    import _jsonnet  # noqa: PLC0415 - a C extension needed only for Jsonnet files (fast --help)

    def must_env(name: str) -> str:
        if name not in environ:
            raise LookupFailed(f"environment variable {name} is not set; set it or use std.native('env')(name, default)")
        return environ[name]

    def env(name: str, default: Any) -> Any:
        return environ.get(name) or default

    natives: dict[str, tuple[tuple[str, ...], Callable[..., Any]]] = {
        "env": (("name", "default"), env),
        "must_env": (("name",), _native("must_env", must_env, secrets)),
    }
    for name, fn in functions.items():
        if fn.jsonnet_params is not None:
            natives[name] = (fn.jsonnet_params, _native(name, fn.call, secrets))
    # The python binding (jsonnet 0.22) loses multi-character parameter names of a native with
    # two or more parameters ("binding parameter a second time: default"); one-letter names
    # survive (CPython keeps those strings for good). Callers pass arguments by position, as
    # ecspresso's documentation shows, so the names themselves do not matter.
    natives = {name: (tuple("abcdefgh"[i] for i in range(len(params))), fn) for name, (params, fn) in natives.items()}
    try:
        return str(_jsonnet.evaluate_file(path, ext_vars=dict(ext_str), ext_codes=dict(ext_code), native_callbacks=natives))
    except RuntimeError as err:
        raise _error(str(err), path) from None


def _native(name: str, call: Callable[..., Any], secrets: list[str]) -> Callable[..., Any]:
    def native(*args: Any) -> Any:
        # Jsonnet numbers arrive as floats; a lookup's index is an int.
        args = tuple(int(a) if isinstance(a, float) and a.is_integer() else a for a in args)
        try:
            result = call(*args)
        except LookupFailed as err:
            # The message becomes the Jsonnet runtime error, with the caller's file:line:column.
            raise RuntimeError(f"{name}: {err}") from None
        if isinstance(result, Secret):
            secrets.append(str(result))
            return str(result)
        # Jsonnet takes JSON values; a tfstate lookup may return an object.
        return json.loads(json.dumps(result))

    return native


def _error(message: str, path: str) -> ConfigError:
    head, _, trace = message.partition("\n")
    kind, _, text = head.partition(": ")
    if kind == "STATIC ERROR":
        match = _LOCATION.match(text)
        if match:
            rest = text[match.end() :].lstrip("-0123456789:() ").strip()
            return ConfigError(f"Jsonnet syntax error: {rest}", file=match["file"], where=f"line {match['line']}:{match['col']}")
        return ConfigError(f"Jsonnet syntax error: {text}", file=path)
    match = _LOCATION.search(trace.strip())
    if kind != "RUNTIME ERROR":
        text = head
    if match:
        return ConfigError(f"Jsonnet error: {text}", file=match["file"].strip(), where=f"line {match['line']}:{match['col']}")
    return ConfigError(f"Jsonnet error: {text}", file=path)
