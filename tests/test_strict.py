"""planner.strict on pure values: duplicate keys, bounds (size, depth, alias expansion), the
nearest-key hint and the structure/type check."""

from __future__ import annotations

import pytest

from planner import strict
from planner.errors import ConfigError
from planner.schema import SCHEMA


def refused(fn, *args) -> str:
    with pytest.raises(ConfigError) as info:
        fn(*args)
    return str(info.value)


def test_nearest_key():
    assert strict.nearest("clustr", ["cluster", "service"]) == " (did you mean cluster?)"
    assert strict.nearest("healthCheckGracePeriod", SCHEMA["service"][""]) == " (did you mean healthCheckGracePeriodSeconds?)"
    assert strict.nearest("zzz", ["cluster"]) == ""


def test_size_limit_is_one_mib():
    strict.check_size(strict.MAX_FILE_BYTES, "f")
    assert refused(strict.check_size, strict.MAX_FILE_BYTES + 1, "f") == (
        "f: is 1048577 bytes, over the 1048576 bytes (1 MiB) ecsplan reads; is it the right file?"
    )


def test_json_duplicates_name_key_and_lines():
    assert refused(strict.parse_json, '{"a": 1,\n "b": {"a": 2},\n "a": 3}', "f") == (
        'f: line 3: duplicate key "a" in one object (the key is on lines 1, 2, 3); JSON keeps only the last value: keep one'
    )
    assert strict.parse_json('{"a": {"a": 1}}', "f") == {"a": {"a": 1}}


def test_yaml_duplicates_name_key_and_line():
    assert refused(strict.parse_yaml, "a: 1\nb:\n  a: 2\na: 3\n", "f") == (
        "f: line 4: duplicate key 'a' (first on line 1); YAML keeps only the last value: keep one"
    )
    assert strict.parse_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", "f")["other"] == {"x": 1, "y": 2}


def test_invalid_documents_name_the_line():
    assert refused(strict.parse_json, '{"a": 1,}', "f").startswith("f: line 1:9: invalid JSON")
    assert refused(strict.parse_yaml, "a: [1\n", "f").startswith("f: line 2:1: invalid YAML")


def test_depth_limit_is_exact():
    ok = "[" * strict.MAX_DEPTH + "]" * strict.MAX_DEPTH
    strict.parse_json(ok, "f")
    deep = "[" * (strict.MAX_DEPTH + 1) + "]" * (strict.MAX_DEPTH + 1)
    message = "f: is nested deeper than 100 levels; ecsplan does not read it"
    assert refused(strict.parse_json, deep, "f") == message
    assert refused(strict.parse_json, "[" * 100000 + "]" * 100000, "f") == message
    assert refused(strict.parse_yaml, "a: &x [*x]\n", "f") == message  # a recursive alias


def test_shared_alias_deep_inside_is_measured_where_used():
    inner = [[[]]]
    strict.check_bounds([inner, inner], "f")
    deep: list = []
    for _ in range(strict.MAX_DEPTH - 2):
        deep = [deep]
    strict.check_bounds([deep, 1], "f")
    assert "nested deeper" in refused(strict.check_bounds, [deep, [[deep]]], "f")


def test_a_shared_value_counts_its_levels_at_each_use():
    shared: list = [0]
    for _ in range(strict.MAX_DEPTH - 2):
        shared = [shared]  # MAX_DEPTH - 1 levels, a scalar at the bottom
    strict.check_bounds([shared, shared], "f")  # MAX_DEPTH levels at the second use too
    assert "nested deeper" in refused(strict.check_bounds, [shared, [shared]], "f")
    assert "nested deeper" in refused(strict.check_bounds, {"a": [shared], "b": shared}, "f")


def test_alias_expansion_is_bounded():
    laughs = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join(["*" + chr(97 + i)] * 10) + "]\n" for i in range(5)
    )
    assert refused(strict.parse_yaml, laughs, "f") == (
        "f: expands to more than 100000 values (YAML aliases repeated inside each other?); ecsplan does not read it"
    )
    few = [list(range(10))] * 9000  # 99,001 values: under the limit
    strict.check_bounds(few, "f")
    assert "expands" in refused(strict.check_bounds, [list(range(10))] * 9091, "f")


def test_shapes_name_the_field_and_the_kind():
    shapes = SCHEMA["task"]
    ok = {"containerDefinitions": [{"environment": [{"name": "A"}], "logConfiguration": None}]}
    strict.check_shapes(ok, shapes, "", "f")
    cases = [
        ({"containerDefinitions": [{"environment": {"A": "b"}}]}, "f: containerDefinitions[0].environment: must be a list of mappings, got a mapping"),
        ({"containerDefinitions": [{"portMappings": ["80"]}]}, "f: containerDefinitions[0].portMappings[0]: must be a mapping, got a string"),
        ({"containerDefinitions": [{"logConfiguration": [1]}]}, "f: containerDefinitions[0].logConfiguration: must be a mapping, got a list"),
        ({"runtimePlatform": True}, "f: runtimePlatform: must be a mapping, got a boolean"),
        ({"tags": 3}, "f: tags: must be a list of mappings, got a number"),
    ]
    for doc, message in cases:
        assert refused(strict.check_shapes, doc, shapes, "", "f") == message
    assert refused(strict.check_shapes, {"proxyConfiguration": {"properties": "x"}}, shapes, "", "f", "taskDefinition.") == (
        "f: taskDefinition.proxyConfiguration.properties: must be a list of mappings, got a string"
    )
