"""`--format markdown`: a pull-request comment or `$GITHUB_STEP_SUMMARY` (tfcmt/Atlantis style).

A heading with what changes and how many risks, a context line (account, region, configs, commit,
plan id), the summary line, risks, blocked changes and removals called out at the top, a table of
services with each one's headline (planner/risk.py), then per changed service a `<details>` block
holding a ```diff block; a plan without changes is its heading, the context and the services
collapsed. GitHub caps comments near 64 KB: output over `LIMIT` characters is shortened service by service, each
block closed properly and followed by a visible note; never cut mid-block. No ANSI codes.
"""

from __future__ import annotations

from planner.actions import Action, details
from planner.appspec import appspec_yaml
from planner.diff import ChangeKind
from planner.plan import Plan, Purpose, ServicePlan, summary_line
from planner.planfile import plan_id, short_id
from planner.render.mask import mask_change, patterns_for
from planner.render.text import format_value
from planner.risk import headline, risks

LIMIT = 60_000


def _diff_lines(service: ServicePlan) -> list[str]:
    """The service's plan as diff lines: `+` added, `-` removed; a change is its old value as a
    `-` line and its new value as a `+` line, so GitHub colours both."""
    patterns = patterns_for(service.sensitive, service.secret_values)
    lines: list[str] = []
    for b in service.blocked:
        lines.append(f"! blocked: {b.path}: {format_value(b.before)} -> {format_value(b.after)}")
        lines.append(f"!   {b.reason}")
    for action in service.actions:
        lines.extend(_action_lines(action, patterns))
    return lines


def _action_lines(action: Action, patterns: tuple[str, ...]) -> list[str]:
    head = f"# {action.TYPE.label}" + (f": {action.note}" if action.note else "")
    lines = [head]
    for raw in action.changes:
        c = mask_change(raw, patterns)
        if c.before is not None:
            lines.extend(_signed("-", f"{c.path}: {format_value(c.before)}"))
        if c.after is not None:
            lines.extend(_signed("+", f"{c.path}: {format_value(c.after)}"))
    for key, value in details(action).items():
        if key == "appspec":
            continue  # shown as its own block below
        shown = ", ".join(value) if isinstance(value, list) else value
        lines.append(f"  {key}: {shown}")
    return lines


def _signed(sign: str, text: str) -> list[str]:
    """Every line of a (possibly multi-line) value carries the sign, so GitHub colours it all."""
    return [f"{sign} {line}" for line in text.splitlines()]


def _appspec_block(service: ServicePlan) -> list[str]:
    for action in service.actions:
        shown = details(action)
        if "appspec" in shown:
            return ["", "AppSpec it will send:", "", "```yaml", appspec_yaml(shown["appspec"]).rstrip(), "```"]
    return []


def _service_block(service: ServicePlan, max_lines: int | None) -> list[str]:
    kinds = headline(service)
    lines = _diff_lines(service)
    shown, hidden = (lines, 0) if max_lines is None or len(lines) <= max_lines else (lines[:max_lines], len(lines) - max_lines)
    out = [
        f"<details><summary><b>{service.ref.service}</b> ({service.ref.cluster}, {service.controller.value}): {kinds}</summary>",
        "",
        "```diff",
        *shown,
        "```",
    ]
    if hidden:
        out.append(f"\n**Shortened:** {hidden} more line{'s' if hidden != 1 else ''} of this service's plan not shown "
                   "(GitHub caps comments near 64 KB); run `ecsplan plan` for the full plan.")
    else:
        out.extend(_appspec_block(service))
    out += ["", "</details>", ""]
    return out


