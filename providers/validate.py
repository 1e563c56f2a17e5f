"""Check every payload of a plan against the botocore model of the API call that will carry it,
at plan time: a misspelt key or a wrong type in a definition file is reported with the file
before anything is changed, not halfway through an apply."""

from __future__ import annotations

import re
from typing import Any, Mapping

import botocore.session
import botocore.validate

from planner.actions import CreateService, RegisterTaskDefinition, UpdateService
from planner.errors import ConfigError
from planner.frozen import thaw
from planner.model import DesiredService, ServiceRef
from planner.plan import Plan
from planner.render.mask import DEFAULT_PATTERNS, SENSITIVE, is_sensitive, mask_text, patterns_for

_PLACEHOLDER_ARN = "arn:aws:ecs:us-east-1:000000000000:task-definition/placeholder:1"
_models: dict[str, Any] = {}


def _input_shape(service: str, operation: str) -> Any:
    if service not in _models:
        _models[service] = botocore.session.get_session().get_service_model(service)
    return _models[service].operation_model(operation).input_shape


# botocore's report quotes the value: "Invalid type for parameter PATH, value: 12345, type: ...".
_QUOTED_VALUE = re.compile(r"^(?P<pre>.*? parameter (?P<path>\S+), value: ).*?(?P<post>, (?:type:|valid ).*)$")
_ENV_VALUE = re.compile(r"^(?P<entry>.*\.environment\[\d+\])\.value$")
_FREE_MAP_VALUE = re.compile(r"\.(?:options|dockerLabels|driverOpts)\.(?P<name>.+)$")


def _check(service: str, operation: str, params: dict[str, Any], file: str, what: str, patterns: tuple[str, ...] = DEFAULT_PATTERNS) -> None:
    report = botocore.validate.ParamValidator().validate(params, _input_shape(service, operation))
    if report.has_errors():
        lines = "\n".join(f"  {_masked(line, params, patterns)}" for line in report.generate_report().splitlines())
        raise ConfigError(f"{what} is not valid for ECS {operation}; nothing was changed:\n{lines}", file=file)


def _masked(line: str, params: dict[str, Any], patterns: tuple[str, ...]) -> str:
    """A report line as plans show values: the value of a secret-looking name (an environment
    entry, a log option, a docker label) as (sensitive), looked-up secrets and credentials in
    strings masked (planner/render/mask.py)."""
    m = _QUOTED_VALUE.match(line)
    if m is not None:
        path = m["path"]
        env, free = _ENV_VALUE.match(path), _FREE_MAP_VALUE.search(path)
        name = str(_at(params, env["entry"]).get("name", "")) if env is not None else free["name"] if free is not None else ""
        if name and is_sensitive(name, patterns):
            line = m["pre"] + SENSITIVE + m["post"]
    return mask_text(line, patterns)


def _at(params: Any, path: str) -> Any:
    """The entry at a report path like containerDefinitions[0].environment[2] ({} if absent)."""
    node = params
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        elif key and isinstance(node, dict):
            node = node.get(key, {})
        else:
            return {}
    return node if isinstance(node, dict) else {}


def validate_plan(plan: Plan, desired: Mapping[ServiceRef, DesiredService]) -> None:
    for service in plan.services:
        d = desired.get(service.ref)
        td_file = (d.task_definition_path or d.source) if d else service.source
        sd_file = (d.service_definition_path or d.source) if d else service.source
        patterns = patterns_for(d.sensitive, d.secret_values) if d else patterns_for(service.sensitive, service.secret_values)
        for action in service.actions:
            # The ARN of a revision this plan registers is not known yet: a placeholder stands in.
            if isinstance(action, RegisterTaskDefinition):
                _check("ecs", "RegisterTaskDefinition", thaw(action.definition), td_file, "the task definition", patterns)
            elif isinstance(action, CreateService):
                _check("ecs", "CreateService", action.request(action.task_definition.arn or _PLACEHOLDER_ARN), sd_file, "the service definition", patterns)
            elif isinstance(action, UpdateService):
                params = action.request(_PLACEHOLDER_ARN if action.task_definition is not None else None)
                if params:
                    _check("ecs", "UpdateService", params, sd_file, "the service definition", patterns)
