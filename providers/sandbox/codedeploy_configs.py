"""CodeDeploy deployment configurations for the ECS compute platform: the predefined ones, the
custom ones CreateDeploymentConfig makes, and how each shifts production traffic.

moto has no deployment configurations at all (no GetDeploymentConfig, no
CreateDeploymentConfig). Added actions (``moto.codedeploy.responses.CodeDeployResponse``):

- ``get_deployment_config`` (API_GetDeploymentConfig.html): deploymentConfigInfo of a predefined
  configuration (the ECS ones below, and the server ones with their minimumHealthyHosts) or of
  one CreateDeploymentConfig made; anything else DeploymentConfigDoesNotExistException.
- ``create_deployment_config`` (API_CreateDeploymentConfig.html): a custom configuration;
  computePlatform ECS needs a trafficRoutingConfig (TimeBasedCanary / TimeBasedLinear with a
  percentage of 1-99 and an interval of at least a minute, or AllAtOnce:
  InvalidTrafficRoutingConfigurationException otherwise); a name already taken (predefined
  ones included) is DeploymentConfigAlreadyExistsException.

How a configuration shifts traffic (userguide/deployment-configurations.html, "Deployment
configurations on an Amazon ECS compute platform"): AllAtOnce moves all traffic at once;
TimeBasedCanary moves canaryPercentage, then the rest canaryInterval minutes later;
TimeBasedLinear moves linearPercentage every linearInterval minutes until all has moved. The
sandbox has no clock: one GetDeployment / BatchGetDeployments poll is one minute of CodeDeploy's
waits (``_Routing.polls``, ``_Routing.weight_after``).

The helpers are called with ``_STATE_LOCK`` held.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from typing import Any

import attrs

from providers.sandbox.common import _STATE_LOCK, _now, _random

#: The predefined deployment configurations of the ECS compute platform and their traffic
#: routing (userguide/deployment-configurations.html#deployment-configuration-ecs).
ECS_PREDEFINED_CONFIGS: dict[str, dict[str, Any]] = {
    "CodeDeployDefault.ECSAllAtOnce": {"type": "AllAtOnce"},
    "CodeDeployDefault.ECSCanary10Percent5Minutes": {
        "type": "TimeBasedCanary",
        "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
    },
    "CodeDeployDefault.ECSCanary10Percent15Minutes": {
        "type": "TimeBasedCanary",
        "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 15},
    },
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": {
        "type": "TimeBasedLinear",
        "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1},
    },
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes": {
        "type": "TimeBasedLinear",
        "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 3},
    },
}

# The predefined EC2/on-premises configurations (minimumHealthyHosts), so GetDeploymentConfig of
# the name moto gives groups created without one answers as AWS does.
_SERVER_PREDEFINED_CONFIGS: dict[str, dict[str, Any]] = {
    "CodeDeployDefault.AllAtOnce": {"type": "HOST_COUNT", "value": 0},
    "CodeDeployDefault.HalfAtATime": {"type": "FLEET_PERCENT", "value": 50},
    "CodeDeployDefault.OneAtATime": {"type": "HOST_COUNT", "value": 1},
}

# Custom configurations, kept on moto's CodeDeploy backend (moto's reset discards them with it).
_CUSTOM = "_ecsplan_deployment_configs"


def _codedeploy_error(code: str, message: str) -> Exception:
    from moto.codedeploy.exceptions import CodeDeployException

    return CodeDeployException(code, message)


@attrs.frozen
class _Routing:
    """How a deployment shifts production traffic to the replacement task set, in polls."""

    kind: str  # AllAtOnce, TimeBasedCanary, TimeBasedLinear
    percentage: int = 100
    interval: int = 0  # minutes, i.e. polls

    @property
    def polls(self) -> int:
        """Polls from the first increment to all traffic shifted (AllowTraffic InProgress)."""
        if self.kind == "TimeBasedCanary":
            return self.interval
        if self.kind == "TimeBasedLinear":
            return (math.ceil(100 / self.percentage) - 1) * self.interval
        return 0

    def weight_after(self, polls: int) -> float:
        """The replacement task set's share of production traffic, `polls` after the shift began."""
        if self.kind == "TimeBasedCanary":
            return 100.0 if polls >= self.interval else float(self.percentage)
        if self.kind == "TimeBasedLinear":
            return float(min(100, self.percentage * (1 + polls // self.interval)))
        return 100.0


def _routing_of(config: dict[str, Any] | None) -> _Routing:
    """The _Routing of a trafficRoutingConfig (none: all at once)."""
    config = config or {}
    kind = str(config.get("type") or "AllAtOnce")
    if kind == "TimeBasedCanary":
        canary = config.get("timeBasedCanary") or {}
        return _Routing(kind, int(canary["canaryPercentage"]), int(canary["canaryInterval"]))
    if kind == "TimeBasedLinear":
        linear = config.get("timeBasedLinear") or {}
        return _Routing(kind, int(linear["linearPercentage"]), int(linear["linearInterval"]))
    return _Routing("AllAtOnce")


def _custom_configs(codedeploy: Any) -> dict[str, dict[str, Any]]:
    configs: dict[str, dict[str, Any]] | None = getattr(codedeploy, _CUSTOM, None)
    if configs is None:
        configs = {}
        setattr(codedeploy, _CUSTOM, configs)
    return configs


def _config_info(codedeploy: Any, name: str) -> dict[str, Any] | None:
    """deploymentConfigInfo as GetDeploymentConfig shows it; None for an unknown name."""
    custom = _custom_configs(codedeploy).get(name)
    if custom is not None:
        return dict(custom)
    if name in ECS_PREDEFINED_CONFIGS:
        return {
            "deploymentConfigId": _predefined_id(name),
            "deploymentConfigName": name,
            "computePlatform": "ECS",
            "trafficRoutingConfig": dict(ECS_PREDEFINED_CONFIGS[name]),
        }
    if name in _SERVER_PREDEFINED_CONFIGS:
        return {
            "deploymentConfigId": _predefined_id(name),
            "deploymentConfigName": name,
            "computePlatform": "Server",
            "minimumHealthyHosts": dict(_SERVER_PREDEFINED_CONFIGS[name]),
        }
    return None


def _predefined_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"codedeploy:{name}"))


def _deployment_routing(codedeploy: Any, name: str | None) -> _Routing:
    """How an ECS deployment with this configuration shifts traffic.

    A missing name, or a predefined server configuration (moto gives a group created without a
    configuration CodeDeployDefault.OneAtATime; AWS gives an ECS group
    CodeDeployDefault.ECSAllAtOnce), shifts all at once. An unknown name is refused as
    CreateDeployment refuses it (DeploymentConfigDoesNotExistException).
    """
    if not name or name == "None" or name in _SERVER_PREDEFINED_CONFIGS:
        return _Routing("AllAtOnce")
    info = _config_info(codedeploy, name)
    if info is None:
        raise _does_not_exist(name)
    if info.get("computePlatform") != "ECS":
        raise _codedeploy_error(
            "InvalidDeploymentConfigNameException",
            f"The deployment configuration {name} is not for the ECS compute platform.",
        )
    return _routing_of(info.get("trafficRoutingConfig"))


def _does_not_exist(name: str) -> Exception:
    return _codedeploy_error(
        "DeploymentConfigDoesNotExistException",
        f"The deployment configuration {name} does not exist with the user or AWS account.",
    )


def _check_traffic_routing(config: Any) -> dict[str, Any]:
    def invalid(message: str) -> Exception:
        return _codedeploy_error("InvalidTrafficRoutingConfigurationException", message)

    if not isinstance(config, dict) or not config.get("type"):
        raise invalid("A deployment configuration for the ECS compute platform needs a trafficRoutingConfig.")
    kind = config["type"]
    members = {
        "TimeBasedCanary": ("timeBasedCanary", "canaryPercentage", "canaryInterval"),
        "TimeBasedLinear": ("timeBasedLinear", "linearPercentage", "linearInterval"),
    }
    if kind == "AllAtOnce":
        return {"type": "AllAtOnce"}
    if kind not in members:
        raise invalid(f"The traffic routing type {kind} is not valid.")
    key, percentage, interval = members[kind]
    given = config.get(key) or {}
    try:
        pct, minutes = int(given[percentage]), int(given[interval])
    except (KeyError, TypeError, ValueError) as err:
        raise invalid(f"{kind} needs {key}.{percentage} and {key}.{interval}.") from err
    if not 1 <= pct <= 99 or minutes < 1:
        raise invalid(f"{key}: the percentage must be 1-99 and the interval at least 1 minute.")
    return {"type": kind, key: {percentage: pct, interval: minutes}}


def _add_get_deployment_config(original: None) -> Callable[..., Any]:
    """GetDeploymentConfig (moto lacks it; API_GetDeploymentConfig.html).

    The predefined ECS configurations with their trafficRoutingConfig, the predefined server ones
    with their minimumHealthyHosts, and the custom ones CreateDeploymentConfig made. No name:
    DeploymentConfigNameRequiredException; an unknown one: DeploymentConfigDoesNotExistException.
    """
    del original

    def get_deployment_config(self: Any) -> Any:
        from moto.core.responses import ActionResult

        name = self._get_param("deploymentConfigName")
        if not name:
            raise _codedeploy_error(
                "DeploymentConfigNameRequiredException",
                "The deployment configuration name was not specified.",
            )
        with _STATE_LOCK:
            info = _config_info(self.codedeploy_backend, str(name))
        if info is None:
            raise _does_not_exist(str(name))
        return ActionResult({"deploymentConfigInfo": info})

    return get_deployment_config


def _add_create_deployment_config(original: None) -> Callable[..., Any]:
    """CreateDeploymentConfig (moto lacks it; API_CreateDeploymentConfig.html).

    computePlatform ECS: trafficRoutingConfig is required and checked
    (InvalidTrafficRoutingConfigurationException); other platforms are stored as given. A name
    taken, a predefined one included: DeploymentConfigAlreadyExistsException.
    """
    del original

    def create_deployment_config(self: Any) -> Any:
        from moto.core.responses import ActionResult

        name = self._get_param("deploymentConfigName")
        if not name:
            raise _codedeploy_error(
                "DeploymentConfigNameRequiredException",
                "The deployment configuration name was not specified.",
            )
        platform = self._get_param("computePlatform") or "Server"
        routing = self._get_param("trafficRoutingConfig")
        backend = self.codedeploy_backend
        with _STATE_LOCK:
            if _config_info(backend, str(name)) is not None:
                raise _codedeploy_error(
                    "DeploymentConfigAlreadyExistsException",
                    f"A deployment configuration with the name {name} already exists.",
                )
            info: dict[str, Any] = {
                "deploymentConfigId": str(_random().uuid4()),
                "deploymentConfigName": str(name),
                "computePlatform": platform,
                "createTime": _now(),
            }
            if platform == "ECS":
                info["trafficRoutingConfig"] = _check_traffic_routing(routing)
            else:
                if routing:
                    info["trafficRoutingConfig"] = routing
                if self._get_param("minimumHealthyHosts"):
                    info["minimumHealthyHosts"] = self._get_param("minimumHealthyHosts")
            _custom_configs(backend)[str(name)] = info
        return ActionResult({"deploymentConfigId": info["deploymentConfigId"]})

    return create_deployment_config
