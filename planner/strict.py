"""Strict, bounded parsing of config and definition files: duplicate keys are errors (JSON and
YAML), files over MAX_FILE_BYTES, documents nested deeper than MAX_DEPTH and YAML whose aliases
expand beyond MAX_NODES (a "billion laughs") are refused with a message, never a traceback or an
exhausted memory. Unknown keys get the nearest known key (difflib) as a hint."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from typing import Any

import yaml

from planner.errors import ConfigError

MAX_FILE_BYTES = 1024 * 1024  # far above any real definition (AWS caps a task definition at 64 KiB)
MAX_DEPTH = 100  # nesting levels; real definitions use fewer than 10
MAX_NODES = 100_000  # values after alias expansion


def nearest(key: str, known: Iterable[str]) -> str:
    """' (did you mean X?)' or ''."""
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def check_size(size: int, path: str) -> None:
    if size > MAX_FILE_BYTES:
        raise ConfigError(
            f"is {size} bytes, over the {MAX_FILE_BYTES} bytes (1 MiB) ecsplan reads; is it the right file?", file=path
        )


def parse_json(text: str, path: str) -> Any:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    try:
        doc = json.loads(text, object_pairs_hook=pairs)
    except RecursionError as err:
        raise ConfigError(f"is nested deeper than {MAX_DEPTH} levels; ecsplan does not read it", file=path) from err
    except json.JSONDecodeError as err:
        raise ConfigError(f"invalid JSON: {err.msg}", file=path, where=f"line {err.lineno}:{err.colno}") from err
    if duplicates:
        key = duplicates[0]
        lines = [
            str(text.count("\n", 0, m.start()) + 1) for m in re.finditer(re.escape(json.dumps(key)) + r"\s*:", text)
        ]
        raise ConfigError(
            f'duplicate key "{key}" in one object (the key is on lines {", ".join(lines)}); '
            "JSON keeps only the last value: keep one",
            file=path,
            where=f"line {lines[-1]}" if lines else None,
        )
    check_bounds(doc, path)
    return doc


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys in a mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: SafeLoader reports it itself
            line = key_node.start_mark.line + 1
            if first is not None:
                raise ConfigError(
                    f"duplicate key {key!r} (first on line {first}); YAML keeps only the last value: keep one",
                    where=f"line {line}",
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, path: str) -> Any:
    try:
        doc = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except ConfigError as err:
        raise ConfigError(str(err), file=path) from err
    except RecursionError as err:
        raise ConfigError(f"is nested deeper than {MAX_DEPTH} levels; ecsplan does not read it", file=path) from err
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "cannot be parsed"
        where = f"line {mark.line + 1}:{mark.column + 1}" if mark is not None else None
        raise ConfigError(f"invalid YAML: {problem}", file=path, where=where) from err
    except yaml.YAMLError as err:
        raise ConfigError(f"invalid YAML: {err}", file=path) from err
    check_bounds(doc, path)
    return doc


def check_bounds(doc: Any, path: str) -> None:
    """Refuse a document nested deeper than MAX_DEPTH or with more than MAX_NODES values once
    YAML aliases are expanded. Shared (aliased) values are counted once per use but walked once."""
    memo: dict[int, tuple[int, int]] = {}  # id -> (expanded size, height: 0 for a scalar)

    def walk(value: Any, depth: int) -> tuple[int, int]:
        if not isinstance(value, (dict, list)):
            return 1, 0
        if depth >= MAX_DEPTH:  # depth counts the lists and mappings around this one
            raise ConfigError(f"is nested deeper than {MAX_DEPTH} levels; ecsplan does not read it", file=path)
        known = memo.get(id(value))
        if known is not None:
            if depth + known[1] > MAX_DEPTH:
                raise ConfigError(f"is nested deeper than {MAX_DEPTH} levels; ecsplan does not read it", file=path)
            return known
        size, height = 1, 1  # height: the levels of lists and mappings from this one down
        for child in value.values() if isinstance(value, dict) else value:
            child_size, child_height = walk(child, depth + 1)
            size += child_size
            height = max(height, child_height + 1)
            if size > MAX_NODES:
                raise ConfigError(
                    f"expands to more than {MAX_NODES} values (YAML aliases repeated inside each other?); "
                    "ecsplan does not read it",
                    file=path,
                )
        memo[id(value)] = (size, height)
        return size, height

    walk(doc, 0)


def check_shapes(doc: dict[str, Any], shapes: dict[str, frozenset[str]], path: str, file: str, prefix: str = "") -> None:
    """Where botocore's model has a structure (a mapping) or a list of structures, the definition
    must have one: `environment: {A: b}` or `portMappings: "80:80"` is reported here by name, not
    as a traceback further on. Scalars and lists of scalars are left to botocore's validation."""
    for key, value in doc.items():
        where = f"{prefix}{key}"
        base = f"{path}.{key}" if path else str(key)
        if f"{base}[*]" in shapes:
            if not isinstance(value, list):
                raise ConfigError(f"must be a list of mappings, got {kind(value)}", file=file, where=where)
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    raise ConfigError(f"must be a mapping, got {kind(item)}", file=file, where=f"{where}[{index}]")
                check_shapes(item, shapes, f"{base}[*]", file, f"{where}[{index}].")
        elif base in shapes and value is not None:
            if not isinstance(value, dict):
                raise ConfigError(f"must be a mapping, got {kind(value)}", file=file, where=where)
            check_shapes(value, shapes, base, file, f"{where}.")


def kind(value: Any) -> str:
    """What a value is, as messages name it ("a list", "a mapping", "nothing (empty)")."""
    if value is None:
        return "nothing (empty)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping" if isinstance(value, dict) else f"a {type(value).__name__}"
