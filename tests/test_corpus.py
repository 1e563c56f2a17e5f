"""The normalisation corpus (fixtures/corpus/, issue #5): "a diff that goes quiet".

Each case is a pair: the definitions as a user writes them and what DescribeTaskDefinition /
DescribeServices return for them on real AWS. For every case the plan of user-vs-AWS must be
clean, and each real edit (on the user's files, or on the live side: auto scaling, drift, a
CodeDeploy swap) must show exactly the expected changes, by keyed path, kind and action, and
nothing else. fixtures/corpus/README.md describes the format. Pure: no AWS, no sandbox.

The expectations are AWS's truth, not what the planner does today: a failing case names a
normalisation rule that is missing.
"""

from __future__ import annotations

import collections
import copy
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from planner import template
from planner.build import build_service_plan
from planner.model import (
    DeploymentGroupInfo,
    DesiredService,
    LiveService,
    LiveState,
    LiveTaskDefinition,
    ServiceRef,
)

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
REGION = "us-east-1"
FILES = {
    "task": "ecs-task-def.json",
    "service": "ecs-service-def.json",
    "aws-task": "aws-task-definition.json",
    "aws-service": "aws-service.json",
}
ACTIONS = {"register_task_definition", "update_service", "create_deployment"}
KINDS = {"add", "remove", "change"}
CASE_KEYS = {"description", "notes", "cluster", "service", "controller", "edits", "roundtrip_skip"}
EDIT_KEYS = {"name", "file", "ops", "expect"}


# --------------------------------------------------------------------------------------------
# Loading


@attrs.frozen(kw_only=True)
class Case:
    id: str
    path: Path
    spec: dict[str, Any]

    @property
    def edits(self) -> list[dict[str, Any]]:
        return list(self.spec.get("edits") or [])

    def document(self, which: str) -> Any:
        """A file of the case, parsed; the user's files rendered with their template defaults
        (the IDs the aws-*.json files use)."""
        path = self.path / FILES[which]
        text = path.read_text(encoding="utf-8")
        if which in ("task", "service"):
            text = template.render(text, source=str(path), environ={})
        return json.loads(text)


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        spec = yaml.safe_load((path / "case.yaml").read_text(encoding="utf-8"))
        cases.append(Case(id=path.name, path=path, spec=spec))
    return cases


CASES = load_cases()
EDITS = [(case, edit) for case in CASES for edit in case.edits]


# --------------------------------------------------------------------------------------------
# RFC 6901 pointers and the two edit operations


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer {pointer!r} must start with /")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, pointer: str, *, append: bool) -> int:
    if token == "-" and append:
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise ValueError(f"{pointer}: {token!r} is not an array index")
    index = int(token)
    if index > len(container) or (index == len(container) and not append):
        raise ValueError(f"{pointer}: index {index} is out of range (length {len(container)})")
    return index


def apply_op(doc: Any, op: dict[str, Any]) -> Any:
    """`set` writes a value (an object member is added or replaced; an array element is
    replaced, "-" appends); `remove` deletes a member or an element. The parent must exist."""
    pointer = op["pointer"]
    tokens = _tokens(pointer)
    if not tokens:
        raise ValueError("an edit cannot replace the whole document")
    parent = doc
    for token in tokens[:-1]:
        if isinstance(parent, list):
            parent = parent[_index(parent, token, pointer, append=False)]
        elif isinstance(parent, dict) and token in parent:
            parent = parent[token]
        else:
            raise ValueError(f"{pointer}: {token!r} does not exist")
    last = tokens[-1]
    if op["op"] == "set":
        value = copy.deepcopy(op["value"])
        if isinstance(parent, list):
            index = _index(parent, last, pointer, append=True)
            if index == len(parent):
                parent.append(value)
            else:
                parent[index] = value
        elif isinstance(parent, dict):
            parent[last] = value
        else:
            raise ValueError(f"{pointer}: the parent is not an object or array")
    elif op["op"] == "remove":
        if isinstance(parent, list):
            del parent[_index(parent, last, pointer, append=False)]
        elif isinstance(parent, dict) and last in parent:
            del parent[last]
        else:
            raise ValueError(f"{pointer}: nothing to remove")
    else:
        raise ValueError(f"unknown op {op['op']!r} (set or remove)")
    return doc


# --------------------------------------------------------------------------------------------
# Desired and live state, as commands.load_desired and providers.reader build them


def desired_of(case: Case, task: dict[str, Any], service: dict[str, Any]) -> DesiredService:
    return DesiredService(
        ref=ServiceRef(cluster=case.spec["cluster"], service=case.spec["service"]),
        source=str(case.path / "ecspresso.yml"),
        task_definition_path=str(case.path / FILES["task"]),
        service_definition_path=str(case.path / FILES["service"]),
        region=REGION,
        task_definition=task,
        service_definition=service,
    )


