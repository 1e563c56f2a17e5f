"""`--format markdown`: a pull-request comment or `$GITHUB_STEP_SUMMARY` (tfcmt/Atlantis style).

A heading with what changes and how many risks, a context line (account, region, configs, commit,
plan id), the summary line, then the risks (planner/risk.py), blocked changes and removals (grouped
per service) called out at the top, a table of services with each one's headline, then per changed
service a `<details>` block holding a ```diff block; a plan without changes is its heading, the
context and the services collapsed. GitHub refuses a comment over 65,536 characters: the whole
comment stays within `limit` (default `LIMIT`). Shortening drops whole changes, never part of one:
it keeps every service's action lines, blocked lines and important changes (image, cpu/memory,
containers added or removed, task definition, desired count, deployment) before the rest, takes the
rest service by service in turn, and opens a shortened service with an index of what it changed.
The callouts and the table shorten too ("and 240 more removals in 12 services"); every shortened
part says where the full plan is. No ANSI codes; nothing a user wrote becomes HTML (escape.py).
"""

from __future__ import annotations

import re
from collections import Counter

import attrs

from planner.actions import Action, details
from planner.appspec import appspec_yaml
from planner.diff import Change, ChangeKind
from planner.plan import Plan, Purpose, ServicePlan, in_progress_services, locked_services, summary_line, unlock_command, wait_command
from planner.planfile import plan_id, short_id
from planner.render import escape
from planner.render.mask import mask_change, patterns_for
from planner.render.text import changed_words, format_value
from planner.render.values import shown_changes
from planner.risk import headline, risks

LIMIT = 60_000  # GitHub refuses a comment over 65,536 characters
FULL_PLAN = "the full plan is in the run's log (`ecsplan plan` prints it as text)"
WHY = "GitHub refuses comments over 65,536 characters"


@attrs.frozen
class _Unit:
    """Lines that are shown or left out together (one change, one action's heading); `rank` 0 is
    always shown, 1 (important) before 2 (the rest)."""

    lines: tuple[str, ...]
    rank: int
    paths: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return sum(len(line) + 1 for line in self.lines)


_IMPORTANT = re.compile(
    r"^(cpu|memory|taskDefinition|desiredCount|deploymentConfiguration.*"
    r"|containerDefinitions\[[^\]]+\](\.(image|cpu|memory|memoryReservation))?)$")


def _units(service: ServicePlan) -> list[_Unit]:
    """The service's plan as diff lines: `+` added, `-` removed; a change is its old value as a
    `-` line and its new value as a `+` line, so GitHub colours both."""
    patterns = patterns_for(service.sensitive, service.secret_values)
    units = [_Unit((f"# deployment: {escape.text(line)}",), 1) for line in service.deployment_lines()]
    for b in service.blocked:
        units.append(_Unit((f"! blocked: {escape.text(b.path)}: {format_value(b.before)} -> {format_value(b.after)}",
                            f"!   {escape.text(b.reason)}"), 0, (b.path,)))
    for action in service.actions:
        units.extend(_action_units(action, patterns))
    return units


def _diff_lines(service: ServicePlan) -> list[str]:
    return [line for u in _units(service) for line in u.lines]


def _action_units(action: Action, patterns: tuple[str, ...]) -> list[_Unit]:
    head = f"# {action.TYPE.label}" + (f": {escape.text(action.note)}" if action.note else "")
    units = [_Unit((head,), 0)]
    for raw in shown_changes(action):
        units.append(_Unit(tuple(_change_lines(mask_change(raw, patterns))), 1 if _IMPORTANT.match(raw.path) else 2, (raw.path,)))
    shown = [f"  {key}: {escape.text(', '.join(value) if isinstance(value, list) else str(value))}"
             for key, value in details(action).items() if key != "appspec"]  # the AppSpec: its own block below
    if shown:
        units.append(_Unit(tuple(shown), 1))
    return units


def _change_lines(c: Change) -> list[str]:
    path = escape.text(c.path)
    lines: list[str] = []
    if c.before is not None:
        lines.extend(_signed("-", f"{path}: {format_value(c.before)}"))
    if c.after is not None:
        lines.extend(_signed("+", f"{path}: {format_value(c.after)}"))
    words = changed_words(c) if c.before is not None and c.after is not None else None
    if words is not None:
        lines.append(f"  changed words: {words}")
    return lines


WRAP = 160  # a diff block does not wrap: a longer line goes on, marked `…`, on the next


