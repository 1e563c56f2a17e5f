"""The command line's overrides (#14), pure: --force-new-deployment, --desired-count N,
--autoscaling-min/max N shape the plan like any change; bad values are refused at plan time; the
executor applies update_scalable_target and the stale check covers the range it depends on."""

import attrs
import pytest

from planner.actions import ActionType, UpdateScalableTarget, UpdateService
from planner.build import build_plan, build_service_plan
from planner.errors import StalePlanError, UsageError
from planner.execute import apply_plan
from planner.model import LiveService, PlanOptions, ScalableTarget
from planner.plan import live_view
from tests.factories import CD_SERVICE, REF, SERVICE, TD_ARN, cd_live, desired, live, types, with_image
from tests.fakes import FakeApplier, FakeReader, FakeWaiter

RANGE = ScalableTarget(min_capacity=1, max_capacity=4)


def scaled(lv, target=RANGE):
    return attrs.evolve(lv, scalable_target=target)


# ---- --force-new-deployment ------------------------------------------------------------------


def test_a_forced_restart_of_an_unchanged_service_is_an_update_that_starts_a_deployment():
    sp = build_service_plan(desired(), live(), PlanOptions(force_new_deployment=True))
    (update,) = sp.actions
    assert isinstance(update, UpdateService) and update.force_new_deployment and update.starts_deployment
    assert [(c.path, c.before, c.after) for c in update.changes] == [("restart", None, "new deployment with the same task definition (web:3)")]
    assert update.request(None) == {"cluster": "prod", "service": "web", "forceNewDeployment": True}
    assert update.note == "starts a new deployment (forceNewDeployment: the tasks are replaced)"
    assert update.task_definition is None and update.changed_fields() == []
    # without the option the same service plans clean
    assert build_service_plan(desired(), live()).actions == ()


def test_a_forced_restart_joins_an_update_the_plan_has_anyway():
    opts = PlanOptions(force_new_deployment=True)
    # a change that starts no deployment of its own: the restart is said, first
    (update,) = build_service_plan(desired(service=dict(SERVICE, desiredCount=3)), live(), opts).actions
    assert [c.path for c in update.changes] == ["restart", "desiredCount"]
    assert update.request(None) == {"cluster": "prod", "service": "web", "desiredCount": 3, "forceNewDeployment": True}
    assert update.starts_deployment
    # a new revision deploys anyway: no restart line, forceNewDeployment still sent
    sp = build_service_plan(desired(task=with_image("nginx:1.27")), live(), opts)
    update = sp.action(ActionType.UPDATE_SERVICE)
    assert [c.path for c in update.changes] == ["taskDefinition"] and update.force_new_deployment


def test_a_forced_restart_is_wrapped_by_suspend_and_resume_when_asked():
    sp = build_service_plan(desired(), live(), PlanOptions(force_new_deployment=True, suspend_autoscaling=True))
    assert types(sp) == [ActionType.SUSPEND_AUTOSCALING, ActionType.UPDATE_SERVICE, ActionType.RESUME_AUTOSCALING]


def test_a_forced_restart_of_a_missing_service_is_its_creation():
    sp = build_service_plan(desired(), live(exists=False), PlanOptions(force_new_deployment=True))
    assert types(sp) == [ActionType.CREATE_SERVICE]


def test_a_forced_restart_of_a_code_deploy_service_is_refused_at_plan_time():
    with pytest.raises(UsageError, match=r"--force-new-deployment: prod/web has the CODE_DEPLOY deployment controller; ECS accepts "
                       r"forceNewDeployment only for the ECS \(rolling\) controller \(it deploys through CodeDeploy"):
        build_service_plan(desired(service=CD_SERVICE), cd_live(), PlanOptions(force_new_deployment=True))
    external = dict(SERVICE, deploymentController={"type": "EXTERNAL"})
    with pytest.raises(UsageError, match=r"EXTERNAL deployment controller; ECS accepts forceNewDeployment only for the ECS \(rolling\) controller$"):
        build_service_plan(desired(service=external), live(service=external, controller="EXTERNAL"), PlanOptions(force_new_deployment=True))


# ---- --desired-count N -------------------------------------------------------------------------