def _command(plan: Plan) -> str:
    return {Purpose.ROLLBACK: "ecsplan rollback", Purpose.CONTINUE: "ecsplan continue"}.get(plan.purpose, "ecsplan plan")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _title(plan: Plan) -> str:
    """`## ecsplan plan: 3 of 12 services change, 2 risks`: what changes and what to look at."""
    changed = sum(1 for s in plan.services if s.has_changes)
    if not changed:
        return f"## {_command(plan)}: no changes ({_plural(len(plan.services), 'service')})"
    what = f"{changed} of {_plural(len(plan.services), 'service')} change{'s' if changed == 1 else ''}"
    found = sum(len(risks(s)) for s in plan.services)
    if found:
        what += f", {_plural(found, 'risk')}"
    if plan.blocked:
        return f"## {_command(plan)}: blocked changes, apply will refuse this plan ({what})"
    return f"## {_command(plan)}: {what}"


def _context(plan: Plan) -> str:
    """Where the plan comes from and which one it is: account, region, config files, commit, plan id."""
    parts = []
    if plan.account:
        parts.append(f"account `{plan.account}`")
    if plan.region:
        parts.append(f"region `{plan.region}`")
    sources = list(dict.fromkeys(s.source for s in plan.services if s.source))
    if sources:
        shown = ", ".join(f"`{p}`" for p in sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")
        parts.append(f"config{'s' if len(sources) != 1 else ''} {shown}")
    if plan.commit:
        parts.append(f"commit `{plan.commit[:7]}`")
    parts.append(f"plan id `{short_id(plan_id(plan))}`")
    return " · ".join(parts)


def _risk_callout(plan: Plan) -> list[str]:
    """The risks, before everything else but the heading (blocked changes have their own callout)."""
    found = [(s.ref, r) for s in plan.services for r in risks(s, include_blocked=False)]
    if not found:
        return []
    lines = ["> [!WARNING]", "> Look twice at:"]
    lines.extend(f"> - `{ref}` `{r.path}`: {r.reason}" for ref, r in found)
    return [*lines, ""]


def _clean(plan: Plan) -> list[str]:
    """A plan without changes: one line, the context, the services collapsed."""
    lines = [_title(plan), "", _context(plan), "", f"<details><summary>{_plural(len(plan.services), 'service')}, no changes</summary>", ""]
    lines.extend(f"- `{s.ref}` ({s.controller.value})" for s in plan.services)
    return [*lines, "", "</details>", ""]


def _header(plan: Plan) -> list[str]:
    if not plan.has_changes:
        return _clean(plan)
    lines = [_title(plan), "", _context(plan), "", f"**{summary_line(plan)}**", ""]
    lines += _risk_callout(plan)
    if plan.blocked:
        lines.append("> [!CAUTION]")
        lines.append("> These changes cannot be made in place; `ecsplan apply` refuses the plan and changes nothing:")
        for ref, b in plan.blocked:
            lines.append(f"> - `{ref}` `{b.path}`: {b.reason}")
        lines.append("")
    removals = [(s.ref, c.path) for s in plan.services for a in s.actions for c in a.changes if c.kind is ChangeKind.REMOVE]
    if removals:
        lines.append("> [!WARNING]")
        lines.append("> This plan removes:")
        lines.extend(f"> - `{ref}` `{path}`" for ref, path in removals)
        lines.append("")
    lines += ["| service | cluster | controller | plan |", "|---|---|---|---|"]
    for s in plan.services:
        lines.append(f"| {s.ref.service} | {s.ref.cluster} | {s.controller.value} | {headline(s)} |")
    lines.append("")
    return lines


def render(plan: Plan, *, limit: int = LIMIT) -> str:
    head = _header(plan)
    changed = [s for s in plan.services if s.has_changes]
    full = "\n".join(head + [line for s in changed for line in _service_block(s, None)])
    if len(full) <= limit:
        return full.rstrip() + "\n"
    # Too long: give every service the same share, in lines, and shrink until it fits.
    budget = max(max(len(_diff_lines(s)) for s in changed), 1)
    while budget > 1:
        budget = max(budget * 3 // 4, 1)
        text = "\n".join(head + [line for s in changed for line in _service_block(s, budget)])
        if len(text) <= limit:
            return text.rstrip() + "\n"
    text = "\n".join(head + [line for s in changed for line in _service_block(s, 1)])
    return text.rstrip() + "\n"