def _signed(sign: str, text: str) -> list[str]:
    """Every line of a (possibly multi-line) value carries the sign, so GitHub colours it all;
    a line over WRAP characters continues on the next ones."""
    out = []
    for line in text.split("\n"):
        out.append(f"{sign} {line[:WRAP]}")
        out.extend(f"{sign} … {line[i:i + WRAP]}" for i in range(WRAP, len(line), WRAP))
    return out


def _appspec_block(service: ServicePlan) -> list[str]:
    for action in service.actions:
        shown = details(action)
        if "appspec" in shown:
            return ["", "AppSpec it will send:", "", *escape.fence(escape.lines(appspec_yaml(shown["appspec"]).rstrip()).split("\n"), "yaml")]
    return []


_ENTRY = re.compile(r"^(.+\.[A-Za-z]+)\[[^\]]*\]$")  # containerDefinitions[app].environment[X] -> ...environment


def _group(path: str) -> str:
    m = _ENTRY.match(path)
    return m.group(1) if m else path


def _index(units: list[_Unit], hidden: list[_Unit], width: int = 1500) -> list[str]:
    """What the service changes, by path, keyed entries counted under their list, and how many
    of each this comment leaves out: `environment (30, 28 not shown)`."""
    groups = Counter(_group(p) for u in units for p in u.paths)
    left_out = Counter(_group(p) for u in hidden for p in u.paths)
    parts = []
    for path, n in groups.items():
        out = left_out[path]
        counts = [str(n)] if n > 1 else []
        if out:
            counts.append("not shown" if out == n else f"{out} not shown")
        parts.append(escape.text(path) + (f" ({', '.join(counts)})" if counts else ""))
    line, shown = "# changes:", 0
    for part in parts:
        if len(line) + len(part) > width:
            break
        line += (" " if shown == 0 else ", ") + part
        shown += 1
    if shown < len(parts):
        line += f", and {len(parts) - shown} more"
    return [line]


def _service_block(service: ServicePlan, units: list[_Unit], keep: set[int] | None = None) -> list[str]:
    """`keep`: the indices of the units shown (None: all of them)."""
    kinds = escape.html_text(headline(service))
    shown = [u for i, u in enumerate(units) if keep is None or i in keep]
    hidden = [u for i, u in enumerate(units) if keep is not None and i not in keep]
    body = [line for u in shown for line in u.lines]
    if hidden:
        body = _index(units, hidden) + body
    out = [
        f"<details><summary><b>{escape.html_text(service.ref.service)}</b> ({escape.html_text(service.ref.cluster)}, "
        f"{service.controller.value}): {kinds}</summary>",
        "",
        *escape.fence(body, "diff"),
    ]
    if not hidden:
        out.extend(_appspec_block(service))
    out += ["", "</details>", ""]
    return out


def _blocked_items(plan: Plan, max_items: int | None) -> list[str]:
    blocked = plan.blocked
    shown = blocked if max_items is None else blocked[: max(max_items, 1)]
    lines = [f"> - {escape.code(str(ref))} {escape.code(b.path)}: {escape.markdown_text(b.reason)}" for ref, b in shown]
    if len(shown) < len(blocked):
        lines.append(f"> - and {len(blocked) - len(shown)} more; {FULL_PLAN}")
    return lines


def _table_services(plan: Plan, max_items: int | None) -> list[ServicePlan]:
    """All services; past `max_items` rows, the services with changes first."""
    if max_items is None or len(plan.services) <= max_items:
        return list(plan.services)
    return sorted(plan.services, key=lambda s: not s.has_changes)[:max_items]


def _table_rest(plan: Plan, max_items: int | None) -> list[str]:
    if max_items is None or len(plan.services) <= max_items:
        return []
    rest = sorted(plan.services, key=lambda s: not s.has_changes)[max_items:]
    changed = sum(1 for s in rest if s.has_changes)
    return [f"| and {len(rest)} more service{'s' if len(rest) != 1 else ''} ({changed} with changes) | | | |"]


