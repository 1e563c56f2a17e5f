"""Golden files (fixtures/golden/): what people read, pinned, and the saved plans it is rendered
from. Shared by tests/test_golden.py and the tests that need a real plan file.

The saved plans (fixtures/golden/plan-*.plan.json) are `ecsplan plan --out` of the demo project
through the CLI against the sandbox, with the sandbox's random subnet and security group IDs
replaced by placeholders. With ECSPLAN_UPDATE_GOLDEN=1 the tests that read them make them again
that way first, then write the text files from them:

    ECSPLAN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -n 0 tests/test_golden.py

Read the diff before committing it."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from planner import planfile
from planner.plan import Plan
from tests.helpers_cli import ROOT, Project

GOLDEN = ROOT / "fixtures" / "golden"
UPDATE = bool(os.environ.get("ECSPLAN_UPDATE_GOLDEN"))
# The update every golden "update" file shows: a new image, a count, a plain and a secret value.
CHANGES = {"IMAGE_TAG": "1.27", "DESIRED_COUNT": "3", "LOG_LEVEL": "debug", "DB_PASSWORD": "correct-horse"}
# name -> (is the service deployed before planning, the environment of the plan)
SAVED_PLANS = {"create": (False, {}), "update": (True, CHANGES), "clean": (True, {})}
PLACEHOLDERS = ("DEMO_SUBNET_ID", "DEMO_SECURITY_GROUP_ID")


def with_placeholders(text: str, project: Project) -> str:
    for key in PLACEHOLDERS:
        text = text.replace(project.env[key], f"<{key}>")
    return text


def check(name: str, text: str, project: Project | None = None) -> None:
    """`text` is the golden file `name` (with `project`'s IDs as placeholders); with
    ECSPLAN_UPDATE_GOLDEN=1 it becomes it."""
    if project is not None:
        text = with_placeholders(text, project)
    path = GOLDEN / name
    if UPDATE:
        _write(path, text)
    assert path.exists(), f"missing golden file {path}; run with ECSPLAN_UPDATE_GOLDEN=1"
    assert text == path.read_text()


def saved_plan_path(name: str) -> Path:
    return GOLDEN / f"plan-{name}.plan.json"


def remake_saved_plan(name: str, project: Project) -> None:
    """`ecsplan plan --out` of the demo project (a fresh one), through the CLI, as the saved plan
    `name`."""
    deployed, env = SAVED_PLANS[name]
    if deployed:
        res = project.run("apply", "--auto-approve")
        assert res.returncode == 0, res.stdout + res.stderr
    res = project.run("plan", "--out", "saved.plan.json", env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    _write(saved_plan_path(name), as_saved((project.path / "saved.plan.json").read_text(), project))


def as_saved(plan_file_text: str, project: Project) -> str:
    """A plan file of `project` as the golden saved plans hold it: IDs as placeholders, the config
    named relative to the project (as `ecsplan plan` run in its folder names it), written again
    through the codec so that the fingerprint is of the live view with the placeholders (making
    the file again gives the same file)."""
    text = with_placeholders(plan_file_text.replace(f"{project.path}/", ""), project)
    # The sandbox's deployment IDs are random (as AWS's): the saved view's PRIMARY one too.
    text = re.sub(r"ecs-svc/[0-9]+", "ecs-svc/<DEPLOYMENT_ID>", text)
    return planfile.dumps(planfile.from_document(json.loads(text), source="a saved plan"))


def _write(path: Path, text: str) -> None:
    # Whole or not at all: with several workers, another test may be reading the file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def load_saved_plan(name: str) -> Plan:
    return planfile.load(str(saved_plan_path(name)))
