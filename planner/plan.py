"""The Plan: per-service actions, the live-state fingerprint it was made against, and the JSON
document shared by `--format json` and plan files (DESIGN.md)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from typing import Any

import attrs

from planner.actions import Action, ActionType, Blocked
from planner.diff import Change, plain
from planner.errors import PlanError
from planner.model import Controller, LiveState, ServiceRef
from planner.normalize import SERVICE_IMMUTABLE, canonical_service

FORMAT_VERSION = 1


def live_view(live: LiveState, managed_keys: tuple[str, ...]) -> dict[str, Any]:
    """What a plan depends on in the live state: the service's existence, the task definition it
    runs, its immutable fields and the fields the plan manages. Volatile fields (events, running
    counts, deployments, timestamps) are left out so a plan does not go stale for nothing."""
    view: dict[str, Any] = {"exists": live.service is not None}
    # The revision compared against: the one the service runs, else the family's latest.
    view["taskDefinition"] = (live.service.task_definition_arn if live.service else None) or (
        live.task_definition.arn if live.task_definition else None
    )
    if live.service is not None:
        canon = canonical_service(live.service.description, live.service.controller)
        for key in sorted(set(managed_keys) | set(SERVICE_IMMUTABLE) | {"tags"}):
            if key in canon:
                view[key] = plain(canon[key])
        view["deploymentController"] = live.service.controller.value
    return view


def fingerprint(view: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(view, sort_keys=True, default=str).encode()).hexdigest()


@attrs.frozen(kw_only=True)
class ServicePlan:
    ref: ServiceRef
    controller: Controller
    family: str
    source: str = ""
    actions: tuple[Action, ...] = ()
    blocked: tuple[Blocked, ...] = ()
    live_view: dict[str, Any] = attrs.field(factory=dict)
    managed_keys: tuple[str, ...] = ()
    timeout_seconds: float | None = None
    sensitive: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.live_view)

    @property
    def has_changes(self) -> bool:
        return bool(self.actions or self.blocked)

    def action(self, type_: ActionType) -> Action | None:
        return next((a for a in self.actions if a.type is type_), None)


@attrs.frozen(kw_only=True)
class Plan:
    services: tuple[ServicePlan, ...]
    region: str | None = None
    account: str | None = None
    tool_version: str = ""

    @property
    def has_changes(self) -> bool:
        return any(s.has_changes for s in self.services)

    @property
    def blocked(self) -> list[tuple[ServiceRef, Blocked]]:
        return [(s.ref, b) for s in self.services for b in s.blocked]

    def counts(self) -> dict[str, int]:
        counts = {t.value: 0 for t in ActionType}
        for s in self.services:
            for a in s.actions:
                counts[a.type.value] += 1
        counts["blocked"] = sum(len(s.blocked) for s in self.services)
        return counts


def summary_line(plan: Plan) -> str:
    """`Plan: 1 to register, 1 to update, 1 deployment.` (Terraform's summary, our nouns)."""
    c = plan.counts()
    if not plan.has_changes:
        return "No changes. The live services match the definitions."
    parts = [
        f"{c['register_task_definition']} to register",
        f"{c['create_service']} to create",
        f"{c['update_service']} to update",
        f"{c['create_deployment']} blue/green deployment{'s' if c['create_deployment'] != 1 else ''}",
    ]
    # Only what will happen: "Plan: 1 to register, 1 to update." (zero counts are noise).
    parts = [p for p in parts if not p.startswith("0 ")]
    line = "Plan: " + (", ".join(parts) or "nothing to apply") + "."
    if c["blocked"]:
        line += f" {c['blocked']} blocked (apply will refuse this plan)."
    return line


# ---------------------------------------------------------------------------------------------
# The document: --format json prints it without payloads; a plan file carries them.


def to_document(plan: Plan, *, include_payloads: bool) -> dict[str, Any]:
    services = []
    for s in sorted(plan.services, key=lambda s: s.ref):
        entry: dict[str, Any] = {
            "cluster": s.ref.cluster,
            "service": s.ref.service,
            "controller": s.controller.value,
            "changed": s.has_changes,
            "actions": [
                {
                    "type": a.type.value,
                    **({"note": a.note} if a.note else {}),
                    "changes": [c.to_json() for c in a.changes],
                    **({"details": a.details} if a.details else {}),
                    **({"payload": a.payload} if include_payloads else {}),
                }
                for a in s.actions
            ],
            "blocked": [{"path": b.path, "reason": b.reason, "before": plain(b.before), "after": plain(b.after)} for b in s.blocked],
        }
        if include_payloads:
            entry.update(
                {
                    "family": s.family,
                    "source": s.source,
                    "live_view": s.live_view,
                    "fingerprint": s.fingerprint,
                    "managed_keys": list(s.managed_keys),
                    "timeout_seconds": s.timeout_seconds,
                    "sensitive": list(s.sensitive),
                }
            )
        services.append(entry)
    doc: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "tool_version": plan.tool_version,
        "region": plan.region,
        "account": plan.account,
        "services": services,
        "summary": {"text": summary_line(plan), **plan.counts(), "changed_services": sum(1 for s in plan.services if s.has_changes)},
    }
    return doc


def from_document(doc: dict[str, Any], *, source: str) -> Plan:
    try:
        if doc.get("format_version") != FORMAT_VERSION:
            raise PlanError(
                f"{source}: plan file format_version {doc.get('format_version')!r} is not {FORMAT_VERSION}; "
                "make the plan again with this version of ecsplan"
            )
        services = []
        for s in doc["services"]:
            if "live_view" not in s:
                raise PlanError(f"{source}: this is `--format json` output, not a plan file; save one with `ecsplan plan --out FILE`")
            services.append(
                ServicePlan(
                    ref=ServiceRef(cluster=s["cluster"], service=s["service"]),
                    controller=Controller(s["controller"]),
                    family=s["family"],
                    source=s.get("source", ""),
                    actions=tuple(
                        Action(
                            type=ActionType(a["type"]),
                            note=a.get("note", ""),
                            changes=tuple(Change(path=c["path"], before=c["before"], after=c["after"]) for c in a["changes"]),
                            payload=a["payload"],
                            details=a.get("details") or {},
                        )
                        for a in s["actions"]
                    ),
                    blocked=tuple(Blocked(path=b["path"], reason=b["reason"], before=b.get("before"), after=b.get("after")) for b in s["blocked"]),
                    live_view=s["live_view"],
                    managed_keys=tuple(s["managed_keys"]),
                    timeout_seconds=s.get("timeout_seconds"),
                    sensitive=tuple(s.get("sensitive", ())),
                )
            )
        return Plan(services=tuple(services), region=doc.get("region"), account=doc.get("account"), tool_version=doc.get("tool_version", ""))
    except PlanError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise PlanError(f"{source}: not a valid ecsplan plan file ({type(err).__name__}: {err})") from err


def save(plan: Plan, path: str) -> None:
    """Write atomically, mode 0600: a plan file holds unmasked values (apply needs them)."""
    text = json.dumps(to_document(plan, include_payloads=True), indent=2, sort_keys=False, default=str) + "\n"
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


def load(path: str) -> Plan:
    try:
        with open(path) as fh:
            doc = json.load(fh)
    except FileNotFoundError as err:
        raise PlanError(f"{path}: plan file not found") from err
    except json.JSONDecodeError as err:
        raise PlanError(f"{path}: not a plan file (invalid JSON at line {err.lineno}: {err.msg})") from err
    if not isinstance(doc, dict):
        raise PlanError(f"{path}: not a plan file (top level is not an object)")
    return from_document(doc, source=path)
