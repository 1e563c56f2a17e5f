"""Markdown layout rules that need no AWS: shortening long plans per service, never mid-block."""

from planner.build import build_plan
from planner.render import markdown
from tests.factories import TASK, desired, live


def big_plan(n_env=3000):
    td = dict(TASK)
    td["containerDefinitions"] = [dict(TASK["containerDefinitions"][0],
                                       environment=[{"name": f"VAR_{i:04d}", "value": "x" * 20} for i in range(n_env)])]
    return build_plan([(desired(task=td), live())])


def test_long_plans_are_shortened_with_a_note_and_balanced_fences():
    full = markdown.render(big_plan(), limit=10**9)
    short = markdown.render(big_plan(), limit=60_000)
    assert len(full) > 60_000 >= len(short)
    assert "**Shortened:**" in short and "run `ecsplan plan` for the full plan" in short
    assert short.count("```") % 2 == 0 and short.count("<details>") == short.count("</details>")
    assert short.startswith("## ecsplan plan: 1 of 1 service changes")


def test_short_plans_are_not_shortened():
    text = markdown.render(big_plan(n_env=3))
    assert "Shortened" not in text and "+ containerDefinitions[app].environment[VAR_0002]" in text


def test_removals_are_called_out_at_the_top():
    td = dict(TASK)
    td["containerDefinitions"] = [dict(TASK["containerDefinitions"][0], environment=[])]
    text = markdown.render(build_plan([(desired(task=td), live())]))
    assert text.index("> This plan removes:") < text.index("<details>")
    assert "`prod/web` `containerDefinitions[app].environment[LOG_LEVEL]`" in text


def test_a_rollback_plan_is_headed_as_a_rollback():
    import attrs

    from planner.plan import Purpose

    plan = build_plan([(desired(task=dict(TASK, cpu="512")), live())])
    assert markdown.render(attrs.evolve(plan, purpose=Purpose.ROLLBACK)).startswith("## ecsplan rollback: 1 of 1 service changes")
    assert markdown.render(plan).startswith("## ecsplan plan: 1 of 1 service changes")
