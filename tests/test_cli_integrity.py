"""`ecsplan apply FILE` applies the plan that was reviewed, once: an edited file is refused before
any write, `--plan-id` pins the reviewed id, a plan applied (or failed) is not applied again. The
CLI in a subprocess against the sandbox."""

from __future__ import annotations

import json
import re

import pytest

from planner import planfile
from tests.helpers_cli import resealed
from tests.helpers_golden import CHANGES

EVIL = "evil.example.com/miner:latest"


@pytest.fixture
def deployed(project):
    project.deploy()
    return project


def tampered(doc):
    (register,) = [a for s in doc["services"] for a in s["actions"] if a["type"] == "register_task_definition"]
    register["payload"]["definition"]["containerDefinitions"][0].update(image=EVIL, privileged=True)
    return doc


@pytest.mark.parametrize("reseal", [False, True], ids=["id-kept", "id-recomputed"])
def test_an_edited_payload_is_refused_before_any_write(deployed, tmp_path, reseal):
    plan_file = deployed.save_plan(tmp_path / "p.json", env=CHANGES)
    doc = tampered(json.loads(plan_file.read_text()))
    plan_file.write_text(resealed(doc) if reseal else json.dumps(doc))
    deployed.aws.server.clear_requests()
    res = deployed.run("apply", str(plan_file))
    assert res.returncode == 1
    if reseal:
        assert ("ecsplan: error: the plan's payloads do not match the changes it shows (the plan file was edited); nothing was applied:\n"
                "  ecsplan-demo/web: register_task_definition: the payload does not give the changes shown, first at containerDefinitions[web].image"
                ) in res.stderr
    else:
        assert f"ecsplan: error: {plan_file}: the plan's content does not match its plan_id" in res.stderr
        assert "it was edited after `ecsplan plan` made it; make the plan again" in res.stderr
    assert deployed.aws.mutations() == []
    assert EVIL not in res.stdout + res.stderr


def test_an_update_sent_to_another_service_is_refused(deployed, tmp_path):
    plan_file = deployed.save_plan(tmp_path / "p.json", env=CHANGES)
    doc = json.loads(plan_file.read_text())
    (update,) = [a for s in doc["services"] for a in s["actions"] if a["type"] == "update_service"]
    update["payload"]["service"] = "payments"
    plan_file.write_text(resealed(doc))
    deployed.aws.server.clear_requests()
    res = deployed.run("apply", str(plan_file))
    assert res.returncode == 1
    assert "ecsplan-demo/web: update_service cluster/service is ecsplan-demo/payments, not ecsplan-demo/web" in res.stderr
    assert deployed.aws.mutations() == []


def test_plan_id_pins_the_reviewed_plan(deployed, tmp_path):
    plan_file = deployed.save_plan(tmp_path / "p.json", env=CHANGES)
    identity = planfile.plan_id(planfile.load(str(plan_file)))
    deployed.aws.server.clear_requests()
    res = deployed.run("apply", str(plan_file), "--plan-id", "0123456789ab")
    assert res.returncode == 1
    assert f"the plan's id is {identity[:12]}, not the reviewed 0123456789ab (--plan-id); nothing was applied" in res.stderr
    res = deployed.run("apply", "-c", "ecspresso.yml", "--plan-id", identity[:12], "--auto-approve")
    assert res.returncode == 1 and "--plan-id checks a saved plan: give the plan file" in res.stderr
    assert deployed.aws.mutations() == []
    res = deployed.run("apply", str(plan_file), "--plan-id", identity[:12])
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"Applying plan {identity[:12]} ({plan_file})\n")
    assert deployed.aws.service()["taskDefinition"].endswith("web:2")


def test_a_plan_applies_once(deployed, tmp_path):
    plan_file = deployed.save_plan(tmp_path / "p.json", env=CHANGES)
    assert deployed.run("apply", str(plan_file)).returncode == 0
    deployed.aws.server.clear_requests()
    res = deployed.run("apply", str(plan_file))
    assert res.returncode == 1
    assert "saved plan is stale" in res.stderr
    assert "It was probably applied already (a plan applies once, whether its deployment succeeded or not)." in res.stderr
    assert deployed.aws.mutations() == []


def test_a_plan_whose_rollout_failed_is_not_applied_again(deployed, tmp_path):
    plan_file = deployed.save_plan(tmp_path / "p.json", env={"IMAGE_TAG": "broken-1"})
    res = deployed.run("apply", str(plan_file))
    assert res.returncode == 1 and "rolled back" in res.stderr
    # Why: the tasks the failed deployment stopped (DescribeTasks), after the service events.
    lines = res.stderr.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Tasks deployment ecs-svc/"))
    assert lines[header].endswith(" stopped (DescribeTasks):")
    assert re.fullmatch(r"  task [0-9a-f]+: Task failed container health checks; container web: exit code 137", lines[header + 1])
    assert deployed.aws.service()["taskDefinition"].endswith("web:1")  # as before the plan, but...
    deployed.aws.server.clear_requests()
    res = deployed.run("apply", str(plan_file))
    assert res.returncode == 1
    assert "ecsplan-demo/web: latestRevision changed" in res.stderr  # the revision it registered
    assert "It was probably applied already" in res.stderr
    assert deployed.aws.mutations() == []
