"""Parallel apply with the fakes: services overlap (two waits meet at a barrier only when both are
waiting), at most `parallelism` at once, each service's actions in order; a failing service does
not stop the others unless fail_fast; Ctrl-C reports every service; auto scaling ecsplan suspended
is resumed per service. No sleeps: threads meet on barriers and events (with a generous timeout
only so that a broken executor fails the test instead of hanging it)."""

import signal
import threading

import attrs
import pytest

from planner.build import build_plan
from planner.errors import DeploymentFailed, Interrupted
from planner.execute import ApplyReport, Outcome, ServiceOutcome, apply_plan
from planner.model import LiveService, PlanOptions, ServiceRef
from planner.render.text import result_lines
from tests.factories import CD_SERVICE, cd_live, desired, live, with_image
from tests.fakes import FakeApplier, FakeReader, ThreadedWaiter

LONG = 20.0  # only reached when the executor is broken
API, JOB, WEB = (ServiceRef(cluster="prod", service=n) for n in ("api", "job", "web"))


def fleet(*names, code_deploy=False):
    """A plan changing the image of services `names` (plan order: sorted), with the fake states."""
    pairs, states = [], {}
    for name in names:
        ref = ServiceRef(cluster="prod", service=name)
        lv = cd_live() if code_deploy else live()
        assert lv.service is not None
        description = dict(lv.service.description, serviceName=name, serviceArn=lv.service.arn.replace("/web", f"/{name}"))
        lv = attrs.evolve(lv, ref=ref, service=LiveService(arn=description["serviceArn"], description=description))
        d = desired(task=with_image("nginx:1.27"), service=CD_SERVICE) if code_deploy else desired(task=with_image("nginx:1.27"))
        pairs.append((attrs.evolve(d, ref=ref), lv))
        states[ref] = lv
    options = PlanOptions(suspend_autoscaling=code_deploy)
    return build_plan(pairs, region="us-east-1", account="123456789012", options=options), states


def apply(plan, states, waiter, *, parallelism=8, fail_fast=False, stop=None, applier=None):
    lines: list[str] = []
    report = apply_plan(plan, reader=FakeReader(states), applier=applier or FakeApplier(), waiter=waiter, emit=lines.append,
                        parallelism=parallelism, fail_fast=fail_fast, stop=stop)
    return report, lines


def statuses(report: ApplyReport) -> dict[str, tuple[str, str]]:
    return {o.ref.service: (o.status.value, o.reason) for o in report.services}


def test_services_wait_at_the_same_time():
    plan, states = fleet("api", "web")
    both = threading.Barrier(2, timeout=LONG)  # breaks (the wait raises) unless both waits run at once
    report, _ = apply(plan, states, ThreadedWaiter({API: both.wait, WEB: both.wait}), parallelism=2)
    assert report.ok, report.error
    assert [(o.ref.service, o.status, o.deployment_id) for o in report.services] == [("api", Outcome.DONE, "d2"), ("web", Outcome.DONE, "d2")]


def test_at_most_parallelism_services_run_at_once():
    plan, states = fleet("api", "job", "web")
    active, release = threading.Semaphore(0), threading.Event()
    started: list[ServiceRef] = []

    def hold(ref):
        def wait():
            started.append(ref)
            active.release()
            assert release.wait(LONG)
        return wait

    waiter = ThreadedWaiter({ref: hold(ref) for ref in (API, JOB, WEB)})
    applier = FakeApplier()
    box: dict[str, ApplyReport] = {}
    runner = threading.Thread(target=lambda: box.update(report=apply(plan, states, waiter, parallelism=2, applier=applier)[0]))
    runner.start()
    assert active.acquire(timeout=LONG) and active.acquire(timeout=LONG)  # two services are waiting
    assert sorted(r.service for r in started) == ["api", "job"]  # the first two in plan order, web not begun
    assert [c[0] for c in applier.calls] == ["register", "update"] * 2
    release.set()
    runner.join(LONG)
    assert box["report"].ok and len(started) == 3