def test_a_desired_count_replaces_the_files_and_is_a_plain_update():
    sp = build_service_plan(desired(), live(), PlanOptions(desired_count=5))
    (update,) = sp.actions
    assert [(c.path, c.before, c.after) for c in update.changes] == [("desiredCount", 2, 5)]
    assert update.request(None) == {"cluster": "prod", "service": "web", "desiredCount": 5}
    assert not update.starts_deployment and not update.force_new_deployment
    # the count the service already has: nothing to do
    assert build_service_plan(desired(), live(), PlanOptions(desired_count=2)).actions == ()


def test_a_desired_count_the_file_leaves_out_is_compared_and_watched_by_the_stale_check():
    undeclared = {k: v for k, v in SERVICE.items() if k != "desiredCount"}
    assert build_service_plan(desired(service=undeclared), live()).actions == ()
    sp = build_service_plan(desired(service=undeclared), live(), PlanOptions(desired_count=0))
    assert [(c.path, c.before, c.after) for c in sp.actions[0].changes] == [("desiredCount", 2, 0)]
    assert "desiredCount" in sp.managed_keys and sp.live_view["desiredCount"] == 2


def test_a_desired_count_of_a_code_deploy_service_goes_through_update_service():
    sp = build_service_plan(desired(service=CD_SERVICE), cd_live(), PlanOptions(desired_count=3))
    assert types(sp) == [ActionType.UPDATE_SERVICE]
    assert sp.actions[0].request(None) == {"cluster": "prod", "service": "web", "desiredCount": 3}


def test_a_desired_count_is_refused_for_a_daemon_service_and_a_task_definition_only_config():
    daemon = {k: v for k, v in SERVICE.items() if k != "desiredCount"} | {"schedulingStrategy": "DAEMON"}
    with pytest.raises(UsageError, match="--desired-count: prod/web is a DAEMON service"):
        build_service_plan(desired(service=daemon), live(service=daemon), PlanOptions(desired_count=3))
    # DAEMON as AWS has it, the file silent
    lv = live()
    lv.service.description["schedulingStrategy"] = "DAEMON"
    with pytest.raises(UsageError, match="DAEMON"):
        build_service_plan(desired(), lv, PlanOptions(desired_count=3))
    from planner.model import ServiceRef

    td_only = attrs.evolve(desired(), ref=ServiceRef.task_definition_only("prod", "web"), service_definition={})
    with pytest.raises(UsageError, match="--desired-count: ecspresso.yml configures a task definition only"):
        build_service_plan(td_only, attrs.evolve(live(exists=False), ref=td_only.ref), PlanOptions(desired_count=3))


@pytest.mark.parametrize("count, blocked", [(5, True), (0, True), (4, False), (1, False)])
def test_a_desired_count_outside_the_auto_scaling_range_is_blocked(count, blocked):
    sp = build_service_plan(desired(), scaled(live()), PlanOptions(desired_count=count))
    if blocked:
        (b,) = sp.blocked
        assert (b.path, b.before, b.after) == ("desiredCount", 2, count)
        assert b.reason.startswith(f"--desired-count {count} is outside the auto scaling range [1, 4] of service/prod/web: "
                                   "auto scaling moves desiredCount back into its range")
    else:
        assert sp.blocked == ()
    # no scalable target: nothing moves it back
    assert build_service_plan(desired(), live(), PlanOptions(desired_count=count)).blocked == ()


def test_a_desired_count_inside_the_new_range_is_not_blocked():
    sp = build_service_plan(desired(), scaled(live()), PlanOptions(desired_count=6, autoscaling_max=8))
    assert sp.blocked == ()
    assert types(sp) == [ActionType.UPDATE_SCALABLE_TARGET, ActionType.UPDATE_SERVICE]


