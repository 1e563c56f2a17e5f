"""What people read, pinned: the demo project's plans as text, JSON and Markdown. The renderers
are checked on saved plans (fixtures/golden/plan-*.plan.json, made by `ecsplan plan --out`:
tests/helpers_golden.py says how), without the CLI or the sandbox; one test runs the whole loop
through the CLI against the sandbox to show it still prints the same text, and one shows when
the CLI colours it. Regenerate after a deliberate change with ECSPLAN_UPDATE_GOLDEN=1 and read
the diff before committing it."""

from __future__ import annotations

import re

import pytest

from planner import planfile
from planner.render import json as render_json
from planner.render import markdown as render_markdown
from planner.render import text as render_text
from tests.helpers_golden import CHANGES, SAVED_PLANS, UPDATE, as_saved, check, load_saved_plan, remake_saved_plan, saved_plan_path

SECRETS = ("correct-horse", "hunter2")  # DB_PASSWORD after and before the update


@pytest.fixture
def saved_plan(request):
    """The saved plan by name; remade through the CLI first with ECSPLAN_UPDATE_GOLDEN=1."""

    def load(name):
        if UPDATE:
            remake_saved_plan(name, request.getfixturevalue("project"))
        return load_saved_plan(name)

    return load


def test_create_plan(saved_plan):
    check("plan-create.txt", render_text.render(saved_plan("create"), color=False))


def test_update_plan_text(saved_plan):
    text = render_text.render(saved_plan("update"), color=False)
    assert not any(s in text for s in SECRETS)
    check("plan-update.txt", text)


def test_update_plan_json(saved_plan):
    text = render_json.render(saved_plan("update"))
    assert not any(s in text for s in SECRETS)
    check("plan-update.json", text)


def test_update_plan_markdown(saved_plan):
    md = render_markdown.render(saved_plan("update"))
    assert "**Plan: 1 to register, 1 to update.**" in md
    assert "<details><summary><b>web</b>" in md and "```diff" in md and "</details>" in md
    assert '+ containerDefinitions[web].image: "public.ecr.aws/nginx/nginx:1.27"' in md
    assert "\033[" not in md and not any(s in md for s in SECRETS)
    check("plan-update.md", md)


def test_clean_plan_text(saved_plan):
    check("plan-clean.txt", render_text.render(saved_plan("clean"), color=False))


@pytest.mark.parametrize("fmt", ["txt", "json", "md"])
def test_a_deployment_in_progress_is_said_in_every_format(saved_plan, fmt):
    """The clean plan made while a rolling deployment was still under way (in_progress is not
    saved in plan files: set as the read would)."""
    import attrs

    plan = saved_plan("clean")
    plan = attrs.evolve(plan, services=[attrs.evolve(s, in_progress="ecs-svc/1234567890") for s in plan.services])
    render = {"txt": lambda p: render_text.render(p, color=False), "json": render_json.render, "md": render_markdown.render}[fmt]
    out = render(plan)
    assert "ecs-svc/1234567890" in out and "ecsplan wait -c " in out
    check(f"plan-in-progress.{fmt}", out)


@pytest.mark.parametrize("fmt", ["txt", "json", "md"])
def test_a_lock_another_apply_holds_is_said_in_every_format(saved_plan, fmt):
    """The update plan made while another apply held the service's lock (locked_by is not saved
    in plan files: set as the read would); a plan without changes says nothing of a lock."""
    import attrs

    holder = "alice@ci-7 pid 4242 plan 0123456789ab since 2026-11-28T23:40:00Z"
    render = {"txt": lambda p: render_text.render(p, color=False), "json": render_json.render, "md": render_markdown.render}[fmt]
    locked = [saved_plan(name) for name in ("update", "clean")]
    locked = [attrs.evolve(p, services=[attrs.evolve(s, locked_by=holder) for s in p.services]) for p in locked]
    out = render(locked[0])
    assert holder in out and "ecsplan apply --force-unlock -c " in out
    check(f"plan-locked.{fmt}", out)
    assert "--force-unlock" not in render(locked[1])


def test_secret_values_are_masked_in_every_format(saved_plan):
    plan = saved_plan("update")
    for out in (render_text.render(plan, color=False), render_text.render(plan, color=True),
                render_json.render(plan), render_markdown.render(plan)):
        assert "containerDefinitions[web].environment[DB_PASSWORD]" in out and "(sensitive)" in out
        assert not any(s in out for s in SECRETS)


def test_the_cli_prints_the_update_plan(project):
    project.deploy()
    res = project.run("plan", env={**CHANGES, "NO_COLOR": None})  # a pipe, not a terminal
    assert res.returncode == 0, res.stderr
    assert "\033[" not in res.stdout
    # The plan id covers the sandbox's random subnet IDs: this run's differs from the saved plan's.
    shown = re.findall(r"^Plan id: ([0-9a-f]{12})$", res.stdout, re.M)
    assert len(shown) == 1
    saved = planfile.short_id(planfile.plan_id(load_saved_plan("update")))
    check("plan-update.txt", res.stdout.replace(f"Plan id: {shown[0]}", f"Plan id: {saved}"), project)


def test_colour_on_a_terminal_only_and_never_with_no_color(project):
    project.deploy()
    on_tty = project.run_on_tty("plan", env={**CHANGES, "NO_COLOR": None})
    assert "\033[33m~\033[0m containerDefinitions[web].image" in on_tty
    assert "\033[" not in project.run_on_tty("plan", env=CHANGES)  # NO_COLOR=1
    assert "\033[" not in project.run_on_tty("plan", "--no-color", env={**CHANGES, "NO_COLOR": None})


@pytest.mark.parametrize("name", sorted(SAVED_PLANS))
def test_saved_plans_are_what_ecsplan_plans_now(project, name):
    """The saved plans above stay honest: made again (in process, against the sandbox), each is
    the file committed, apart from where the config was read from."""
    if UPDATE:
        pytest.skip("the saved plans are being made again")
    deployed, env = SAVED_PLANS[name]
    if deployed:
        project.deploy()
    fresh = as_saved(planfile.dumps(project.plan(env=env)), project)
    assert fresh == saved_plan_path(name).read_text(), (
        f"{saved_plan_path(name).name} is not what ecsplan plans now: run with ECSPLAN_UPDATE_GOLDEN=1 (tests/helpers_golden.py)")
