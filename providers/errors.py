"""The providers' errors: one root, small subclasses. The planner has its own root
(planner/errors.py); cli.py maps both to exit codes in one place."""

from __future__ import annotations


class ProviderError(Exception):
    """Root of every error the providers layer reports to a user (exit code 1)."""


class AwsError(ProviderError):
    """An AWS API call failed."""


class SandboxError(ProviderError):
    """The embedded sandbox cannot be started or no longer matches the moto it patches."""