def test_the_files_desired_count_outside_a_new_range_is_blocked_and_said_once_when_suspending():
    sp = build_service_plan(desired(), scaled(live()), PlanOptions(autoscaling_min=3))
    (b,) = sp.blocked
    assert b.reason.startswith("the service definition's desiredCount 2 is outside the new auto scaling range [3, 4]")
    # the file's count in the range, or not declared: no block (registering moves a live count into it)
    assert build_service_plan(desired(), scaled(live()), PlanOptions(autoscaling_min=2)).blocked == ()
    undeclared = {k: v for k, v in SERVICE.items() if k != "desiredCount"}
    assert build_service_plan(desired(service=undeclared), scaled(live()), PlanOptions(autoscaling_min=3)).blocked == ()
    # with --suspend-autoscaling and a deployment, the suspend rule says it (against the new range), once
    sp = build_service_plan(desired(task=with_image("nginx:1.27")), scaled(live()), PlanOptions(autoscaling_min=3, suspend_autoscaling=True))
    (b,) = sp.blocked
    assert "outside the auto scaling range [3, 4]" in b.reason and "suspending and resuming" in b.reason


# ---- --autoscaling-min / --autoscaling-max -------------------------------------------------------


def test_a_new_minimum_updates_the_existing_target_keeping_its_maximum():
    sp = build_service_plan(desired(), scaled(live()), PlanOptions(autoscaling_min=2))
    (action,) = sp.actions
    assert isinstance(action, UpdateScalableTarget)
    assert [(c.path, c.before, c.after) for c in action.changes] == [("autoscaling.minCapacity", 1, 2)]
    assert action.request() == {"ServiceNamespace": "ecs", "ResourceId": "service/prod/web", "ScalableDimension": "ecs:service:DesiredCount",
                                "MinCapacity": 2, "MaxCapacity": 4}
    assert action.note == "RegisterScalableTarget; a desiredCount outside the new range moves into it"
    # the plan depends on the range it changes: the stale check re-reads and compares it
    assert sp.live_view["scalableTarget"] == {"min": 1, "max": 4} and sp.read_target.scalable_target
    plain = build_service_plan(desired(), scaled(live()), PlanOptions(desired_count=3))
    assert "scalableTarget" not in plain.live_view and not plain.read_target.scalable_target


def test_both_bounds_and_the_order_of_actions():
    opts = PlanOptions(autoscaling_min=0, autoscaling_max=10, desired_count=6, force_new_deployment=True, suspend_autoscaling=True)
    sp = build_service_plan(desired(task=with_image("nginx:1.27")), scaled(live()), opts)
    assert types(sp) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.SUSPEND_AUTOSCALING, ActionType.UPDATE_SCALABLE_TARGET,
                         ActionType.UPDATE_SERVICE, ActionType.RESUME_AUTOSCALING]
    target = sp.action(ActionType.UPDATE_SCALABLE_TARGET)
    assert [(c.path, c.before, c.after) for c in target.changes] == [("autoscaling.minCapacity", 1, 0), ("autoscaling.maxCapacity", 4, 10)]
    assert (target.min_capacity, target.max_capacity) == (0, 10) and sp.blocked == ()
    # the range it already has: no action
    assert build_service_plan(desired(), scaled(live()), PlanOptions(autoscaling_min=1, autoscaling_max=4)).actions == ()


@pytest.mark.parametrize("opts, message", [
    (PlanOptions(autoscaling_min=5), "--autoscaling-min: the minimum capacity 5 would be greater than the maximum capacity 4 of service/prod/web "
                                     "(its range now: [1, 4]); give both bounds"),
    (PlanOptions(autoscaling_max=0), "--autoscaling-max: the minimum capacity 1 would be greater than the maximum capacity 0"),
    (PlanOptions(autoscaling_min=3, autoscaling_max=2), "--autoscaling-min 3 is greater than --autoscaling-max 2"),
    (PlanOptions(desired_count=-1), "--desired-count -1: a count cannot be negative"),
    (PlanOptions(autoscaling_min=-2), "--autoscaling-min -2: a count cannot be negative"),
    (PlanOptions(autoscaling_max=-3), "--autoscaling-max -3: a count cannot be negative"),
])
def test_bad_values_are_refused_at_plan_time(opts, message):
    with pytest.raises(UsageError) as err:
        build_service_plan(desired(), scaled(live()), opts)
    assert str(err.value).startswith(message)