def test_each_services_actions_stay_in_order_and_its_lines_are_prefixed():
    plan, states = fleet("api", "web", code_deploy=True)
    both = threading.Barrier(2, timeout=LONG)
    report, lines = apply(plan, states, ThreadedWaiter({API: both.wait, WEB: both.wait}))
    assert report.ok, report.error
    for ref in (API, WEB):
        own = [line for line in lines if line.startswith(f"[{ref}] ")]
        assert [line[len(f"[{ref}] "):] for line in own if line.endswith(" ...")] == [
            "register_task_definition ...", "suspend_autoscaling ...", "create_deployment ...", "resume_autoscaling ..."]
    assert all(line.startswith(("[prod/api] ", "[prod/web] ")) for line in lines)


def test_one_service_alone_keeps_its_lines_as_they_were():
    plan, states = fleet("web")
    report, lines = apply(plan, states, ThreadedWaiter())
    assert report.ok and lines[0] == "prod/web: register_task_definition ..."


def test_a_failing_service_does_not_stop_the_others():
    plan, states = fleet("api", "job", "web")
    failure = DeploymentFailed("prod/job: deployment d2 failed\nTasks stopped: ...")

    def fail():
        raise failure

    # the defaults: one service at a time, no fail_fast
    report = apply_plan(plan, reader=FakeReader(states), applier=FakeApplier(), waiter=ThreadedWaiter({JOB: fail}), emit=lambda _: None)
    assert report.error is failure and not report.ok
    assert statuses(report) == {"api": ("done", ""), "job": ("failed", "deployment d2 failed"), "web": ("done", "")}
    assert [o.ref for o in report.failed] == [JOB] and report.failed[0].error is failure
    assert report.not_done == []  # job's actions were made; its deployment failed


def test_fail_fast_starts_no_other_service():
    plan, states = fleet("api", "job", "web")

    def fail():
        raise DeploymentFailed("prod/api: failed")

    applier = FakeApplier()
    report, _ = apply(plan, states, ThreadedWaiter({API: fail}), parallelism=1, fail_fast=True, applier=applier)
    assert statuses(report) == {"api": ("failed", "failed"),
                                "job": ("not started", "another service failed (--fail-fast)"),
                                "web": ("not started", "another service failed (--fail-fast)")}
    assert len(applier.calls) == 2 and isinstance(report.error, DeploymentFailed)
    assert [ref for ref, _ in report.not_done] == [JOB, JOB, WEB, WEB]


def test_fail_fast_stops_a_running_service_before_its_next_action_and_resumes_its_auto_scaling():
    plan, states = fleet("api", "web", code_deploy=True)
    resuming = threading.Event()
    both = threading.Barrier(2, timeout=LONG)  # web is under way when api fails

    def fail():
        both.wait()
        raise DeploymentFailed("prod/api: failed")

    applier = FakeApplier()
    lines: list[str] = []

    def emit(line):
        lines.append(line)
        if line.startswith("[prod/api] the deployment did not succeed"):
            resuming.set()  # api failed and has set the halt

    waiter = ThreadedWaiter({API: fail, WEB: lambda: (both.wait(), resuming.wait(LONG) or pytest.fail("api did not fail"))})
    report = apply_plan(plan, reader=FakeReader(states), applier=applier, waiter=waiter, emit=emit, parallelism=2, fail_fast=True)
    assert statuses(report) == {"api": ("failed", "failed"),
                                "web": ("failed", "stopped before resume_autoscaling: another service failed (--fail-fast)")}
    assert sorted(given for name, given in applier.calls if name == "resume") == ["service/prod/api", "service/prod/web"]
    assert isinstance(report.error, DeploymentFailed)  # the cause, not the stop it caused


def test_without_fail_fast_the_running_service_goes_on():
    plan, states = fleet("api", "web", code_deploy=True)
    both = threading.Barrier(2, timeout=LONG)

    def fail():
        both.wait()
        raise DeploymentFailed("prod/api: failed")

    report, _ = apply(plan, states, ThreadedWaiter({API: fail, WEB: both.wait}), parallelism=2)
    assert statuses(report)["web"] == ("done", "")


