"""Check every payload of a plan against the botocore model of the API call that will carry it,
at plan time: a misspelt key or a wrong type in a definition file is reported with the file
before anything is changed, not halfway through an apply."""

from __future__ import annotations

from typing import Any, Mapping

import botocore.session
import botocore.validate

from planner.actions import CreateService, RegisterTaskDefinition, UpdateService
from planner.errors import ConfigError
from planner.frozen import thaw
from planner.model import DesiredService, ServiceRef
from planner.plan import Plan

_PLACEHOLDER_ARN = "arn:aws:ecs:us-east-1:000000000000:task-definition/placeholder:1"
_models: dict[str, Any] = {}


def _input_shape(service: str, operation: str) -> Any:
    if service not in _models:
        _models[service] = botocore.session.get_session().get_service_model(service)
    return _models[service].operation_model(operation).input_shape


def _check(service: str, operation: str, params: dict[str, Any], file: str, what: str) -> None:
    report = botocore.validate.ParamValidator().validate(params, _input_shape(service, operation))
    if report.has_errors():
        lines = "\n".join(f"  {line}" for line in report.generate_report().splitlines())
        raise ConfigError(f"{what} is not valid for ECS {operation}; nothing was changed:\n{lines}", file=file)


def validate_plan(plan: Plan, desired: Mapping[ServiceRef, DesiredService]) -> None:
    for service in plan.services:
        d = desired.get(service.ref)
        td_file = (d.task_definition_path or d.source) if d else service.source
        sd_file = (d.service_definition_path or d.source) if d else service.source
        for action in service.actions:
            # The ARN of a revision this plan registers is not known yet: a placeholder stands in.
            if isinstance(action, RegisterTaskDefinition):
                _check("ecs", "RegisterTaskDefinition", thaw(action.definition), td_file, "the task definition")
            elif isinstance(action, CreateService):
                _check("ecs", "CreateService", action.request(action.task_definition.arn or _PLACEHOLDER_ARN), sd_file, "the service definition")
            elif isinstance(action, UpdateService):
                params = action.request(_PLACEHOLDER_ARN if action.task_definition is not None else None)
                if params:
                    _check("ecs", "UpdateService", params, sd_file, "the service definition")
