"""Changes are named by key, never by a list index that shifts."""

from planner.diff import diff
from planner.normalize import canonical_task_definition


def paths(before, after):
    return [(c.path, c.kind) for c in diff(canonical_task_definition(before), canonical_task_definition(after))]


BASE = {"family": "f", "containerDefinitions": [
    {"name": "app", "image": "a:1", "command": ["run", "--fast"], "portMappings": [{"containerPort": 8080}],
     "environment": [{"name": "A", "value": "1"}]},
    {"name": "log", "image": "fluent-bit"},
]}


def edit(fn):
    import copy
    d = copy.deepcopy(BASE)
    fn(d)
    return d


def test_adding_a_container_in_front_names_only_that_container():
    assert paths(BASE, edit(lambda d: d["containerDefinitions"].insert(0, {"name": "proxy", "image": "envoy"}))) == [
        ("containerDefinitions[proxy]", "add")]


def test_env_add_remove_change():
    def fn(d):
        d["containerDefinitions"][0]["environment"] = [{"name": "B", "value": "2"}]
    assert paths(BASE, edit(fn)) == [("containerDefinitions[app].environment[A]", "remove"), ("containerDefinitions[app].environment[B]", "add")]


def test_port_mapping_keyed_by_port_and_protocol():
    def fn(d):
        d["containerDefinitions"][0]["portMappings"] = [{"containerPort": 8080, "protocol": "udp"}]
    assert paths(BASE, edit(fn)) == [("containerDefinitions[app].portMappings[8080/tcp]", "remove"),
                               ("containerDefinitions[app].portMappings[8080/udp]", "add")]


def test_a_command_line_changes_as_a_whole():
    def fn(d):
        d["containerDefinitions"][0]["command"] = ["run", "--slow", "-v"]
    assert paths(BASE, edit(fn)) == [("containerDefinitions[app].command", "change")]


def test_removed_field_is_a_change_in_a_task_definition():
    def fn(d):
        del d["containerDefinitions"][1]["image"]
    assert paths(BASE, edit(fn)) == [("containerDefinitions[log].image", "remove")]


def test_no_change_no_diff():
    assert paths(BASE, edit(lambda d: d["containerDefinitions"].reverse())) == []
