"""One apply per service at a time: a lock held in a tag on the ECS service (issue 13, item 8).

The tag `ecsplan:lock` names its holder ("alice@ci-7 pid 4242 plan 0123456789ab since
2026-11-28T23:40:00Z"). Apply takes it before its first write to a service and removes it when
it is done with that service (success, failure, Ctrl-C / SIGTERM); a second apply that finds it
held by someone else refuses before any write, naming the holder. `--force-unlock` breaks it.

Why a tag on the service: it lives beside what it protects (no table or bucket to provision, no
extra permission beyond ecs:TagResource / UntagResource / ListTagsForResource, which tag changes
need anyway), it is visible in the console and in `ecsplan status`, and it disappears with the
service. Its limit: ECS tagging has no compare-and-set, so acquiring is read, write, read again:
of two applies that tag within the same instant, the one whose value is there on the re-read
goes on; the other refuses. The window left is the time between one apply's read and its write
(milliseconds); the stale check that follows the lock narrows it further (README: "One apply at a
time").

The tag is the lock's only: reader and diff drop it (normalize's ignored-tags rule names it),
so a plan never shows it as a change and an apply that updates tags never removes it.

Pure: the store (providers/lock.py) does the three calls; who the holder is (user, host, pid,
time) is given by the caller.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Iterable, Mapping, Protocol

from planner.errors import PlanError
from planner.model import LiveState, ServiceRef

LOCK_TAG = "ecsplan:lock"
# ECS tag values: letters, numbers, spaces and _ . : / = + - @, at most 256 characters
# (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html).
VALUE_MAX = 256
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9 _.:/=+\-@]")

Emit = Callable[[str], None]


class ServiceLockedError(PlanError):
    """Another apply holds the service's lock (or took it while this one tried); nothing was applied."""


def tag_safe(text: str) -> str:
    """`text` with what an ECS tag value may not hold replaced by `_`."""
    return _NOT_ALLOWED.sub("_", text)


def holder_text(*, user: str, host: str, pid: int, plan_id: str, since: dt.datetime, job: str = "") -> str:
    """Who holds the lock, as the tag value: `user@host pid N plan ID since TIME` (UTC, to the
    second), then ` job URL` when a CI job runs it (a CI runner's user and host name no one can
    find the job by), made tag-safe and cut to the tag's 256 characters (the job is cut first,
    then the user and host: the pid, plan and time tell two holders apart)."""
    when = since.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    tail = f" pid {pid} plan {tag_safe(plan_id[:12])} since {when}"
    who = tag_safe(f"{user or 'unknown'}@{host or 'unknown'}")
    extra = f" job {tag_safe(job)}" if job else ""
    if len(who) + len(tail) + len(extra) > VALUE_MAX:
        extra = ""
    return who[: VALUE_MAX - len(tail) - len(extra)] + tail + extra


def lock_of(tags: Any) -> str | None:
    """The holder in a tag list as ECS returns it ([{key, value}]), or None."""
    if not isinstance(tags, list):
        return None
    for tag in tags:
        if isinstance(tag, dict) and tag.get("key") == LOCK_TAG:
            return str(tag.get("value", ""))
    return None


def lock_holder(live: LiveState) -> str | None:
    """Who holds the service's lock, as the last read saw it (DescribeServices with tags)."""
    if live.service is None:
        return None
    return lock_of(live.service.description.get("tags"))


def force_unlock_command(source: str = "") -> str:
    return "ecsplan apply --force-unlock" + (f" -c {source}" if source else "")


def locked_message(ref: ServiceRef, holder: str, source: str) -> str:
    return (
        f"{ref} is locked by {holder}: another apply is running on it; nothing was applied. "
        f"If that apply died, break its lock: `{force_unlock_command(source)}`"
    )


class LockStore(Protocol):
    """The lock tag of a service, by its ARN (providers/lock.py: ListTagsForResource,
    TagResource, UntagResource)."""

    def read(self, service_arn: str) -> str | None: ...

    def write(self, service_arn: str, holder: str) -> None: ...

    def remove(self, service_arn: str) -> None: ...


