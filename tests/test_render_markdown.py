"""Markdown layout rules that need no AWS: shortening long plans per service, never mid-block."""

import re

from planner.build import build_plan
from planner.render import markdown
from tests.factories import TASK, desired, live


def big_plan(n_env=1000):
    """1000 variables: a plan over 60,000 characters, a task definition under AWS's 64 KiB."""
    td = dict(TASK)
    td["containerDefinitions"] = [dict(TASK["containerDefinitions"][0],
                                       environment=[{"name": f"VAR_{i:04d}", "value": "x" * 20} for i in range(n_env)])]
    return build_plan([(desired(task=td), live())])


def test_long_plans_are_shortened_with_a_note_and_balanced_fences():
    full = markdown.render(big_plan(), limit=10**9)
    short = markdown.render(big_plan(), limit=60_000)
    assert len(full) > 60_000 >= len(short)
    assert "**Shortened:**" in short and "the full plan is in the run's log (`ecsplan plan` prints it as text)" in short
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
    assert "> - `prod/web`: `containerDefinitions[app].environment[LOG_LEVEL]`" in text


def test_a_rollback_plan_is_headed_as_a_rollback():
    import attrs

    from planner.plan import Purpose

    plan = build_plan([(desired(task=dict(TASK, memory="1024")), live())])
    assert markdown.render(attrs.evolve(plan, purpose=Purpose.ROLLBACK)).startswith("## ecsplan rollback: 1 of 1 service changes")
    assert markdown.render(plan).startswith("## ecsplan plan: 1 of 1 service changes")


def many(plan, n):
    """`plan`'s one service as `n` services (svc-000...)."""
    import attrs

    from planner.model import ServiceRef

    return attrs.evolve(plan, services=tuple(attrs.evolve(plan.services[0], ref=ServiceRef(cluster="prod", service=f"svc-{i:03d}"))
                                             for i in range(n)))


def flags_plan(n_services=100, n_env=30):
    """Each service: 30 FEATURE_FLAG env lines and an image change (issue #11's comment)."""
    c = dict(TASK["containerDefinitions"][0], image="nginx:1.27",
             environment=[{"name": f"FEATURE_FLAG_{i:02d}", "value": "on-" + "x" * 300} for i in range(n_env)]
             + [{"name": "LOG_LEVEL", "value": "info"}])
    return many(build_plan([(desired(task=dict(TASK, containerDefinitions=[c])), live())]), n_services)


def test_a_hundred_services_keep_every_image_change_within_the_limit():
    from tests.helpers_markdown import github_html

    plan = flags_plan()
    assert len(markdown.render(plan, limit=10**9)) > 60_000
    md = markdown.render(plan)
    assert len(md) <= markdown.LIMIT
    assert md.count('- containerDefinitions[app].image: "nginx:1.25"\n+ containerDefinitions[app].image: "nginx:1.27"') == 100
    assert md.count("<details>") == 100 == md.count("# changes: containerDefinitions[app].image, containerDefinitions[app].environment (30, ")
    assert md.count("+ taskDefinition: (known after apply)") == 100  # important: kept before the flags
    assert "> **Shortened:** this plan is longer than GitHub allows" in md
    assert "an index of all it changes" in md
    # Never half a change: a shown env value is whole, wrapped over lines marked `…`.
    lines = md.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("+ containerDefinitions[app].environment[FEATURE_FLAG_")]
    assert starts
    for i in starts:
        value = lines[i][2:] + "".join(line[4:] for line in lines[i + 1:i + 4] if line.startswith("+ … "))
        assert value.endswith(': "on-' + "x" * 300 + '"'), value
    assert all(len(line) <= markdown.WRAP + 4 for line in lines if line.startswith(("+ ", "- ")))
    tags = github_html(md)
    assert tags.seen.count("details") == 100 == tags.seen.count("pre")


def test_the_limit_is_a_parameter_and_holds_however_small():
    from tests.helpers_markdown import github_html

    plan = flags_plan(n_services=3)
    for limit in (20_000, 5_000, 1_000, 300):
        md = markdown.render(plan, limit=limit)
        assert len(md) <= limit, limit
        assert "the full plan is in the run's log" in md
        github_html(md)
    assert md.count("<details>") == md.count("</details>")


