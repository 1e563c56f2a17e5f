"""What people read, pinned: plan output in text and JSON for the demo project, through the CLI
against the sandbox. Regenerate after a deliberate change with ECSPLAN_UPDATE_GOLDEN=1 and read
the diff before committing it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden"


def check(name, text, project):
    for key in ("DEMO_SUBNET_ID", "DEMO_SECURITY_GROUP_ID"):
        text = text.replace(project.env[key], f"<{key}>")
    path = GOLDEN / name
    if os.environ.get("ECSPLAN_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"missing golden file {path}; run with ECSPLAN_UPDATE_GOLDEN=1"
    assert text == path.read_text()


def plan(project, *args, env=None):
    res = project.run("plan", *args, env=env)
    assert res.returncode in (0, 2), res.stderr
    return res.stdout


def test_create_plan(project):
    check("plan-create.txt", plan(project), project)


@pytest.fixture
def deployed(project):
    res = project.run("apply", "--auto-approve")
    assert res.returncode == 0, res.stderr
    return project


CHANGES = {"IMAGE_TAG": "1.27", "DESIRED_COUNT": "3", "LOG_LEVEL": "debug", "DB_PASSWORD": "correct-horse"}


def test_update_plan_text(deployed):
    text = plan(deployed, env=CHANGES)
    assert "correct-horse" not in text and "hunter2" not in text
    check("plan-update.txt", text, deployed)


def test_update_plan_json(deployed):
    text = plan(deployed, "--format", "json", env=CHANGES)
    assert "correct-horse" not in text and "hunter2" not in text
    check("plan-update.json", text, deployed)


def test_clean_plan_text(deployed):
    check("plan-clean.txt", plan(deployed), deployed)


def test_colour_on_a_terminal_only_and_never_with_no_color(deployed):
    assert "\033[" not in plan(deployed, env={**CHANGES, "NO_COLOR": None})  # a pipe, not a terminal
    on_tty = deployed.run_on_tty("plan", env={**CHANGES, "NO_COLOR": None})
    assert "\033[33m~\033[0m containerDefinitions[web].image" in on_tty
    assert "\033[" not in deployed.run_on_tty("plan", env=CHANGES)  # NO_COLOR=1
    assert "\033[" not in deployed.run_on_tty("plan", "--no-color", env={**CHANGES, "NO_COLOR": None})
