"""Risk first in every rendering, on plan values: the text's Risks block, headlines and plan id;
the Markdown heading, context line, risk callout, table headlines and the short clean plan; the
JSON's headline and risks."""

from __future__ import annotations

import json

import attrs

from planner import planfile
from planner.build import build_plan
from planner.model import ServiceRef
from planner.render import escape, markdown
from planner.render import json as render_json
from planner.render import text as render_text
from tests.factories import REF, SERVICE, TASK, desired, live, with_image

OTHER = ServiceRef(cluster="prod", service="api")


def risky_plan():
    """prod/web scales to 0 and runs :latest; prod/api (from another config) does not change."""
    web = (desired(task=with_image("nginx:latest"), service=dict(SERVICE, desiredCount=0)), live())
    api_desired = attrs.evolve(desired(), ref=OTHER, source="api/ecspresso.yml")
    api = (api_desired, attrs.evolve(live(), ref=OTHER))
    plan = build_plan([web, api], region="us-east-1", account="123456789012")
    return attrs.evolve(plan, commit="0123456789abcdef0123456789abcdef01234567")


def clean_plan():
    return build_plan([(desired(), live())], region="us-east-1", account="123456789012")


def pid(plan):
    return planfile.short_id(planfile.plan_id(plan))


def test_text_puts_the_risks_first_and_the_headline_under_each_title():
    plan = risky_plan()
    lines = render_text.render(plan).splitlines()
    assert lines[:5] == [
        "ecsplan will perform the following actions (+ create, ~ update in place, - remove):",
        "",
        "Risks:",
        "  ! prod/web: containerDefinitions[app].image: image nginx:latest is tagged :latest: the tasks run whatever the tag points to when they start",
        "  ! prod/web: desiredCount: scales 2 -> 0: every task of the service stops",
    ]
    title = lines.index("# web (cluster prod, controller ECS)")
    assert lines[title + 1] == "  new revision: image app 1.25 -> latest; scale 2 -> 0"
    assert lines[-1] == f"Plan id: {pid(plan)}" and len(pid(plan)) == 12
    coloured = render_text.render(plan, color=True)
    assert "\033[31;1mRisks:\033[0m" in coloured


def test_text_without_risks_has_no_risks_block():
    plan = build_plan([(desired(task=with_image("nginx:1.27")), live())])
    text = render_text.render(plan)
    assert "Risks:" not in text and "  new revision: image app 1.25 -> 1.27\n" in text
    assert render_text.render(clean_plan()).endswith(f"No changes. The live services match the definitions.\nPlan id: {pid(clean_plan())}\n")


def test_markdown_heading_context_and_risk_callout():
    plan = risky_plan()
    md = markdown.render(plan)
    lines = md.splitlines()
    assert lines[0] == "## ecsplan plan: 1 of 2 services changes, 2 risks"
    assert lines[2] == (f"account `123456789012` · region `us-east-1` · configs `api/ecspresso.yml`, `ecspresso.yml` · "
                        f"commit `0123456` · plan id `{pid(plan)}`")
    t = escape.markdown_text  # reasons and headlines are user text: Markdown-escaped
    callout = md.index("> [!WARNING]\n> Look twice at:\n"
                       "> - `prod/web` `containerDefinitions[app].image`: "
                       + t("image nginx:latest is tagged :latest: the tasks run whatever the tag points to when they start") + "\n"
                       "> - `prod/web` `desiredCount`: " + t("scales 2 -> 0: every task of the service stops") + "\n")
    assert callout < md.index("| service |") < md.index("<details>")
    assert f"| web | prod | ECS | {t('new revision: image app 1.25 -> latest; scale 2 -> 0')} |" in md
    assert "| api | prod | ECS | no changes |" in md
    assert "<summary><b>web</b> (prod, ECS): new revision: image app 1.25 -&gt; latest; scale 2 -&gt; 0</summary>" in md


def test_markdown_risks_come_before_blocked_and_removals_and_are_not_repeated():
    td = dict(TASK, containerDefinitions=[dict(TASK["containerDefinitions"][0], environment=[])])
    plan = build_plan([(desired(task=td, service=dict(SERVICE, launchType="EC2", desiredCount=0)), live())])
    md = markdown.render(plan)
    assert md.splitlines()[0] == "## ecsplan plan: blocked changes, apply will refuse this plan (1 of 1 service changes, 2 risks)"
    assert md.index("> Look twice at:") < md.index("> [!CAUTION]") < md.index("> This plan removes:")
    assert md.count("`launchType`") == 1  # in the blocked callout only
    assert f"| web | prod | ECS | {escape.markdown_text('new revision: app environment; scale 2 -> 0; blocked: launchType')} |" in md


def test_markdown_clean_plan_is_one_line_and_the_services_collapsed():
    plan = attrs.evolve(clean_plan(), commit=None)
    md = markdown.render(plan)
    assert md == (
        "## ecsplan plan: no changes (1 service)\n\n"
        f"account `123456789012` · region `us-east-1` · config `ecspresso.yml` · plan id `{pid(plan)}`\n\n"
        "<details><summary>1 service, no changes</summary>\n\n"
        "- `prod/web` (ECS)\n\n"
        "</details>\n"
    )
    unknown = attrs.evolve(plan, account=None, region=None)
    assert markdown.render(unknown).splitlines()[2] == f"config `ecspresso.yml` · plan id `{pid(unknown)}`"


def test_markdown_names_at_most_three_configs():
    pairs = [(attrs.evolve(desired(), ref=ServiceRef(cluster="prod", service=f"s{i}"), source=f"s{i}.yml"),
              attrs.evolve(live(), ref=ServiceRef(cluster="prod", service=f"s{i}"))) for i in range(5)]
    md = markdown.render(build_plan(pairs))
    assert md.startswith("## ecsplan plan: no changes (5 services)\n\nconfigs `s0.yml`, `s1.yml`, `s2.yml` and 2 more · plan id `")


def test_json_has_each_services_headline_and_risks():
    plan = risky_plan()
    doc = json.loads(render_json.render(plan))
    by_name = {s["service"]: s for s in doc["services"]}
    assert by_name["web"]["headline"] == "new revision: image app 1.25 -> latest; scale 2 -> 0"
    assert by_name["web"]["risks"] == [
        {"path": "containerDefinitions[app].image",
         "reason": "image nginx:latest is tagged :latest: the tasks run whatever the tag points to when they start"},
        {"path": "desiredCount", "reason": "scales 2 -> 0: every task of the service stops"},
    ]
    assert by_name["api"]["headline"] == "no changes" and by_name["api"]["risks"] == []
    saved = json.loads(planfile.dumps(plan))  # derived: a plan file (and the plan id) leaves them out
    assert all("headline" not in s and "risks" not in s for s in saved["services"])
    assert doc["plan_id"] == saved["plan_id"]
    assert REF.service in by_name
