"""The apply lock (planner/lock.py) on pure values: the holder's text, the checks and the
executor's use of it, with a hand-written store whose calls are recorded beside the applier's."""

from __future__ import annotations

import copy
import datetime as dt

import attrs
import pytest

from planner.actions import ActionType
from planner.build import build_plan, build_service_plan
from planner.errors import StalePlanError
from planner.execute import apply_plan
from planner.lock import LOCK_TAG, ServiceLockedError, ServiceLocks, holder_text, lock_holder, lock_of, tag_safe
from planner.model import ServiceRef
from providers.errors import AwsError
from providers.lock import ci_job
from tests.factories import REF, SERVICE, desired, live, with_image
from tests.fakes import FakeApplier, FakeReader, FakeWaiter

ARN = "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
OURS = "me@here pid 1 plan 0123456789ab since 2026-11-28T23:40:00Z"
ALICE = "alice@ci-7 pid 4242 plan abcabcabcabc since 2026-11-28T23:00:00Z"


class FakeStore:
    """The lock tags by ARN; `log` records every call (shared with the applier's when given);
    `after_write` runs after a TagResource (another apply tagging at the same time)."""

    def __init__(self, tags=None, log=None, fail_on=None, after_write=None):
        self.tags = dict(tags or {})
        self.log = log if log is not None else []
        self.fail_on, self.after_write = fail_on, after_write

    def _do(self, name, arn):
        self.log.append((name, arn))
        if name == self.fail_on:
            raise AwsError(f"{name} failed")

    def read(self, service_arn):
        self._do("read_lock", service_arn)
        return self.tags.get(service_arn)

    def write(self, service_arn, holder):
        self._do("write_lock", service_arn)
        self.tags[service_arn] = holder
        if self.after_write:
            self.after_write(self)

    def remove(self, service_arn):
        self._do("remove_lock", service_arn)
        self.tags.pop(service_arn, None)


def locked(lv, holder=ALICE):
    desc = dict(lv.service.description, tags=[*lv.service.description.get("tags", []), {"key": LOCK_TAG, "value": holder}])
    return attrs.evolve(lv, service=attrs.evolve(lv.service, description=desc))


def new_image_plan(lv=None):
    lv = lv or live()
    return build_plan([(desired(task=with_image("nginx:1.27")), lv)], region="us-east-1", account="123456789012"), {REF: lv}


def run(plan, states, store, *, force_unlock=False, applier=None, waiter=None, holder=OURS):
    lines: list[str] = []
    applier = applier or FakeApplier()
    applier.calls = store.log  # one log: the order of lock calls and writes
    locks = ServiceLocks(store, holder, lines.append)
    forced = {"force_unlock": True} if force_unlock else {}  # not given: the default must not break a lock
    report = apply_plan(plan, reader=FakeReader(states), applier=applier, waiter=waiter or FakeWaiter(), emit=lines.append,
                        locks=locks, **forced)
    return report, [c[0] for c in store.log], lines


# ---- the holder --------------------------------------------------------------------------------


