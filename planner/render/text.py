"""Terraform-like text: a header per service, `+ ~ -` markers, old -> new values,
`(known after apply)` for values that exist only after apply, a summary line."""

from __future__ import annotations

import json
from typing import Any

from planner.actions import KNOWN_AFTER_APPLY, Action, details
from planner.appspec import appspec_yaml
from planner.diff import Change, plain
from planner.execute import ApplyReport, Outcome
from planner.plan import Plan, Purpose, ServicePlan, notes, summary_line
from planner.planfile import plan_id, short_id
from planner.render import escape
from planner.render.inline import inline_diff
from planner.render.mask import SENSITIVE, mask_change, patterns_for
from planner.render.values import shown_changes
from planner.risk import headline, risks

_COLORS = {"+": "\033[32m", "~": "\033[33m", "-": "\033[31m", "!": "\033[31;1m", "bold": "\033[1m", "dim": "\033[2m"}
_RESET = "\033[0m"


def format_value(value: Any, indent: str = "") -> str:
    """JSON as written (non-ASCII as is), unprintable characters escaped (escape.py); a long
    map or list over several lines, each continued with `indent`."""
    value = plain(value)
    if value == KNOWN_AFTER_APPLY or value == SENSITIVE:
        return str(value)
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    flat_list = isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value)
    if isinstance(value, (dict, list)) and len(text) > (120 if flat_list else 70):  # a command line stays on one line
        pretty = json.dumps(value, sort_keys=True, indent=2, default=str, ensure_ascii=False)
        return escape.lines(pretty).replace("\n", "\n" + indent)
    return escape.text(text)


def changed_words(change: Change) -> str | None:
    """The changed-words line of a long text value (inline.py), escaped; None when `old -> new` says it."""
    words = inline_diff(plain(change.before), plain(change.after))
    return None if words is None else escape.text(words)


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, style: str, text: str) -> str:
        if not self.color:
            return text
        return f"{_COLORS[style]}{text}{_RESET}"


def render_change(change: Change, paint: _Painter, indent: str = "      ") -> str:
    deeper = indent + "    "
    path = escape.text(change.path)
    if change.before is None:
        return f"{indent}{paint('+', '+')} {path}: {format_value(change.after, deeper)}"
    if change.after is None:
        return f"{indent}{paint('-', '-')} {path}: {format_value(change.before, deeper)}"
    line = f"{indent}{paint('~', '~')} {path}: {format_value(change.before, deeper)} -> {format_value(change.after, deeper)}"
    words = changed_words(change)
    if words is not None:
        line += f"\n{deeper}{paint('dim', 'changed words:')} {words}"
    return line


def _action_lines(action: Action, patterns: tuple[str, ...], paint: _Painter) -> list[str]:
    marker = action.TYPE.symbol
    head = f"  {paint(marker, marker)} {paint('bold', action.TYPE.label)}"
    if action.note:
        head += f": {escape.text(action.note)}"
    lines = [head]
    for change in shown_changes(action):
        lines.append(render_change(mask_change(change, patterns), paint))
    for key, value in details(action).items():
        if key == "appspec":
            body = escape.lines(appspec_yaml(value).rstrip()).replace("\n", "\n          ")
            lines.append(f"        appspec:\n          {body}")
        else:
            shown = ", ".join(value) if isinstance(value, list) else value
            lines.append(f"        {key}: {escape.text(str(shown))}")
    return lines


def render_service(service: ServicePlan, paint: _Painter) -> list[str]:
    patterns = patterns_for(service.sensitive, service.secret_values)
    title = f"# {escape.text(service.ref.service)} (cluster {escape.text(service.ref.cluster)}, controller {service.controller.value})"
    if not service.has_changes:
        return [paint("dim", title + ": no changes")]
    lines = [paint("bold", title), f"  {escape.text(headline(service))}"]
    if service.source:
        lines.append(paint("dim", f"  from {escape.text(service.source)}"))
    for line in service.deployment_lines():
        lines.append(paint("dim", f"  deployment: {escape.text(line)}"))
    for b in service.blocked:
        lines.append(f"  {paint('!', '! blocked')} {escape.text(b.path)}: {format_value(b.before)} -> {format_value(b.after)}")
        lines.append(f"      {escape.text(b.reason)}")
    for action in service.actions:
        lines.extend(_action_lines(action, patterns, paint))
    return lines


def risk_lines(plan: Plan, paint: _Painter) -> list[str]:
    """`Risks:` and one line per risk (service: path: reason), first thing after the legend;
    nothing when there is none."""
    found = [(s.ref, r) for s in plan.services for r in risks(s)]
    if not found:
        return []
    return [paint("!", "Risks:"), *(f"  {paint('!', '!')} {escape.text(str(ref))}: {escape.text(r.path)}: {escape.text(r.reason)}" for ref, r in found), ""]


def render(plan: Plan, *, color: bool = False) -> str:
    paint = _Painter(color)
    lines: list[str] = []
    if plan.has_changes:
        doing = "roll back with" if plan.purpose is Purpose.ROLLBACK else "perform"
        lines.append(f"ecsplan will {doing} the following actions (+ create, ~ update in place, - remove):")
        lines.append("")
        lines.extend(risk_lines(plan, paint))
    for service in plan.services:
        lines.extend(render_service(service, paint))
        lines.append("")
    lines.append(paint("bold", summary_line(plan)))
    lines.extend(escape.text(line) for line in notes(plan))
    lines.append(f"Plan id: {short_id(plan_id(plan))}")
    return "\n".join(lines) + "\n"


def report_lines(report: ApplyReport) -> list[str]:
    """What was done and what was not: shown whenever apply stops early."""
    lines = []
    if report.done:
        # Services ran at once: their actions grouped by service, in plan order (each in its order).
        order = {o.ref: i for i, o in enumerate(report.services)}
        done = sorted(report.done, key=lambda d: order.get(d[0], len(order)))
        lines.append("Done:")
        lines.extend(f"  {escape.text(str(ref))}: {t.label}: {escape.text(str(detail))}" for ref, t, detail in done)
    if report.unknown:
        lines.append("Outcome unknown (AWS may have done it; `ecsplan plan` shows what is live):")
        lines.extend(f"  {escape.text(str(ref))}: {t.label}" for ref, t in report.unknown)
    if report.not_done:
        lines.append("Not done:")
        lines.extend(f"  {escape.text(str(ref))}: {t.label}" for ref, t in report.not_done)
    return lines


def result_lines(report: ApplyReport) -> list[str]:
    """The result table, one line per service of the plan with actions, in plan order:
    `service  done|failed|not started  deployment-id  reason` (`-` for no deployment)."""
    if not report.services:
        return []
    rows = [(escape.text(str(o.ref)), o.status.value, escape.text(o.deployment_id or "-"), escape.text(o.reason)) for o in report.services]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    counts = ", ".join(f"{n} {status.value}" for status in Outcome if (n := sum(o.status is status for o in report.services)))
    lines = [f"Result: {counts}"]
    for row in rows:
        lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + ("  " + row[3] if row[3] else ""))
    return [line.rstrip() for line in lines]