def test_thousands_of_removals_are_grouped_per_service_and_counted():
    td = dict(TASK)
    was = dict(TASK["containerDefinitions"][0], environment=[{"name": f"OLD_{i:04d}", "value": "v"} for i in range(300)])
    plan = many(build_plan([(desired(task=td), live(task=dict(TASK, containerDefinitions=[was])))]), 20)
    md = markdown.render(plan)
    assert len(md) <= markdown.LIMIT
    assert "> - `prod/svc-000`: `containerDefinitions[app].environment[OLD_0000]`, `containerDefinitions[app].environment[OLD_0001]`" in md
    callout = md[md.index("> This plan removes:"):md.index("| service |")]
    assert callout.count("> - `prod/svc-0") == 20  # every service named, its removals counted
    assert "> - `prod/svc-019`: `containerDefinitions[app].environment[OLD_0000]`" in callout
    counted = sum(int(n) for n in re.findall(r", and (\d+) more\n", callout))
    assert callout.count("`containerDefinitions[app].environment[OLD_") + counted == 6000


def test_too_many_services_for_the_limit_are_counted_at_the_end():
    plan = flags_plan(n_services=400, n_env=2)
    md = markdown.render(plan, limit=30_000)
    assert len(md) <= 30_000
    shown = md.count("<details>")
    assert 0 < shown < 400
    assert f"**Shortened:** {400 - shown} more services with changes not shown" in md
    assert "| and " in md and " more services (" in md


def test_changed_words_are_shown_in_markdown():
    cmd = ["sh", "-c", "exec gunicorn app:wsgi --workers 4 --timeout 30 --log-level info"]
    c = dict(TASK["containerDefinitions"][0], command=cmd)
    new = dict(c, command=cmd[:2] + [cmd[2].replace("--workers 4", "--workers 8")])
    plan = build_plan([(desired(task=dict(TASK, containerDefinitions=[new])), live(task=dict(TASK, containerDefinitions=[c])))])
    md = markdown.render(plan)
    assert "  changed words: " in md and "[-4-]{+8+}" in md


def test_new_containers_are_shown_as_written_task_fields_first_image_first():
    sidecar = {"name": "statsd", "image": "statsd:1", "portMappings": [{"containerPort": 8125, "protocol": "udp"}],
               "environment": [{"name": "GREETING", "value": "grüß dich"}]}
    app = dict(TASK["containerDefinitions"][0], image="nginx:1.27")
    plan = build_plan([(desired(task=dict(TASK, cpu="512", memory="1024", containerDefinitions=[app, sidecar])), live())])
    md = markdown.render(plan)
    assert '"name": "GREETING"' in md and '"value": "grüß dich"' in md  # the API shape, non-ASCII as is
    assert '"8125/udp"' not in md and "versionConsistency" not in md and '"hostPort"' not in md
    order = [md.index(s) for s in ('+ cpu: "512"', "+ containerDefinitions[app].image", "+ containerDefinitions[statsd]: {")]
    assert order == sorted(order)


def test_task_fields_first_then_each_container_image_first():
    from planner.render import text

    app = dict(TASK["containerDefinitions"][0], image="nginx:1.27", environment=[{"name": "LOG_LEVEL", "value": "debug"}])
    sidecar = {"name": "log", "image": "fluent-bit:2", "environment": [{"name": "A", "value": "1"}]}
    was_sidecar = dict(sidecar, image="fluent-bit:1", environment=[{"name": "A", "value": "0"}])
    plan = build_plan([(desired(task=dict(TASK, memory="1024", containerDefinitions=[app, sidecar])),
                        live(task=dict(TASK, containerDefinitions=[TASK["containerDefinitions"][0], was_sidecar])))])
    for out in (markdown.render(plan), text.render(plan)):
        order = [out.index(s) for s in ("memory: ", "containerDefinitions[app].image", "containerDefinitions[app].environment[LOG_LEVEL]",
                                        "containerDefinitions[log].image", "containerDefinitions[log].environment[A]")]
        assert order == sorted(order), out
