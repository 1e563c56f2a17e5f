"""Terraform state lookups (ecspresso's tfstate plugin, fujiwara/tfstate-lookup): pure, on a state
document already read (providers/lookups reads it from a file, S3 or a URL).

Addresses, as Terraform writes them:

    aws_subnet.main.id                     a resource's attribute
    data.aws_vpc.main.cidr_block           a data source
    aws_subnet.private[0].id               a counted resource
    aws_subnet.private["az-a"].id          a for_each resource ('...' quotes too)
    module.net.aws_subnet.main.id          in a module (module.a.module.b..., module.a[0]...)
    output.vpc_id                          an output (root module)
    aws_iam_role.task.tags.Name            a nested attribute; [n] indexes a list attribute

An address without an attribute gives the instance's attributes; without an index on a counted /
for_each resource, every instance (a list for count, an object by key for for_each), as Jsonnet
users fetch them with std.objectValues().
"""

from __future__ import annotations

import json
import re
from typing import Any

from planner.errors import LookupFailed

__all__ = ["parse_state", "lookup"]

_SEGMENT = re.compile(r"""\.?([A-Za-z_][A-Za-z0-9_-]*)|\[\s*(?:(\d+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\s*\]""")


def parse_state(text: str, *, where: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise LookupFailed(f"{where} is not a Terraform state (invalid JSON: {err.msg} at line {err.lineno})") from None
    if not isinstance(doc, dict) or "resources" not in doc and "outputs" not in doc:
        raise LookupFailed(f"{where} is not a Terraform state (no resources or outputs)")
    if int(doc.get("version", 4)) < 4:
        raise LookupFailed(f"{where} is a Terraform state of version {doc.get('version')}; tfstate lookups read version 4 (Terraform 0.12+)")
    return doc


def _segments(address: str) -> list[str | int]:
    out: list[str | int] = []
    pos = 0
    while pos < len(address):
        match = _SEGMENT.match(address, pos)
        if match is None or match.end() == pos:
            raise LookupFailed(f"cannot read the address {address!r} at {address[pos:]!r}")
        name, number, double, single = match.groups()
        if name is not None:
            out.append(name)
        elif number is not None:
            out.append(int(number))
        else:
            out.append(json.loads(f'"{double}"') if double is not None else single)
        pos = match.end()
    return out


def lookup(state: dict[str, Any], address: str, *, where: str) -> Any:
    """The value at ``address`` in ``state`` (read from ``where``, named in errors)."""
    segs = _segments(address)
    if segs and segs[0] == "output":
        if len(segs) < 2 or not isinstance(segs[1], str):
            raise LookupFailed(f"{address!r}: an output is output.NAME")
        outputs = state.get("outputs") or {}
        if segs[1] not in outputs:
            raise LookupFailed(f"output {segs[1]} not found in {where} (outputs: {', '.join(sorted(outputs)) or 'none'})")
        return _attribute(outputs[segs[1]].get("value"), segs[2:], address)
    module_parts: list[str] = []
    i = 0
    while i < len(segs) and segs[i] == "module":
        if i + 1 >= len(segs) or not isinstance(segs[i + 1], str):
            raise LookupFailed(f"{address!r}: module must be followed by its name")
        part = f"module.{segs[i + 1]}"
        i += 2
        if i < len(segs) and _was_index(address, segs, i):
            key = segs[i]
            part += f"[{key}]" if isinstance(key, int) else f'["{key}"]'
            i += 1
        module_parts.append(part)
    module = ".".join(module_parts)
    mode = "managed"
    if i < len(segs) and segs[i] == "data":
        mode = "data"
        i += 1
    if i + 1 >= len(segs) or not isinstance(segs[i], str) or not isinstance(segs[i + 1], str):
        raise LookupFailed(f"{address!r} is not an address like aws_subnet.main.id, data.aws_vpc.main.id or output.name")
    rtype, rname = segs[i], segs[i + 1]
    i += 2
    resource = next(
        (
            r
            for r in state.get("resources") or []
            if r.get("type") == rtype and r.get("name") == rname and r.get("mode", "managed") == mode and (r.get("module") or "") == module
        ),
        None,
    )
    shown = ".".join(p for p in (module, "data" if mode == "data" else "", f"{rtype}.{rname}") if p)
    if resource is None:
        same_type = sorted(
            ".".join(p for p in (r.get("module") or "", "data" if r.get("mode") == "data" else "", f"{r.get('type')}.{r.get('name')}") if p)
            for r in state.get("resources") or []
            if r.get("type") == rtype
        )
        hint = f" ({rtype} resources there: {', '.join(same_type)})" if same_type else ""
        raise LookupFailed(f"resource {shown} not found in {where}{hint}")
    instances = resource.get("instances") or []
    keyed = any("index_key" in inst for inst in instances)
    if i < len(segs) and _was_index(address, segs, i):
        key = segs[i]
        i += 1
        inst = next((x for x in instances if x.get("index_key") == key), None)
        if inst is None:
            keys = ", ".join(json.dumps(x.get("index_key")) for x in instances)
            raise LookupFailed(f"{shown}[{json.dumps(key)}] not found in {where} (instances: {keys or 'none'})")
        return _attribute(inst.get("attributes"), segs[i:], address)
    if not keyed:
        if not instances:
            raise LookupFailed(f"resource {shown} has no instances in {where}")
        return _attribute(instances[0].get("attributes"), segs[i:], address)
    if i < len(segs):
        keys = ", ".join(json.dumps(x.get("index_key")) for x in instances)
        raise LookupFailed(f"{shown} has several instances (keys {keys}); give one, like {shown}[{json.dumps(instances[0].get('index_key'))}].{segs[i]}")
    if all(isinstance(x.get("index_key"), int) for x in instances):
        return [x.get("attributes") for x in sorted(instances, key=lambda x: x["index_key"])]
    return {str(x.get("index_key")): x.get("attributes") for x in instances}


def _was_index(address: str, segs: list[str | int], i: int) -> bool:
    """Whether segment ``i`` was written in brackets (an index), not as .name."""
    if isinstance(segs[i], int):
        return True
    # Re-scan: a string segment is an index when it came from ["..."] or ['...'].
    pos = 0
    for n in range(i + 1):
        match = _SEGMENT.match(address, pos)
        assert match is not None
        if n == i:
            return match.group(1) is None
        pos = match.end()
    return False


def _attribute(value: Any, path: list[str | int], address: str) -> Any:
    walked = []
    for seg in path:
        walked.append(seg)
        if isinstance(value, dict) and isinstance(seg, str) and seg in value:
            value = value[seg]
        elif isinstance(value, list) and isinstance(seg, int) and 0 <= seg < len(value):
            value = value[seg]
        else:
            raise LookupFailed(f"{address!r}: attribute {'.'.join(str(s) for s in walked)} not found")
    return value