@pytest.fixture
def sigint_raises():
    """Ctrl-C raises KeyboardInterrupt, as in a terminal: a test run started in the background of
    a shell without job control inherits SIGINT ignored (Python then installs no handler)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_in_the_main_thread_ends_the_waits_and_reports_every_service(sigint_raises):
    plan, states = fleet("api", "job", "web", code_deploy=True)
    stop = threading.Event()
    both = threading.Barrier(2, timeout=LONG)
    main = threading.main_thread().ident
    assert threading.current_thread() is threading.main_thread()

    def wait_for_stop(press):
        def wait():
            both.wait()
            if press:
                signal.pthread_kill(main, signal.SIGINT)  # Ctrl-C, while the main thread waits for the pool
            assert stop.wait(LONG)  # what AwsWaiter does between polls
            raise Interrupted("interrupted while waiting")
        return wait

    applier = FakeApplier()
    report, lines = apply(plan, states, ThreadedWaiter({API: wait_for_stop(True), JOB: wait_for_stop(False)}),
                          parallelism=2, stop=stop, applier=applier)
    assert isinstance(report.error, Interrupted)
    assert statuses(report) == {"api": ("failed", "interrupted while waiting"), "job": ("failed", "interrupted while waiting"),
                                "web": ("not started", "interrupted")}
    assert sorted(given for name, given in applier.calls if name == "resume") == ["service/prod/api", "service/prod/job"]
    assert "interrupted: no new service starts; the running ones stop at their next step" in lines


def test_ctrl_c_inside_a_service_starts_no_other():
    plan, states = fleet("api", "web")

    def interrupt():
        raise KeyboardInterrupt

    report, _ = apply(plan, states, ThreadedWaiter({API: interrupt}), parallelism=1)
    assert isinstance(report.error, Interrupted)
    assert [(o.status, o.reason) for o in report.services] == [
        (Outcome.FAILED, "interrupted; the changes listed as done were made, a deployment may still be running"),
        (Outcome.NOT_STARTED, "interrupted")]


def test_a_refused_plan_starts_no_service():
    plan, states = fleet("api", "web")
    report = apply_plan(plan, reader=FakeReader(states, region="eu-west-1"), applier=(applier := FakeApplier()),
                        waiter=ThreadedWaiter(), emit=lambda _: None, parallelism=2)
    assert applier.calls == [] and len(report.not_done) == 4
    assert statuses(report) == {"api": ("not started", "nothing was applied"), "web": ("not started", "nothing was applied")}


def test_the_result_table():
    report = ApplyReport(services=[
        ServiceOutcome(API, Outcome.DONE, "ecs-svc/123"),
        ServiceOutcome(ServiceRef(cluster="prod", service="worker"), Outcome.FAILED, "d-XYZ", "prod/worker: deployment failed"),
        ServiceOutcome(WEB, Outcome.NOT_STARTED, None, "another service failed (--fail-fast)"),
    ])
    assert result_lines(report) == [
        "Result: 1 done, 1 failed, 1 not started",
        "  prod/api     done         ecs-svc/123",
        "  prod/worker  failed       d-XYZ        prod/worker: deployment failed",
        "  prod/web     not started  -            another service failed (--fail-fast)",
    ]
    assert result_lines(ApplyReport()) == []


def test_done_actions_are_grouped_by_service_in_plan_order():
    from planner.actions import ActionType
    from planner.render.text import report_lines

    reg, upd = ActionType.REGISTER_TASK_DEFINITION, ActionType.UPDATE_SERVICE
    report = ApplyReport(done=[(WEB, reg, "w1"), (API, reg, "a1"), (WEB, upd, "w2"), (API, upd, "a2")],
                         services=[ServiceOutcome(API), ServiceOutcome(WEB)])
    assert report_lines(report)[1:] == ["  prod/api: register_task_definition: a1", "  prod/api: update_service: a2",
                                        "  prod/web: register_task_definition: w1", "  prod/web: update_service: w2"]


def test_the_aws_waiter_ends_its_pause_when_the_stop_event_is_set():
    from providers.wait import AwsWaiter

    stop = threading.Event()
    slept: list[float] = []
    waiter = AwsWaiter(None, stop=stop, resume_hint="ecsplan wait -c x", sleep=slept.append)  # type: ignore[arg-type]
    waiter._pause(WEB, 0)  # not stopped: the pause is a wait on the event, not sleep
    stop.set()
    with pytest.raises(Interrupted, match=r"^prod/web: interrupted while waiting; .*follow it with `ecsplan wait -c x`$"):
        waiter._pause(WEB, LONG)  # returns at once: the event is set
    assert slept == []
    AwsWaiter(None, sleep=slept.append)._pause(WEB, 3)  # type: ignore[arg-type]  # no event: sleep, as before
    assert slept == [3]
