"""The providers' errors: one root, small subclasses. The planner has its own root
(planner/errors.py); cli.py maps both to exit codes in one place."""

from __future__ import annotations

from planner.errors import OutcomeUnknown


class ProviderError(Exception):
    """Root of every error the providers layer reports to a user (exit code 1)."""


class AwsError(ProviderError):
    """An AWS API call failed. `transient`: a failure that may pass if the call is made again
    (throttling, a 5xx, a reply lost or late): a wait retries those until its timeout."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class AwsOutcomeUnknown(AwsError, OutcomeUnknown):
    """A write failed without an answer saying whether it happened (planner.errors.OutcomeUnknown)."""


class SandboxError(ProviderError):
    """The embedded sandbox cannot be started or no longer matches the moto it patches."""
