"""One apply per service at a time, against the sandbox: the `ecsplan:lock` tag held while an
apply runs, refused to a second apply (naming the holder, nothing written), broken with
--force-unlock, released at the end, shown by status, never part of a plan."""

from __future__ import annotations

import json

from planner.lock import LOCK_TAG
from providers import app

ALICE = "alice@ci-7 pid 4242 plan abcabcabcabc since 2026-11-28T23:40:00Z"
NEW = {"IMAGE_TAG": "1.27"}


def take_lock(aws, holder=ALICE):
    """Another apply's lock, as it would tag the service."""
    aws.client("ecs").tag_resource(resourceArn=aws.service()["serviceArn"], tags=[{"key": LOCK_TAG, "value": holder}])


def lock_tag(aws):
    return next((t["value"] for t in aws.service().get("tags", []) if t["key"] == LOCK_TAG), None)


def lock_requests(aws):
    return [(r.action, r.params.get("tags") or r.params.get("tagKeys")) for r in aws.server.requests
            if r.action in ("TagResource", "UntagResource") and LOCK_TAG in json.dumps(r.params)]


def test_a_second_apply_is_refused_naming_the_holder_then_force_unlock_breaks_the_lock(project):
    project.deploy()
    take_lock(project.aws)
    project.assert_plans_clean()  # the lock is never a change
    before = len(project.aws.mutations())

    refused = project.run("apply", "--auto-approve", env=NEW)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    # The plan it printed first says so, as a review of `ecsplan plan` would see it.
    assert f"ecsplan-demo/web: locked by another apply ({ALICE}): apply refuses this service until that apply ends" in refused.stdout
    assert f"ecsplan: error: ecsplan-demo/web is locked by {ALICE}: another apply is running on it; nothing was applied. " \
           "If that apply died, break its lock: `ecsplan apply --force-unlock -c ecspresso.yml`" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert project.aws.mutations()[before:] == []
    assert lock_tag(project.aws) == ALICE

    forced = project.run("apply", "--auto-approve", "--force-unlock", env=NEW)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert f"ecsplan-demo/web: broke the apply lock held by {ALICE} (--force-unlock)" in forced.stdout
    assert lock_tag(project.aws) is None  # ours, given back once done
    assert project.aws.service()["taskDefinition"].endswith("web:2")
    project.assert_plans_clean(env=NEW)


def test_the_lock_is_held_during_the_apply_and_released_after_it(project):
    project.deploy()
    progress = project.deploy(env=NEW)
    assert any("registered" in line for line in progress)
    (tagged, holder), (untagged, keys) = lock_requests(project.aws)
    assert (tagged, untagged, keys) == ("TagResource", "UntagResource", [LOCK_TAG])
    assert holder[0]["key"] == LOCK_TAG and f" pid {__import__('os').getpid()} plan " in holder[0]["value"]
    assert lock_tag(project.aws) is None


def test_an_apply_that_changes_the_services_tags_keeps_the_lock_out_of_them(project):
    project.deploy()
    path = project.path / "ecs-service-def.json"
    path.write_text(path.read_text().replace('{ "key": "team", "value": "platform" }', '{ "key": "owner", "value": "ops" }'))
    take_lock(project.aws, "someone")  # still there after a plan is made: the plan does not remove it
    plan = project.plan()
    (update,) = plan.services[0].actions
    assert dict(update.tags_add) == {"owner": "ops"} and list(update.tags_remove) == ["team"]
    project.aws.client("ecs").untag_resource(resourceArn=project.aws.service()["serviceArn"], tagKeys=[LOCK_TAG])
    project.deploy()
    writes = [(r.action, r.params.get("tags") or r.params.get("tagKeys")) for r in project.aws.server.requests
              if r.action in ("TagResource", "UntagResource")]
    assert writes[-3:-1] == [("TagResource", [{"key": "owner", "value": "ops"}]), ("UntagResource", ["team"])]
    assert [a for a, _ in writes[-5:]] == ["UntagResource", "TagResource", "TagResource", "UntagResource", "UntagResource"]
    assert {t["key"]: t["value"] for t in project.aws.service()["tags"]} == {"owner": "ops"}


def test_a_failed_apply_releases_its_lock(project, monkeypatch):
    project.deploy()

    def refuse(self, action, task_definition_arn):
        from providers.errors import AwsError

        raise AwsError("updating service web in cluster ecsplan-demo: AccessDenied")

    monkeypatch.setattr("providers.applier.AwsApplier.update_service", refuse)
    try:
        project.deploy(env=NEW)
    except AssertionError as err:
        assert "AccessDenied" in str(err)
    else:
        raise AssertionError("the apply should have failed")
    assert [a for a, _ in lock_requests(project.aws)] == ["TagResource", "UntagResource"]
    assert lock_tag(project.aws) is None


def test_a_saved_plan_made_while_locked_applies_once_the_lock_is_gone(project, tmp_path):
    project.deploy()
    take_lock(project.aws)
    saved = project.save_plan(tmp_path / "p.json", env=NEW)
    project.aws.client("ecs").untag_resource(resourceArn=project.aws.service()["serviceArn"], tagKeys=[LOCK_TAG])
    res = project.run("apply", str(saved), "--no-wait")
    assert res.returncode == 0, res.stdout + res.stderr  # the lock is not part of what a plan depends on


def test_status_shows_who_holds_the_lock(project):
    project.deploy()
    take_lock(project.aws)
    with project._environ(None) as environ:
        desired = project._desired((), environ)
        ctx = project._context(desired, [])
        states = app.read_status(ctx, desired)
    assert f"Apply lock: held by {ALICE}" in app.render_status(states, events=0)
    assert json.loads(app.render_status_json(states, events=0))["services"][0]["lock"] == ALICE


def test_a_deployment_another_tool_started_is_named_by_the_refusal(project, monkeypatch):
    monkeypatch.setattr("providers.sandbox.ecs_rollouts.ROLLOUT_STEPS", 50)  # the rollout outlasts the plan's reads
    project.deploy()
    deployment = project.aws.client("ecs").update_service(cluster="ecsplan-demo", service="web", forceNewDeployment=True)
    started = deployment["service"]["deployments"][0]["id"]
    before = len(project.aws.mutations())
    refused = project.run("apply", "--auto-approve", env=NEW)
    assert refused.returncode == 1
    assert f"a deployment is in progress: ecsplan-demo/web ({started}); wait for it (`ecsplan wait`) or pass --force" in refused.stderr
    assert project.aws.mutations()[before:] == []
    assert lock_tag(project.aws) is None
