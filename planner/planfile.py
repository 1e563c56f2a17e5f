"""The plan document, apart from the model: `--format json` prints it without payloads; a plan
file (`plan --out`) carries the payloads and everything apply needs. `load(save(plan)) == plan`
for every action type (tests/test_planfile.py).

Format 2 (docs/plan-json.md): actions are typed; a payload holds exactly the fields of its
action class; a task definition an action uses is `{"arn": ARN}`, or `{"arn": null}` for the
revision the plan registers. A plan file of another format is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from typing import Any

import attrs

from planner.actions import ACTION_CLASSES, Action, ActionType, Blocked, TaskDefinitionRef, details
from planner.diff import Change, plain
from planner.errors import PlanError
from planner.integrity import check_plan_id
from planner.model import Controller, DeploymentGroupInfo, ServiceRef
from planner.plan import Plan, Purpose, ServicePlan, summary_line
from planner.risk import headline, risks

FORMAT_VERSION = 2


def _encode(value: Any) -> Any:
    if isinstance(value, TaskDefinitionRef):
        return {"arn": value.arn}
    return plain(value)


def encode_payload(action: Action) -> dict[str, Any]:
    return {f.name: _encode(getattr(action, f.name)) for f in attrs.fields(type(action)) if f.name != "changes"}


def decode_action(entry: dict[str, Any]) -> Action:
    cls = ACTION_CLASSES[ActionType.of(entry["type"])]
    payload = entry["payload"]
    kwargs: dict[str, Any] = {}
    for f in attrs.fields(cls):
        if f.name == "changes" or f.name not in payload:
            continue
        value = payload[f.name]
        if f.name == "task_definition" and value is not None:
            value = TaskDefinitionRef(arn=value["arn"])
        kwargs[f.name] = value
    changes = tuple(Change(path=c["path"], before=c["before"], after=c["after"]) for c in entry["changes"])
    return cls(changes=changes, **kwargs)


def _action_entry(action: Action, *, include_payloads: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": action.TYPE.value, "note": action.note, "changes": [c.to_json() for c in action.changes]}
    shown = details(action)
    if shown:
        entry["details"] = shown
    if include_payloads:
        entry["payload"] = encode_payload(action)
    return entry


def to_document(plan: Plan, *, include_payloads: bool) -> dict[str, Any]:
    services = []
    for s in sorted(plan.services, key=lambda s: s.ref):
        entry: dict[str, Any] = {
            "cluster": s.ref.cluster,
            "service": s.ref.service,
            "controller": s.controller.value,
            "strategy": s.strategy,
            "changed": s.has_changes,
            "actions": [_action_entry(a, include_payloads=include_payloads) for a in s.actions],
            "blocked": [{"path": b.path, "reason": b.reason, "before": plain(b.before), "after": plain(b.after)} for b in s.blocked],
        }
        if s.deployment_lines():
            entry["deployment"] = s.deployment_lines()
        if not include_payloads:  # for people and scripts; derived, so a plan file (and its plan_id) leaves them out
            entry["headline"] = headline(s)
            entry["risks"] = [r.to_json() for r in risks(s)]
        if include_payloads:
            entry.update(
                {
                    "deployment_configuration": plain(s.deployment_configuration),
                    "family": s.family,
                    "source": s.source,
                    "live_view": plain(s.live_view),
                    "fingerprint": s.fingerprint,
                    "managed_keys": list(s.managed_keys),
                    "codedeploy": attrs.asdict(s.codedeploy) if s.codedeploy else None,
                    "timeout_seconds": s.timeout_seconds,
                    "sensitive": list(s.sensitive),
                }
            )
        if include_payloads and s.secret_values:  # only when a lookup gave one: older plan files stay as they were
            entry["secret_values"] = list(s.secret_values)
        if include_payloads and s.compared:  # only when a change was diffed against live values
            entry["compared"] = plain(s.compared)
        if include_payloads and s.ignore_tags:  # only with ignore.tags: older plan files stay as they were
            entry["ignore_tags"] = list(s.ignore_tags)
        services.append(entry)
    doc = {
        "format_version": FORMAT_VERSION,
        "tool_version": plan.tool_version,
        "purpose": plan.purpose.value,
        "region": plan.region,
        "account": plan.account,
        "commit": plan.commit,
        "services": services,
        "summary": {"text": summary_line(plan), **plan.counts(), "changed_services": sum(1 for s in plan.services if s.has_changes)},
    }
    doc["plan_id"] = plan_id(plan) if not include_payloads else _digest(doc)
    return doc


def _digest(doc: dict[str, Any]) -> str:
    """The sha256 of the canonical plan-file document (payloads included, `plan_id` left out)."""
    canonical = json.dumps({k: v for k, v in doc.items() if k != "plan_id"}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def plan_id(plan: Plan) -> str:
    """The plan's identity: the hash of its whole plan-file document, so it covers every payload
    apply sends. The same in `--format json`, the plan file, the text and Markdown renderings."""
    return str(to_document(plan, include_payloads=True)["plan_id"])


def short_id(identity: str) -> str:
    """The id as people read and paste it (a prefix, like a git commit)."""
    return identity[:12]


def _service(s: dict[str, Any], source: str) -> ServicePlan:
    if "live_view" not in s:
        raise PlanError(f"{source}: this is `--format json` output, not a plan file; save one with `ecsplan plan --out FILE`")
    group = s.get("codedeploy")
    return ServicePlan(
        ref=ServiceRef(cluster=s["cluster"], service=s["service"]),
        controller=Controller(s["controller"]),
        family=s["family"],
        source=s.get("source", ""),
        actions=tuple(decode_action(a) for a in s["actions"]),
        blocked=tuple(Blocked(path=b["path"], reason=b["reason"], before=b.get("before"), after=b.get("after")) for b in s["blocked"]),
        live_view=s["live_view"],
        managed_keys=tuple(s["managed_keys"]),
        codedeploy=DeploymentGroupInfo(**group) if group else None,
        timeout_seconds=s.get("timeout_seconds"),
        sensitive=tuple(s.get("sensitive", ())),
        secret_values=tuple(s.get("secret_values", ())),
        ignore_tags=tuple(s.get("ignore_tags", ())),
        deployment_configuration=s.get("deployment_configuration") or {},
        compared=s.get("compared") or {},
    )


def from_document(doc: dict[str, Any], *, source: str) -> Plan:
    if doc.get("format_version") != FORMAT_VERSION:
        raise PlanError(
            f"{source}: plan file format_version {doc.get('format_version')!r} is not {FORMAT_VERSION} "
            f"(it was made by ecsplan {doc.get('tool_version') or 'of another version'}); make the plan again with this version of ecsplan"
        )
    try:
        return Plan(
            services=tuple(_service(s, source) for s in doc["services"]),
            region=doc.get("region"),
            account=doc.get("account"),
            tool_version=doc.get("tool_version", ""),
            purpose=Purpose(doc.get("purpose", Purpose.DEPLOY.value)),
            commit=doc.get("commit"),
        )
    except PlanError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise PlanError(f"{source}: not a valid ecsplan plan file ({type(err).__name__}: {err})") from err


def dumps(plan: Plan) -> str:
    return json.dumps(to_document(plan, include_payloads=True), indent=2, default=str) + "\n"


def save(plan: Plan, path: str) -> None:
    """Write atomically, mode 0600: a plan file holds unmasked values (apply needs them)."""
    text = dumps(plan)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ecsplan-", dir=folder)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


MAX_PLAN_BYTES = 64 * 1024 * 1024  # a thousand services, each with a 64 KiB task definition twice, fit
MAX_PLAN_DEPTH = 200  # a plan's own nesting (~10) around definitions nested at most 100 deep (planner/strict.py)


def _too_deep(doc: Any, limit: int) -> bool:
    """Whether a parsed JSON value nests lists / objects deeper than `limit` (without recursion)."""
    stack = [(doc, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth >= limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def load(path: str) -> Plan:
    too_deep = f"{path}: not a plan file (nested deeper than {MAX_PLAN_DEPTH} levels)"
    try:
        size = os.path.getsize(path)
        if size > MAX_PLAN_BYTES:  # before reading it into memory
            raise PlanError(f"{path}: is {size} bytes, over the {MAX_PLAN_BYTES} bytes (64 MiB) ecsplan reads as a plan file; is it the right file?")
        with open(path) as fh:
            doc = json.loads(fh.read(MAX_PLAN_BYTES + 1))  # bounded: a device (/dev/zero) reports size 0
    except RecursionError as err:  # json's own limit, far past ours
        raise PlanError(too_deep) from err
    except FileNotFoundError as err:
        raise PlanError(f"{path}: plan file not found") from err
    except IsADirectoryError as err:
        raise PlanError(f"{path}: is a folder, not a plan file") from err
    except UnicodeDecodeError as err:
        raise PlanError(f"{path}: not a plan file (not UTF-8 text: a binary file?)") from err
    except OSError as err:
        raise PlanError(f"{path}: cannot read the plan file: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise PlanError(f"{path}: not a plan file (invalid JSON at line {err.lineno}: {err.msg})") from err
    if _too_deep(doc, MAX_PLAN_DEPTH):
        raise PlanError(too_deep)
    if not isinstance(doc, dict):
        raise PlanError(f"{path}: not a plan file (top level is not an object)")
    plan = from_document(doc, source=path)
    # Before anything reads the plan: an edited file is refused (planner/integrity.py).
    check_plan_id(doc.get("plan_id"), plan_id(plan), path)
    return plan