def live_of(case: Case, aws_task: dict[str, Any], aws_service: dict[str, Any]) -> LiveState:
    """DescribeTaskDefinition(include=["TAGS"]) with its tags folded into the definition (as
    providers/ecs.py does), and the DescribeServices(include=["TAGS"]) service."""
    definition = dict(aws_task["taskDefinition"])
    if aws_task.get("tags"):
        definition["tags"] = aws_task["tags"]
    ref = ServiceRef(cluster=case.spec["cluster"], service=case.spec["service"])
    codedeploy = None
    if case.spec["controller"] == "CODE_DEPLOY":
        codedeploy = DeploymentGroupInfo(
            application=f"AppECS-{ref.cluster}-{ref.service}",
            group=f"DgpECS-{ref.cluster}-{ref.service}",
            deployment_config="CodeDeployDefault.ECSAllAtOnce",
        )
    return LiveState(
        ref=ref,
        service=LiveService(arn=aws_service["serviceArn"], description=aws_service),
        task_definition=LiveTaskDefinition(arn=definition["taskDefinitionArn"], definition=definition),
        codedeploy=codedeploy,
    )


def documents(case: Case) -> dict[str, Any]:
    return {which: case.document(which) for which in FILES}


def plan_of(case: Case, docs: dict[str, Any]) -> Any:
    return build_service_plan(
        desired_of(case, docs["task"], docs["service"]), live_of(case, docs["aws-task"], docs["aws-service"])
    )


def shown(sp: Any) -> list[tuple[str, str, str]]:
    """Everything the plan shows, as (action, path, kind), sorted: each change of each action,
    each blocked change as ("blocked", path, reason), and an action without changes as
    (action, "", "")."""
    out = []
    for action in sp.actions:
        if not action.changes:
            out.append((action.type.value, "", ""))
        for change in action.changes:
            out.append((action.type.value, change.path, change.kind))
    for blocked in sp.blocked:
        out.append(("blocked", blocked.path, blocked.reason))
    return sorted(out)


