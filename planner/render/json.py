"""`--format json`: the plan document of DESIGN.md without payloads, secret-looking values masked."""

from __future__ import annotations

import json

from planner.plan import Plan, notes
from planner.planfile import to_document
from planner.render.mask import mask_pair, patterns_for


def render(plan: Plan) -> str:
    doc = to_document(plan, include_payloads=False)
    by_ref = {(s.ref.cluster, s.ref.service): s for s in plan.services}
    for entry in doc["services"]:
        service = by_ref[(entry["cluster"], entry["service"])]
        # Not in plan files (nor in plan_id): what was under way when the plan was made.
        entry["in_progress"] = service.in_progress
        entry["locked_by"] = service.locked_by
        patterns = patterns_for(service.sensitive, service.secret_values)
        for action in entry["actions"]:
            for change in action["changes"]:
                change["before"], change["after"] = mask_pair(change["path"], change["before"], change["after"], patterns)
    doc["summary"]["notes"] = notes(plan)
    return json.dumps(doc, indent=2, default=str) + "\n"