def _removals_callout(plan: Plan, max_items: int | None) -> list[str]:
    """The removals, one line per service; past `max_items`, the paths shared among the services
    listed (`max_items` of them at most) and the rest counted ("and 240 more removals in 12
    services")."""
    per_service: dict[str, list[str]] = {}
    for s in plan.services:
        for a in s.actions:
            for c in a.changes:
                if c.kind is ChangeKind.REMOVE:
                    per_service.setdefault(str(s.ref), []).append(c.path)
    if not per_service:
        return []
    lines = ["> [!WARNING]", "> This plan removes:"]
    listed = list(per_service.items()) if max_items is None else list(per_service.items())[:max_items]
    each = None if max_items is None else max(1, max_items // max(len(listed), 1))
    for ref, paths in listed:
        take = paths if each is None else paths[:each]
        more = f", and {len(paths) - len(take)} more" if len(take) < len(paths) else ""
        lines.append(f"> - {escape.code(ref)}: " + ", ".join(escape.code(p) for p in take) + more)
    rest = list(per_service.values())[len(listed):]
    if rest:
        n = sum(len(paths) for paths in rest)
        more = " more" if listed else ""
        lines.append(f"> - {'and ' if listed else ''}{n}{more} removal{'s' if n != 1 else ''} in "
                     f"{len(rest)}{more} service{'s' if len(rest) != 1 else ''}; {FULL_PLAN}")
    lines.append("")
    return lines


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
        parts.append(f"account {escape.code(plan.account)}")
    if plan.region:
        parts.append(f"region {escape.code(plan.region)}")
    sources = list(dict.fromkeys(s.source for s in plan.services if s.source))
    if sources:
        shown = ", ".join(escape.code(p) for p in sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")
        parts.append(f"config{'s' if len(sources) != 1 else ''} {shown}")
    if plan.commit:
        parts.append(f"commit {escape.code(plan.commit[:7])}")
    parts.append(f"plan id `{short_id(plan_id(plan))}`")
    return " · ".join(parts)


def _risk_callout(plan: Plan, max_items: int | None = None) -> list[str]:
    """The risks, before everything else but the heading (blocked changes have their own callout)."""
    found = [(s.ref, r) for s in plan.services for r in risks(s, include_blocked=False)]
    if not found:
        return []
    shown = found if max_items is None else found[: max(max_items, 1)]
    lines = ["> [!WARNING]", "> Look twice at:"]
    lines.extend(f"> - {escape.code(str(ref))} {escape.code(r.path)}: {escape.markdown_text(r.reason)}" for ref, r in shown)
    if len(shown) < len(found):
        lines.append(f"> - and {len(found) - len(shown)} more; {FULL_PLAN}")
    return [*lines, ""]


def _callout(kind: str, intro: str, items: list[str]) -> list[str]:
    """A GitHub alert (`> [!NOTE]`, `> [!CAUTION]`) with a line and a bullet per item; none without items."""
    return ["> [!" + kind + "]", "> " + intro, *(f"> - {item}" for item in items), ""] if items else []


def _in_progress_callout(plan: Plan) -> list[str]:
    """The unchanged services whose deployment is still under way: "no changes" is not "done"."""
    return _callout("NOTE", "A deployment is still in progress:", [
        f"{escape.code(str(s.ref))}: {escape.code(s.in_progress or '')}; {escape.code(wait_command(s))} follows it"
        for s in in_progress_services(plan)])


def _lock_callout(plan: Plan) -> list[str]:
    """The changed services another apply holds: apply refuses them until it ends."""
    return _callout("CAUTION", "Another apply holds the lock; `ecsplan apply` refuses these services until it ends:", [
        f"{escape.code(str(s.ref))}: {escape.code(s.locked_by or '')} (if it died: {escape.code(unlock_command(s))})"
        for s in locked_services(plan)])


def _clean(plan: Plan) -> list[str]:
    """A plan without changes: one line, the context, the deployments still under way, the
    services collapsed."""
    lines = [_title(plan), "", _context(plan), "", *_in_progress_callout(plan),
             f"<details><summary>{_plural(len(plan.services), 'service')}, no changes</summary>", ""]
    lines.extend(f"- {escape.code(str(s.ref))} ({s.controller.value})" for s in plan.services)
    return [*lines, "", "</details>", ""]


def _header(plan: Plan, max_items: int | None = None) -> list[str]:
    """`max_items`: how many risks, blocked changes, removals and table rows are listed (None: all)."""
    if not plan.has_changes:
        return _clean(plan)
    lines = [_title(plan), "", _context(plan), "", f"**{summary_line(plan)}**", ""]
    lines += _risk_callout(plan, max_items)
    lines += _in_progress_callout(plan)
    lines += _lock_callout(plan)
    if plan.blocked:
        lines.append("> [!CAUTION]")
        lines.append("> These changes cannot be made in place; `ecsplan apply` refuses the plan and changes nothing:")
        lines.extend(_blocked_items(plan, max_items))
        lines.append("")
    lines.extend(_removals_callout(plan, max_items))
    lines += ["| service | cluster | controller | plan |", "|---|---|---|---|"]
    for s in _table_services(plan, max_items):
        what = escape.markdown_text(headline(s))
        lines.append(f"| {escape.markdown_text(s.ref.service)} | {escape.markdown_text(s.ref.cluster)} | {s.controller.value} | {what} |")
    lines.extend(_table_rest(plan, max_items))
    lines.append("")
    return lines


def _blocks(plan: Plan) -> list[tuple[ServicePlan, list[_Unit]]]:
    return [(s, _units(s)) for s in plan.services if s.has_changes]


def _join(lines: list[str]) -> str:
    return "\n".join(lines).rstrip() + "\n"


def render(plan: Plan, *, limit: int = LIMIT) -> str:
    """The plan as Markdown, at most `limit` characters."""
    blocks = _blocks(plan)
    full = _join(_header(plan) + [line for s, units in blocks for line in _service_block(s, units)])
    if len(full) <= limit:
        return full
    return _shortened(plan, blocks, limit)


def _shortened(plan: Plan, blocks: list[tuple[ServicePlan, list[_Unit]]], limit: int) -> str:
    note = ["> [!NOTE]", f"> **Shortened:** this plan is longer than GitHub allows ({WHY}): each service shows its "
            f"important changes first and an index of all it changes; {FULL_PLAN}.", ""]
    # Every service's skeleton (rank 0: action lines, blocked lines, the index).
    keep: list[set[int]] = [{i for i, u in enumerate(units) if u.rank == 0} for _, units in blocks]
    sizes = [len(_join(_service_block(s, units, k))) for (s, units), k in zip(blocks, keep)]
    important = sum(sizes) + sum(u.size for _, units in blocks for u in units if u.rank == 1)
    # The top: callouts and table as full as leaves room for every service's important changes,
    # or taking an eighth of the room at most.
    heads = [_header(plan, max_items=items) + note for items in (None, 100, 30, 10, 0)]
    head = next((h for h in heads if len(_join(h)) + important <= limit), None) \
        or next((h for h in heads if len(_join(h)) <= limit // 8), heads[-1])
    total = len(_join(head))
    n_services = 0
    tail_room = 300  # the note on services left out
    for size in sizes:  # as many services as fit (all but in extreme plans)
        if total + size + tail_room > limit:
            break
        total += size
        n_services += 1
    # Then the changes: important ones (rank 1) first, each service in turn, then the rest.
    order = sorted((u.rank, pos, b, i) for b, (_, units) in enumerate(blocks[:n_services])
                   for rank in (1, 2) for pos, (i, u) in enumerate((i, u) for i, u in enumerate(units) if u.rank == rank))
    added: list[tuple[int, int]] = []
    for _, _, b, i in order:
        size = blocks[b][1][i].size
        if total + size + tail_room <= limit:
            keep[b].add(i)
            added.append((b, i))
            total += size

    def assemble() -> str:
        lines = head + [line for (s, units), k in zip(blocks[:n_services], keep) for line in _service_block(s, units, k)]
        if n_services < len(blocks):
            n = len(blocks) - n_services
            lines.append(f"**Shortened:** {n} more service{'s' if n != 1 else ''} with changes not shown ({WHY}); {FULL_PLAN}.")
        return _join(lines)

    text = assemble()
    while len(text) > limit and added:  # the estimate above is close; fences or counts may grow it a little
        over = len(text) - limit
        while over > 0 and added:  # leave out the last taken until the excess is made up, then check again
            b, i = added.pop()
            keep[b].discard(i)
            over -= blocks[b][1][i].size
        text = assemble()
    return text if len(text) <= limit else _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    """The last resort (a top too long on its own): whole lines up to the limit, an open code
    block and `<details>` closed, and the note."""
    note = f"\n**Shortened:** the rest of this plan is not shown ({WHY}); {FULL_PLAN}.\n"
    out: list[str] = []
    fence: str | None = None
    open_details = 0
    used = 0
    for line in text.split("\n"):
        closing = (len(fence) + 1 if fence else 0) + open_details * len("\n</details>\n")
        if used + len(line) + 1 + closing + len(note) > limit:
            break
        out.append(line)
        used += len(line) + 1
        if fence is None and line.startswith("```"):
            fence = line[: len(line) - len(line.lstrip("`"))]
        elif fence is not None and line == fence:
            fence = None
        elif fence is None and line.startswith("<details>"):
            open_details += 1
        elif fence is None and line == "</details>":
            open_details -= 1
    if fence:
        out.append(fence)
    out.extend(["", "</details>", ""] * open_details)
    return "\n".join(out).rstrip() + "\n" + note