def test_the_holder_says_who_where_which_process_which_plan_and_since_when():
    since = dt.datetime(2026, 11, 29, 0, 40, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert holder_text(user="alice", host="ci-7", pid=4242, plan_id="abc123def456789", since=since) == \
        "alice@ci-7 pid 4242 plan abc123def456 since 2026-11-28T23:40:00Z"
    assert holder_text(user="", host="", pid=1, plan_id="p", since=since) == "unknown@unknown pid 1 plan p since 2026-11-28T23:40:00Z"


def test_the_holder_is_a_valid_tag_value():
    since = dt.datetime(2026, 11, 28, 23, 40, tzinfo=dt.timezone.utc)
    assert tag_safe("a#b!c (d) é_.:/=+-@ 9") == "a_b_c _d_ __.:/=+-@ 9"
    text = holder_text(user="DOMAIN\\bob smith", host="x" * 400, pid=7, plan_id="abcdef", since=since)
    assert len(text) == 256 and text.startswith("DOMAIN_bob smith@xxx") and text.endswith(" pid 7 plan abcdef since 2026-11-28T23:40:00Z")
    assert len(holder_text(user="u", host="x" * 223, pid=7, plan_id="abcdef", since=since)) == 256  # the limit itself: not cut


def test_a_ci_job_is_named_by_its_link_and_dropped_first_when_too_long():
    since = dt.datetime(2026, 11, 28, 23, 40, tzinfo=dt.timezone.utc)
    job = "https://github.com/acme/web/actions/runs/123"
    assert holder_text(user="runner", host="fv-az1", pid=7, plan_id="abcdef", since=since, job=job) == \
        f"runner@fv-az1 pid 7 plan abcdef since 2026-11-28T23:40:00Z job {job}"
    tail = " pid 7 plan abcdef since 2026-11-28T23:40:00Z"
    fits = "u@" + "x" * (256 - len(tail) - len(" job " + job) - 2)
    assert holder_text(user="u", host=fits[2:], pid=7, plan_id="abcdef", since=since, job=job) == f"{fits}{tail} job {job}"  # 256: kept
    longer = holder_text(user="u", host=fits[2:] + "x", pid=7, plan_id="abcdef", since=since, job=job)
    assert longer == f"{fits}x{tail}" and len(longer) < 256  # one over: the job goes, the host stays whole
    assert ci_job({"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/web", "GITHUB_RUN_ID": "123"}) == job
    assert ci_job({"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/web"}) == "" and ci_job({}) == ""


def test_the_lock_is_read_from_the_services_tags():
    assert lock_of([{"key": "team", "value": "web"}, {"key": LOCK_TAG, "value": ALICE}]) == ALICE
    assert lock_of([{"key": "team", "value": "web"}]) is None
    assert lock_of(None) is None and lock_of(["odd"]) is None
    assert lock_holder(locked(live())) == ALICE
    assert lock_holder(live()) is None and lock_holder(live(exists=False)) is None


# ---- apply ---------------------------------------------------------------------------------------


def test_a_service_locked_by_another_apply_is_refused_before_any_call():
    plan, states = new_image_plan(locked(live()))
    report, calls, _ = run(plan, states, FakeStore({ARN: ALICE}))
    assert isinstance(report.error, ServiceLockedError)
    assert str(report.error) == (
        f"prod/web is locked by {ALICE}: another apply is running on it; nothing was applied. "
        "If that apply died, break its lock: `ecsplan apply --force-unlock -c ecspresso.yml`"
    )
    assert calls == []  # from the read the stale check made: no tag read, no write
    assert [o.reason for o in report.services] == ["nothing was applied"]


def test_the_lock_is_taken_before_the_first_write_and_given_back_after():
    plan, states = new_image_plan()
    store = FakeStore()
    report, calls, _ = run(plan, states, store)
    assert report.ok
    assert calls == ["read_lock", "write_lock", "read_lock", "register", "update", "read_lock", "remove_lock"]
    assert store.tags == {}


def test_force_unlock_breaks_the_lock_says_whose_and_gives_it_back():
    plan, states = new_image_plan(locked(live()))
    store = FakeStore({ARN: ALICE})
    report, calls, lines = run(plan, states, store, force_unlock=True)
    assert report.ok
    assert f"prod/web: broke the apply lock held by {ALICE} (--force-unlock)" in lines
    assert calls[:3] == ["read_lock", "write_lock", "read_lock"] and calls[-2:] == ["read_lock", "remove_lock"]
    assert store.tags == {}


def test_a_lock_taken_between_the_read_and_the_lock_refuses_with_nothing_written():
    plan, states = new_image_plan()  # the read saw no lock; the tag has one now
    store = FakeStore({ARN: ALICE})
    report, calls, _ = run(plan, states, store)
    assert isinstance(report.error, ServiceLockedError) and ALICE in str(report.error)
    assert calls == ["read_lock"] and store.tags == {ARN: ALICE}


def test_of_two_applies_tagging_at_once_the_one_read_back_wins():
    plan, states = new_image_plan()

    def other_apply_tags_too(store):
        store.tags[ARN] = ALICE

    store = FakeStore(after_write=other_apply_tags_too)
    report, calls, _ = run(plan, states, store)
    assert isinstance(report.error, ServiceLockedError)
    assert str(report.error) == f"prod/web: another apply took the lock at the same time ({ALICE}); nothing was applied"
    assert calls == ["read_lock", "write_lock", "read_lock"]  # the winner's lock is left alone
    assert store.tags == {ARN: ALICE}


def test_a_lock_removed_right_after_our_write_is_not_ours_either():
    plan, states = new_image_plan()
    store = FakeStore(after_write=lambda s: s.tags.clear())
    report, calls, _ = run(plan, states, store)
    assert str(report.error) == "prod/web: another apply took the lock at the same time (then released it); nothing was applied"
    assert "register" not in calls


def test_the_lock_is_given_back_after_a_failure_and_after_ctrl_c():
    plan, states = new_image_plan()
    store = FakeStore()
    report, calls, _ = run(plan, states, store, applier=FakeApplier(fail_on="update"))
    assert isinstance(report.error, AwsError)
    assert calls[-2:] == ["read_lock", "remove_lock"] and store.tags == {}

    store = FakeStore()
    report, calls, _ = run(plan, states, store, waiter=FakeWaiter(KeyboardInterrupt()))
    assert type(report.error).__name__ == "Interrupted"
    assert calls[-2:] == ["read_lock", "remove_lock"] and store.tags == {}


def test_a_stale_plan_found_under_the_lock_gives_it_back():
    plan, states = new_image_plan()
    moved = copy.deepcopy(live())
    moved.service.description["desiredCount"] = 5

    class MovesOnSecondRead(FakeReader):
        def read(self, targets):
            result = super().read(targets)
            self.states = {REF: moved}
            return result

    store = FakeStore()
    locks = ServiceLocks(store, OURS, lambda _: None)
    report = apply_plan(plan, reader=MovesOnSecondRead(states), applier=FakeApplier(), waiter=FakeWaiter(), emit=lambda _: None, locks=locks)
    assert isinstance(report.error, StalePlanError)
    assert [c[0] for c in store.log] == ["read_lock", "write_lock", "read_lock", "read_lock", "remove_lock"]


def test_a_service_being_created_takes_no_lock():
    plan, states = new_image_plan(live(exists=False))
    store = FakeStore()
    report, calls, _ = run(plan, states, store)
    assert report.ok and calls == ["register", "create"]


def test_a_lock_release_that_fails_is_a_warning_naming_force_unlock():
    plan, states = new_image_plan()
    store = FakeStore(fail_on="remove_lock")
    report, _, lines = run(plan, states, store)
    assert report.ok
    assert "prod/web: could not release the apply lock (remove_lock failed); the next apply will say it is locked by " \
           f"{OURS}: break it with `ecsplan apply --force-unlock`" in lines


def test_a_lock_taken_over_meanwhile_is_left_to_its_new_holder():
    plan, states = new_image_plan()
    store = FakeStore()

    class TakenOverDuringTheWait(FakeWaiter):
        def _wait(self, ref, expect, timeout):
            store.tags[ARN] = ALICE  # someone ran --force-unlock

    report, calls, lines = run(plan, states, store, waiter=TakenOverDuringTheWait())
    assert report.ok and calls[-1] == "read_lock" and store.tags == {ARN: ALICE}
    assert f"prod/web: the apply lock is no longer ours ({ALICE}); left as it is" in lines


def test_our_own_lock_does_not_refuse_and_release_is_once():
    locks = ServiceLocks(FakeStore(), OURS, lambda _: None)
    locks.check([desired()], {REF: locked(live(), OURS)}, force=False)
    with pytest.raises(ServiceLockedError):
        locks.check([desired()], {REF: locked(live())}, force=False)
    locks.check([desired()], {REF: locked(live())}, force=True)
    other = ServiceRef(cluster="prod", service="api")
    locks.check([attrs.evolve(desired(), ref=other)], {REF: locked(live())}, force=False)  # not read: not checked
    locks.release(REF)  # not held: nothing
    assert locks.store.log == []


def test_several_services_are_all_locked_or_none():
    api = ServiceRef(cluster="prod", service="api")
    api_arn = ARN.replace("/web", "/api")
    api_live = attrs.evolve(live(), ref=api)
    api_live = attrs.evolve(api_live, service=attrs.evolve(api_live.service, arn=api_arn))
    plan = build_plan([(desired(task=with_image("nginx:1.27")), live()),
                       (attrs.evolve(desired(task=with_image("nginx:1.27")), ref=api), api_live)], region="us-east-1", account="123456789012")
    store = FakeStore({api_arn: ALICE})  # taken after the read: found when locking
    report, calls, _ = run(plan, {REF: live(), api: api_live}, store)
    assert isinstance(report.error, ServiceLockedError)
    assert "register" not in calls and store.tags == {api_arn: ALICE}  # web's lock, taken first, given back


# ---- plans never show it -------------------------------------------------------------------------


def test_the_lock_tag_is_never_a_change_nor_untagged():
    sp = build_service_plan(desired(), locked(live()))
    assert not sp.has_changes
    retagged = dict(SERVICE, tags=[{"key": "team", "value": "api"}])
    sp = build_service_plan(desired(service=retagged), locked(live()))
    (update,) = sp.actions
    assert update.TYPE is ActionType.UPDATE_SERVICE
    assert dict(update.tags_add) == {"team": "api"} and tuple(update.tags_remove) == ()
    assert [c.path for c in update.changes] == ["tags[team]"]


def test_a_lock_taken_or_released_does_not_make_a_saved_plan_stale():
    plan, states = new_image_plan()
    report, calls, _ = run(plan, {REF: locked(live(), OURS)}, FakeStore())
    assert report.ok, report.error


def test_rollback_and_continue_plans_take_no_lock_and_say_who_holds_it():
    from planner.plan import Purpose

    plan, states = new_image_plan(locked(live()))
    for purpose in (Purpose.ROLLBACK, Purpose.CONTINUE):
        store = FakeStore({ARN: ALICE})
        report, calls, lines = run(attrs.evolve(plan, purpose=purpose), states, store)
        assert report.ok, report.error
        assert calls == ["register", "update"] and store.tags == {ARN: ALICE}
        assert lines[0] == f"prod/web: an apply holds its lock ({ALICE}); this {purpose.value} acts on its deployment, " \
                           "and that apply will report how it ended"
    report, _, lines = run(attrs.evolve(new_image_plan()[0], purpose=Purpose.ROLLBACK), {REF: live()}, FakeStore())
    assert report.ok and not any("holds its lock" in line for line in lines)
