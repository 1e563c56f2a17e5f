"""The planner's errors: one root, small subclasses, each a message a user may see. providers/ has its
own root (providers/errors.py); cli.py maps both to exit codes in one place, never a traceback."""

from __future__ import annotations


class PlannerError(Exception):
    """Root of every error the planner reports to a user (exit code 1)."""


class UsageError(PlannerError):
    """The command line asks for something that cannot be done."""


class ConfigError(PlannerError):
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


class PlanError(PlannerError):
    """A plan cannot be built, loaded or applied as it is."""


class BlockedPlanError(PlanError):
    """The plan contains changes that cannot be made in place; nothing was applied."""


class StalePlanError(PlanError):
    """The live state moved since the plan was made; nothing was applied."""


class DeploymentFailed(PlannerError):
    """A deployment ended in failure or was rolled back."""


class WaitTimeout(PlannerError):
    """The deployment did not finish within the timeout (it may still be running)."""


class Interrupted(PlannerError):
    """The user interrupted the run (Ctrl-C); what was done so far is reported (exit 130)."""


class OutcomeUnknown(Exception):
    """Mixed into an error of a write whose outcome is unknown (its reply lost, late or a 5xx
    after every attempt): AWS may have made the change. The apply report lists that action
    apart, neither done nor not done."""


class Halted(PlannerError):
    """apply --fail-fast: another service failed, so this one stopped before its next action."""


class LookupFailed(Exception):
    """Raised by a lookup function (tfstate, ssm, ...) handed to the template renderer: what is
    missing, in words. The renderer turns it into a TemplateError naming the file, the line and
    the function; it is not a PlannerError because it never reaches a user on its own."""