class LockTarget(Protocol):
    """What ServiceLocks needs of a service plan."""

    @property
    def ref(self) -> ServiceRef: ...

    @property
    def source(self) -> str: ...


class ServiceLocks:
    """The locks one apply holds (deploy plans: rollback and continue plans act on the deployment
    in progress, also one an apply is waiting on, so they take none and only say who holds it). `check` refuses from the state already read (no write);
    `acquire` takes every lock before any service's first write (all or none); `release` gives
    one back when its service is done; `release_all` the rest (always called at the end)."""

    def __init__(self, store: LockStore, holder: str, emit: Emit) -> None:
        self.store = store
        self.holder = holder
        self.emit = emit
        self.held: dict[ServiceRef, str] = {}  # ref -> service ARN

    def check(self, services: Iterable[LockTarget], now: Mapping[ServiceRef, LiveState], force: bool) -> None:
        """Refuse, naming every holder, when a service the plan changes is locked by someone
        else as the read before apply saw it. `force` (--force-unlock): the locks are broken
        when taken."""
        if force:
            return
        busy = [
            locked_message(s.ref, holder, s.source)
            for s in services
            if s.ref in now and (holder := lock_holder(now[s.ref])) is not None and holder != self.holder
        ]
        if busy:
            raise ServiceLockedError("\n".join(busy))

    def notes(self, services: Iterable[LockTarget], now: Mapping[ServiceRef, LiveState], what: str) -> list[str]:
        """For a rollback or continue, which takes no lock: the services an apply holds."""
        return [
            f"{s.ref}: an apply holds its lock ({holder}); this {what} acts on its deployment, and that apply will report how it ended"
            for s in services
            if s.ref in now and (holder := lock_holder(now[s.ref])) is not None
        ]

    def acquire(self, services: Iterable[LockTarget], now: Mapping[ServiceRef, LiveState], force: bool) -> None:
        """Take the lock of every existing service (one being created has none: CreateService
        refuses a second service of the same name). On a refusal the locks taken so far are
        given back before the error is raised."""
        try:
            for s in services:
                live = now.get(s.ref)
                if live is None or live.service is None:
                    continue
                self._take(s, live.service.arn, force)
        except BaseException:
            self.release_all()
            raise

    def _take(self, s: LockTarget, arn: str, force: bool) -> None:
        current = self.store.read(arn)
        if current is not None and current != self.holder:
            if not force:
                raise ServiceLockedError(locked_message(s.ref, current, s.source))
            self.emit(f"{s.ref}: broke the apply lock held by {current} (--force-unlock)")
        self.store.write(arn, self.holder)
        self.held[s.ref] = arn
        # TagResource is not a compare-and-set: of two applies racing, the value read back is the
        # winner's. The loser's own lock is not removed (it is not its own any more).
        confirmed = self.store.read(arn)
        if confirmed != self.holder:
            del self.held[s.ref]
            raise ServiceLockedError(
                f"{s.ref}: another apply took the lock at the same time ({confirmed or 'then released it'}); nothing was applied"
            )

    def release(self, ref: ServiceRef) -> None:
        """Remove the tag if it is still ours; a failure is a warning (the apply's outcome is
        what it is), naming the command that breaks the lock left behind."""
        arn = self.held.pop(ref, None)
        if arn is None:
            return
        try:
            current = self.store.read(arn)
            if current == self.holder:
                self.store.remove(arn)
            else:
                self.emit(f"{ref}: the apply lock is no longer ours ({current or 'removed'}); left as it is")
        except Exception as err:  # noqa: BLE001 - releasing must not hide the apply's own result
            self.emit(f"{ref}: could not release the apply lock ({err}); the next apply will say it is locked by "
                      f"{self.holder}: break it with `ecsplan apply --force-unlock`")

    def release_all(self) -> None:
        for ref in list(self.held):
            self.release(ref)
