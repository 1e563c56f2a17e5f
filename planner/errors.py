"""Errors a user may see. One root, small subclasses; the CLI prints the message, never a traceback."""

from __future__ import annotations


class EcsplanError(Exception):
    """Root of every error ecsplan reports to a user (exit code 1)."""


class UsageError(EcsplanError):
    """The command line asks for something that cannot be done."""


class ConfigError(EcsplanError):
    """A config or definition file is missing, malformed or inconsistent."""

    def __init__(self, message: str, *, file: str | None = None, where: str | None = None) -> None:
        self.file = file
        self.where = where
        prefix = ""
        if file:
            prefix = f"{file}: " if not where else f"{file}: {where}: "
        elif where:
            prefix = f"{where}: "
        super().__init__(prefix + message)


class TemplateError(ConfigError):
    """A template expression in a definition or config file cannot be rendered."""


class AwsError(EcsplanError):
    """An AWS API call failed."""


class PlanError(EcsplanError):
    """A plan cannot be built, loaded or applied as it is."""


class BlockedPlanError(PlanError):
    """The plan contains changes that cannot be made in place; nothing was applied."""


class StalePlanError(PlanError):
    """The live state moved since the plan was made; nothing was applied."""


class DeploymentFailed(EcsplanError):
    """A deployment ended in failure or was rolled back."""


class WaitTimeout(EcsplanError):
    """The deployment did not finish within the timeout (it may still be running)."""


class SandboxError(EcsplanError):
    """The embedded sandbox cannot be started or no longer matches the moto it patches."""


class Interrupted(EcsplanError):
    """The user interrupted the run (Ctrl-C); what was done so far is reported (exit 130)."""