def test_a_range_is_refused_for_a_service_without_target_or_without_service():
    with pytest.raises(UsageError, match=r"^--autoscaling-min / --autoscaling-max: service/prod/web has no scalable target \(Application Auto "
                       r"Scaling, ecs:service:DesiredCount\); ecsplan changes the range of an existing target, it does not register one$"):
        build_service_plan(desired(), live(), PlanOptions(autoscaling_min=1, autoscaling_max=2))
    with pytest.raises(UsageError, match=r"^--autoscaling-max: ecspresso.yml creates prod/web; there is no scalable target to change$"):
        build_service_plan(desired(), live(exists=False), PlanOptions(autoscaling_max=2))


# ---- through the executor ----------------------------------------------------------------------


def test_the_executor_registers_the_new_range_and_restarts():
    lv = scaled(live())
    plan = build_plan([(desired(), lv)], region="us-east-1", account="123456789012",
                      options=PlanOptions(autoscaling_max=6, desired_count=5, force_new_deployment=True))
    applier, waiter = FakeApplier(), FakeWaiter()
    report = apply_plan(plan, reader=FakeReader({REF: lv}), applier=applier, waiter=waiter, emit=lambda _: None)
    assert report.ok, report.error
    assert applier.calls == [
        ("scalable_target", {"ServiceNamespace": "ecs", "ResourceId": "service/prod/web", "ScalableDimension": "ecs:service:DesiredCount",
                             "MinCapacity": 1, "MaxCapacity": 6}),
        ("update", {"cluster": "prod", "service": "web", "desiredCount": 5, "forceNewDeployment": True}),
    ]
    assert report.done[0][2] == "set the auto scaling range of service/prod/web to [1, 6]"
    (_, expect), = waiter.waits  # the forced deployment is waited for
    assert expect.deployment_id == "d2"


class RestartApplier(FakeApplier):
    """UpdateService answers as ECS does for a forced restart: a new PRIMARY of the same revision."""

    def update_service(self, action, task_definition_arn):
        super().update_service(action, task_definition_arn)
        return LiveService(arn=action.service_arn, description={"deployments": [{"id": "d3", "status": "PRIMARY", "taskDefinition": TD_ARN}]})


def test_a_restart_waits_for_the_new_deployment_of_the_revision_the_service_runs():
    plan = build_plan([(desired(), live())], region="us-east-1", account="123456789012", options=PlanOptions(force_new_deployment=True))
    waiter = FakeWaiter()
    report = apply_plan(plan, reader=FakeReader({REF: live()}), applier=RestartApplier(), waiter=waiter, emit=lambda _: None)
    assert report.ok, report.error
    (_, expect), = waiter.waits
    assert (expect.deployment_id, expect.task_definition_arn) == ("d3", TD_ARN)
    assert report.done[0][2] == "forced a new deployment d3"


def test_a_range_moved_since_the_plan_makes_it_stale():
    plan = build_plan([(desired(), scaled(live()))], region="us-east-1", account="123456789012", options=PlanOptions(autoscaling_max=6))
    moved = scaled(live(), ScalableTarget(min_capacity=1, max_capacity=5))
    reader = FakeReader({REF: moved})
    report = apply_plan(plan, reader=reader, applier=(applier := FakeApplier()), waiter=None, emit=lambda _: None)
    assert isinstance(report.error, StalePlanError) and "scalableTarget.max" in str(report.error)
    assert applier.calls == [] and reader.reads[0][0].scalable_target
    gone = apply_plan(plan, reader=FakeReader({REF: live()}), applier=applier, waiter=None, emit=lambda _: None)
    assert isinstance(gone.error, StalePlanError) and applier.calls == []
    assert live_view(live(), ()) == live_view(live(), (), scalable_target=False)
    assert live_view(live(), (), scalable_target=True)["scalableTarget"] is None


@pytest.mark.parametrize("opts, reads", [
    (PlanOptions(), False), (PlanOptions(force_new_deployment=True), False), (PlanOptions(suspend_autoscaling=True), True),
    (PlanOptions(desired_count=0), True), (PlanOptions(autoscaling_min=0), True), (PlanOptions(autoscaling_max=0), True),
])
def test_the_plan_reads_the_scalable_targets_when_an_option_needs_them(opts, reads):
    assert opts.reads_autoscaling is reads