def expected(edit: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((e["action"], e["path"], e["kind"]) for e in edit["expect"] or [])


def detail(sp: Any) -> str:
    lines = []
    for action in sp.actions:
        for change in action.changes:
            lines.append(f"  {action.type.value}: {change.path}: {change.before!r} -> {change.after!r}")
    for blocked in sp.blocked:
        lines.append(f"  blocked: {blocked.path}: {blocked.before!r} -> {blocked.after!r}")
    return "\n".join(lines) or "  (no changes)"


# --------------------------------------------------------------------------------------------
# The corpus itself is well formed


def test_corpus_has_enough_realistic_cases():
    assert len(CASES) >= 20
    assert len(EDITS) >= 3 * len(CASES)
    controllers = collections.Counter(c.spec["controller"] for c in CASES)
    assert controllers["ECS"] and controllers["CODE_DEPLOY"] >= 2


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_is_well_formed(case):
    spec = case.spec
    assert set(spec) <= CASE_KEYS, f"unknown keys {set(spec) - CASE_KEYS}"
    for key in ("description", "notes", "cluster", "service", "controller", "edits"):
        assert spec.get(key), f"case.yaml needs {key}"
    assert spec["controller"] in ("ECS", "CODE_DEPLOY")
    if "roundtrip_skip" in spec:
        assert isinstance(spec["roundtrip_skip"], str) and spec["roundtrip_skip"].strip()
    docs = documents(case)
    task, service, aws_task, aws_service = docs["task"], docs["service"], docs["aws-task"], docs["aws-service"]
    # The user's files are ecspresso style: no serviceName/cluster/taskDefinition in the service.
    assert not {"serviceName", "cluster", "taskDefinition"} & set(service)
    controller = (service.get("deploymentController") or {}).get("type", "ECS")
    assert controller == spec["controller"]
    # The AWS side is the full responses for this very service and family.
    assert set(aws_task) == {"taskDefinition", "tags"}
    definition = aws_task["taskDefinition"]
    assert definition["family"] == task["family"]
    assert definition["taskDefinitionArn"].endswith(f":task-definition/{task['family']}:{definition['revision']}")
    for key in ("status", "registeredAt", "registeredBy", "requiresAttributes", "compatibilities"):
        assert key in definition
    assert [c["name"] for c in definition["containerDefinitions"]] == [c["name"] for c in task["containerDefinitions"]]
    assert aws_service["serviceName"] == spec["service"]
    assert aws_service["serviceArn"].endswith(f":service/{spec['cluster']}/{spec['service']}")
    assert aws_service["clusterArn"].endswith(f":cluster/{spec['cluster']}")
    assert aws_service["taskDefinition"] == definition["taskDefinitionArn"]
    assert aws_service["deploymentController"] == {"type": controller}
    for key in ("status", "deployments", "events", "createdAt", "runningCount", "pendingCount", "desiredCount"):
        assert key in aws_service
    if controller == "CODE_DEPLOY":
        assert aws_service["taskSets"] and aws_service["taskSets"][0]["status"] == "PRIMARY"
    else:
        assert aws_service["deployments"][0]["status"] == "PRIMARY"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_edits_are_well_formed(case):
    names = [e["name"] for e in case.edits]
    assert len(names) == len(set(names)), "edit names must be unique within a case"
    assert len(case.edits) >= 3
    removals = [e for e in case.edits if any(op["op"] == "remove" for op in e["ops"])]
    assert removals, "every case has at least one removal"
    docs = documents(case)
    for edit in case.edits:
        assert set(edit) <= EDIT_KEYS and {"name", "file", "ops"} <= set(edit), edit.get("name")
        assert edit["file"] in FILES, edit["name"]
        assert edit["ops"], edit["name"]
        doc = copy.deepcopy(docs[edit["file"]])
        for op in edit["ops"]:
            apply_op(doc, op)  # every pointer resolves
        for e in edit.get("expect") or []:
            assert set(e) == {"action", "path", "kind"}, edit["name"]
            assert e["action"] in ACTIONS and e["kind"] in KINDS, edit["name"]
        if edit["file"].startswith("aws-") and edit["expect"]:
            assert all(e["action"] == "update_service" for e in edit["expect"]), edit["name"]


def test_pointer_operations():
    doc = {"a": [{"b": 1}, {"b": 2}], "c/d": {"e~f": 1}}
    apply_op(doc, {"op": "set", "pointer": "/a/1/b", "value": 3})
    apply_op(doc, {"op": "set", "pointer": "/a/-", "value": {"b": 4}})
    apply_op(doc, {"op": "remove", "pointer": "/a/0"})
    apply_op(doc, {"op": "set", "pointer": "/c~1d/e~0f", "value": 2})
    assert doc == {"a": [{"b": 3}, {"b": 4}], "c/d": {"e~f": 2}}
    for bad in ({"op": "remove", "pointer": "/a/5"}, {"op": "set", "pointer": "/x/y", "value": 1},
                {"op": "remove", "pointer": "/nope"}, {"op": "move", "pointer": "/a", "value": 1}):
        with pytest.raises(ValueError):
            apply_op(copy.deepcopy(doc), bad)


# --------------------------------------------------------------------------------------------
# The plans


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_user_shape_against_aws_shape_plans_clean(case):
    sp = plan_of(case, documents(case))
    assert shown(sp) == [], f"{case.id}: the unedited case must plan clean; the plan shows:\n{detail(sp)}"
    assert sp.controller.value == case.spec["controller"]


@pytest.mark.parametrize("case, edit", EDITS, ids=[f"{c.id}/{e['name']}" for c, e in EDITS])
def test_edit_shows_exactly_its_changes(case, edit):
    docs = documents(case)
    for op in edit["ops"]:
        apply_op(docs[edit["file"]], op)
    sp = plan_of(case, docs)
    assert shown(sp) == expected(edit), f"{case.id} / {edit['name']}: the plan shows:\n{detail(sp)}"


# A field AWS starts returning that ecsplan does not know yet, on a definition that never
# declared it, must not produce a change. Some are invented (no AWS API has them), one is a real
# DeploymentConfiguration member ecsplan does not manage (bakeTimeInMinutes).
FUTURE_CONTAINER_FIELDS = {"restartAttempts": 3}
FUTURE_TASK_FIELDS = {"networkBandwidthPolicy": {"mode": "STANDARD"}}
FUTURE_SERVICE_FIELDS = {"trafficShiftState": "IDLE"}
FUTURE_DEPLOYMENT_CONFIGURATION_FIELDS = {"bakeTimeInMinutes": 0, "rolloutGuard": {"enable": False}}


def with_future_fields(docs: dict[str, Any]) -> dict[str, Any]:
    docs = copy.deepcopy(docs)
    definition = docs["aws-task"]["taskDefinition"]
    definition.update(copy.deepcopy(FUTURE_TASK_FIELDS))
    for container in definition["containerDefinitions"]:
        container.update(copy.deepcopy(FUTURE_CONTAINER_FIELDS))
    service = docs["aws-service"]
    service.update(copy.deepcopy(FUTURE_SERVICE_FIELDS))
    service.setdefault("deploymentConfiguration", {}).update(copy.deepcopy(FUTURE_DEPLOYMENT_CONFIGURATION_FIELDS))
    return docs


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fields_aws_starts_returning_change_nothing_when_undeclared(case):
    docs = documents(case)
    before = plan_of(case, docs)
    after = plan_of(case, with_future_fields(docs))
    names = set(FUTURE_CONTAINER_FIELDS) | set(FUTURE_TASK_FIELDS) | set(FUTURE_SERVICE_FIELDS) | set(
        FUTURE_DEPLOYMENT_CONFIGURATION_FIELDS)
    leaked = [line for line in shown(after) if any(name in line[1] for name in names)]
    assert leaked == [], f"{case.id}: fields the user never declared show as changes:\n{detail(after)}"
    assert shown(after) == shown(before)


def test_future_fields_on_a_clean_case_still_plan_clean():
    """The same on the smallest case, asserted on its own: nothing else may be in the way."""
    (case,) = [c for c in CASES if c.id == "25-minimal-fargate"]
    sp = plan_of(case, with_future_fields(documents(case)))
    assert shown(sp) == [], detail(sp)
