"""An AWS sandbox: moto, patched to keep the ECS (and CodeDeploy blue/green) behaviours a deploy
engine depends on.

moto is loose exactly where a deploy engine lives: it drops most CreateService fields, stores
UpdateService's taskDefinition as given, completes (or never progresses) deployments, accepts
updates real ECS refuses; its CodeDeploy deployments stay Created for ever and change nothing in
ECS. ``install()`` patches moto's internals so that, for ECS, CodeDeploy's ECS deployments and
Application Auto Scaling's ECS targets, the sandbox answers like the real API. Each patch is one
small named factory, in the module of its concern, taking moto's original and returning the
replacement (an action moto lacks is added: its factory gets None, and install() refuses once
moto grows its own); its docstring names the AWS behaviour it imitates.

Modules (each documents the patches and rules it holds):

- ``registry``: the patch machinery: ``install()``, ``installed_patches()``, and the guard that
  refuses to patch a moto whose internals changed.
- ``recording``: every request served is recorded (``RecordedRequest``, ``recorded_requests()``).
- ``task_definitions``: RegisterTaskDefinition / DescribeTaskDefinition; the ``broken`` image
  rule (``image_is_broken``).
- ``ecs_services``: CreateService / UpdateService.
- ``ecs_rollouts``: rolling deployments: progress, slow failure (``FAILED_TASKS_PER_POLL``,
  ``circuit_breaker_threshold``), the circuit-breaker rollback to the last COMPLETED
  deployment, no rolloutState behind a Classic Load Balancer, scaling (the rollout rules).
- ``task_sets``: the task sets of CODE_DEPLOY services.
- ``codedeploy``: the CodeDeploy patches and the blue/green rules; ``codedeploy_plan``:
  CreateDeployment's validation and the deployment's plan (its waits included);
  ``codedeploy_progress``: how a deployment progresses, waits, fails, stops and rolls back,
  and its target; ``codedeploy_configs``: deployment configurations and traffic shifting.
- ``service_deployments``: ECS-native blue/green, linear and canary deployments: service
  deployments (stages per poll, bake time, traffic steps, lifecycle hooks, rollback, the
  alternate target group swapped on success) and service revisions.
- ``autoscaling``: Application Auto Scaling's ECS targets.
- ``common``: the state lock, moto's clock and random source, shared ECS service helpers.
- ``server``: the entry points, ``start_server()`` / ``SandboxServer`` and ``in_process()``.
- ``fixed_ids``: seeding helpers, not patches: subnets, security groups and target groups
  created with the ids a project's files name (``ecsplan sandbox --seed``).
- ``faults``: not a patch either: ``FaultProxy``, an HTTP proxy on its own port in front of a
  ``SandboxServer`` that answers chosen calls with throttling, a 5xx, AccessDenied, a dropped
  reply (after the request was served) or a stalled reply, for the tests of what ecsplan
  survives (imported on its own: ``from providers.sandbox.faults import FaultProxy``).

Patches (``installed_patches()`` returns these names, in this order; ``_PATCHES`` below is the
table):

- ``record_requests`` (recording): every request moto serves is recorded.
- ``family_resolves_to_latest_active`` (task_definitions): a bare family names its latest
  ACTIVE revision.
- ``task_definition_read_only_fields`` (task_definitions): registeredAt, registeredBy,
  requiresAttributes; portMappings defaults.
- ``ec2_memory_reservation_suffices`` (task_definitions): memory or memoryReservation suffices
  for every launch type.
- ``deregistered_at_set`` (task_definitions): a deregistered revision gets deregisteredAt.
- ``task_definition_defaults`` (task_definitions): cpu / memory shorthand, health check,
  hostPort, volume and enableFaultInjection defaults.
- ``refuse_duplicate_service`` (ecs_services): "Creation of service was not idempotent."
- ``create_service_keeps_fields`` (ecs_services): the fields moto drops, ECS's defaults, the
  first rollout; a CODE_DEPLOY service's PRIMARY task set.
- ``code_deploy_refuses_rolling_fields`` (ecs_services): UpdateService on a CODE_DEPLOY service
  refuses what CodeDeploy deploys.
- ``update_service_like_ecs`` (ecs_services): UpdateService as ECS does it.
- ``scalable_target_check_does_not_poll`` (autoscaling): RegisterScalableTarget advances no
  rollout.
- ``suspended_state_kept_per_flag`` (autoscaling): SuspendedState flags are kept one by one.
- ``batch_get_applications_limit`` (codedeploy): at most 100 names.
- ``create_deployment_validates_appspec`` (codedeploy): CreateDeployment validates like
  CodeDeploy; IDs d-XXXXXXXXX.
- ``deployments_progress_on_get``, ``deployments_progress_on_batch_get`` (codedeploy): each poll
  advances a deployment by one step.
- ``stop_deployment``, ``continue_deployment``, ``batch_get_deployment_groups``,
  ``list_deployment_targets``, ``get_deployment_target``, ``batch_get_deployment_targets``
  (codedeploy); ``get_deployment_config``, ``create_deployment_config`` (codedeploy_configs):
  actions moto lacks, added.
- ``list_service_deployments``, ``describe_service_deployments``,
  ``describe_service_revisions``, ``stop_service_deployment``, ``continue_service_deployment``
  (service_deployments): actions moto lacks, added; each DescribeServiceDeployments poll
  advances a service deployment by one step.
- ``rollouts_progress_on_describe`` (ecs_rollouts): each DescribeServices poll advances a
  rollout by one step.
- ``list_stopped_tasks``, ``describe_stopped_tasks`` (ecs_tasks): the tasks a failing rollout
  stopped, with stoppedReason and container exit codes, through ListTasks (desiredStatus
  STOPPED) and DescribeTasks.

Deliberately not imitated (yet): Queued / Baking statuses, alarms, test listeners, CodeDeploy deployments of other compute
platforms (stored, never progressed, as moto does), S3 revisions for ECS (refused), clientToken
idempotency, running tasks through ListTasks/DescribeTasks (stopped ones of failing rollouts are), moto's MOTO_ECS_SERVICE_RUNNING
environment variable (the rollout model replaces it).

moto is optional: it is imported inside functions only, so ``import providers.sandbox`` works
without it; using the sandbox without moto raises ``SandboxError``.
"""

# The sandbox deliberately imports and shares no code with planner/: it stands in for AWS, and a
# stand-in for AWS must not share the engine's beliefs (a mistake in them would then pass on
# both sides of every test). Its one import from the rest of ecsplan is SandboxError, from
# providers/errors.py.

from __future__ import annotations

from providers.sandbox.autoscaling import (
    SUSPENDED_STATE_FLAGS,
    _patch_scalable_target_check_does_not_poll,
    _patch_suspended_state_kept_per_flag,
)
from providers.sandbox.codedeploy import (
    BATCH_GET_DEPLOYMENTS_LIMIT,
    CODEDEPLOY_BATCH_LIMIT,
    _add_batch_get_deployment_groups,
    _add_batch_get_deployment_targets,
    _add_continue_deployment,
    _add_get_deployment_target,
    _add_list_deployment_targets,
    _add_stop_deployment,
    _patch_batch_get_applications_limit,
    _patch_create_deployment_validates_appspec,
    _patch_deployments_progress_on_batch_get,
    _patch_deployments_progress_on_get,
)
from providers.sandbox.codedeploy_configs import (
    ECS_PREDEFINED_CONFIGS,
    _add_create_deployment_config,
    _add_get_deployment_config,
)
from providers.sandbox.codedeploy_plan import (
    ACTIVE_DEPLOYMENT_STATUSES,
    AUTO_ROLLBACK_EVENTS,
    ECS_LIFECYCLE_EVENTS,
    ECS_UPDATE_ERROR,
    FAILING_HOOK_MARKER,
    HOOKABLE_EVENTS,
)
from providers.sandbox.codedeploy_progress import (
    CODEDEPLOY_STEPS,
    MANUAL_STOP_ERROR,
    READY_TIMEOUT_ERROR,
    STOP_POLLS,
)
from providers.sandbox.common import _SERVICE_ATTRIBUTES, EVENTS_KEPT
from providers.sandbox.ecs_rollouts import (
    CIRCUIT_BREAKER_FAILED_REASON,
    CIRCUIT_BREAKER_ROLLBACK_REASON,
    FAILED_TASKS_PER_POLL,
    ROLLOUT_STEPS,
    _patch_rollouts_progress_on_describe,
    circuit_breaker_threshold,
)
from providers.sandbox.ecs_services import (
    DAEMON_DEPLOYMENT_CONFIGURATION,
    DEFAULT_DEPLOYMENT_CONFIGURATION,
    DEPLOYMENT_STARTING_FIELDS,
    _patch_code_deploy_refuses_rolling_fields,
    _patch_create_service_keeps_fields,
    _patch_refuse_duplicate_service,
    _patch_update_service_like_ecs,
)
from providers.sandbox.ecs_tasks import _patch_describe_stopped_tasks, _patch_list_stopped_tasks
from providers.sandbox.recording import RecordedRequest, _patch_record_requests, recorded_requests
from providers.sandbox.registry import (
    _check_signature,
    _original_of,
    _PatchSpec,
    _Requirement,
    _verify_targets,
    install,
    installed_patches,
)
from providers.sandbox.server import Recorder, SandboxServer, in_process, start_server
from providers.sandbox.service_deployments import (
    ACTIVE_SERVICE_DEPLOYMENT_STATUSES,
    CANARY_DEFAULTS,
    FAILING_SERVICE_HOOK_MARKER,
    LINEAR_DEFAULTS,
    NATIVE_STRATEGIES,
    _add_continue_service_deployment,
    _add_describe_service_deployments,
    _add_describe_service_revisions,
    _add_list_service_deployments,
    _add_stop_service_deployment,
)
from providers.sandbox.task_definitions import (
    BROKEN_TAG_PREFIX,
    HEALTH_CHECK_DEFAULTS,
    _patch_deregistered_at_set,
    _patch_ec2_memory_reservation_suffices,
    _patch_family_resolves_to_latest_active,
    _patch_task_definition_defaults,
    _patch_task_definition_read_only_fields,
    image_is_broken,
)
from providers.sandbox.task_sets import _TASK_SET_ATTRIBUTES

# The public face. Tests also read a few private names through the package: _PATCHES (and
# swap it: the registry looks it up here at call time), _verify_targets, _original_of,
# _check_signature, _SERVICE_ATTRIBUTES, _TASK_SET_ATTRIBUTES.
__all__ = [
    "ACTIVE_DEPLOYMENT_STATUSES",
    "ACTIVE_SERVICE_DEPLOYMENT_STATUSES",
    "CANARY_DEFAULTS",
    "FAILING_SERVICE_HOOK_MARKER",
    "LINEAR_DEFAULTS",
    "NATIVE_STRATEGIES",
    "AUTO_ROLLBACK_EVENTS",
    "BATCH_GET_DEPLOYMENTS_LIMIT",
    "BROKEN_TAG_PREFIX",
    "CIRCUIT_BREAKER_FAILED_REASON",
    "CIRCUIT_BREAKER_ROLLBACK_REASON",
    "CODEDEPLOY_BATCH_LIMIT",
    "CODEDEPLOY_STEPS",
    "DAEMON_DEPLOYMENT_CONFIGURATION",
    "DEFAULT_DEPLOYMENT_CONFIGURATION",
    "DEPLOYMENT_STARTING_FIELDS",
    "ECS_LIFECYCLE_EVENTS",
    "ECS_PREDEFINED_CONFIGS",
    "ECS_UPDATE_ERROR",
    "EVENTS_KEPT",
    "FAILED_TASKS_PER_POLL",
    "FAILING_HOOK_MARKER",
    "HEALTH_CHECK_DEFAULTS",
    "HOOKABLE_EVENTS",
    "MANUAL_STOP_ERROR",
    "READY_TIMEOUT_ERROR",
    "ROLLOUT_STEPS",
    "STOP_POLLS",
    "SUSPENDED_STATE_FLAGS",
    "RecordedRequest",
    "Recorder",
    "SandboxServer",
    "circuit_breaker_threshold",
    "image_is_broken",
    "in_process",
    "install",
    "installed_patches",
    "recorded_requests",
    "start_server",
]

# --------------------------------------------------------------------------------------------
# The tables install() reads: every patch, in install order, and the moto internals they read
# --------------------------------------------------------------------------------------------

_ECS_MODELS = "moto.ecs.models"
_ECS_RESPONSES = "moto.ecs.responses"
_BACKEND = "EC2ContainerServiceBackend"
_RESPONSE = "EC2ContainerServiceResponse"
_AAS_MODELS = "moto.applicationautoscaling.models"
_AAS_BACKEND = "ApplicationAutoscalingBackend"
_CD_MODELS = "moto.codedeploy.models"
_CD_RESPONSES = "moto.codedeploy.responses"
_CD_BACKEND = "CodeDeployBackend"
_CD_RESPONSE = "CodeDeployResponse"

# Order matters only in that it is the order installed_patches() reports (and
# tests/test_sandbox.py builds its "moto target gone" case from the last entry, an ECS backend
# patch: keep rollouts_progress_on_describe last).
_PATCHES: tuple[_PatchSpec, ...] = (
    _PatchSpec(
        name="record_requests",
        module="moto.core.responses",
        owner="BaseResponse",
        attribute="call_action",
        params=("self",),
        make=_patch_record_requests,
    ),
    _PatchSpec(
        name="list_stopped_tasks",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="list_tasks",
        params=("self",),
        make=_patch_list_stopped_tasks,
    ),
    _PatchSpec(
        name="describe_stopped_tasks",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="describe_tasks",
        params=("self",),
        make=_patch_describe_stopped_tasks,
    ),
    _PatchSpec(
        name="family_resolves_to_latest_active",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="describe_task_definition",
        params=("self", "task_definition_str"),
        make=_patch_family_resolves_to_latest_active,
    ),
    _PatchSpec(
        name="task_definition_read_only_fields",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="register_task_definition",
        params=(
            "self", "family", "container_definitions", "volumes", "network_mode", "tags",
            "placement_constraints", "requires_compatibilities", "cpu", "memory",
            "task_role_arn", "execution_role_arn", "proxy_configuration",
            "inference_accelerators", "runtime_platform", "ipc_mode", "pid_mode",
            "ephemeral_storage",
        ),
        make=_patch_task_definition_read_only_fields,
    ),
    _PatchSpec(
        name="ec2_memory_reservation_suffices",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="_validate_container_defs",
        params=("memory", "container_definitions", "requires_compatibilities"),
        make=_patch_ec2_memory_reservation_suffices,
    ),
    _PatchSpec(
        name="deregistered_at_set",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="deregister_task_definition",
        params=("self", "task_definition_str"),
        make=_patch_deregistered_at_set,
    ),
    _PatchSpec(
        name="task_definition_defaults",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="register_task_definition",
        params=("self",),
        make=_patch_task_definition_defaults,
    ),
    _PatchSpec(
        name="refuse_duplicate_service",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="create_service",
        params=(
            "self", "cluster_str", "service_name", "desired_count", "task_definition_str",
            "load_balancers", "scheduling_strategy", "tags", "deployment_controller",
            "launch_type", "service_registries", "platform_version", "propagate_tags",
            "network_configuration", "role_arn",
        ),
        make=_patch_refuse_duplicate_service,
    ),
    _PatchSpec(
        name="create_service_keeps_fields",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="create_service",
        params=("self",),
        make=_patch_create_service_keeps_fields,
    ),
    _PatchSpec(
        name="code_deploy_refuses_rolling_fields",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="update_service",
        params=("self",),
        make=_patch_code_deploy_refuses_rolling_fields,
    ),
    _PatchSpec(
        name="update_service_like_ecs",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="update_service",
        params=("self", "service_properties"),
        make=_patch_update_service_like_ecs,
    ),
    _PatchSpec(
        name="scalable_target_check_does_not_poll",
        module=_AAS_MODELS,
        owner=_AAS_BACKEND,
        attribute="_ecs_service_exists_for_target",
        params=("self", "r_id"),
        make=_patch_scalable_target_check_does_not_poll,
    ),
    _PatchSpec(
        name="suspended_state_kept_per_flag",
        module=_AAS_MODELS,
        owner=_AAS_BACKEND,
        attribute="register_scalable_target",
        params=(
            "self", "namespace", "r_id", "dimension", "min_capacity", "max_capacity",
            "role_arn", "suspended_state",
        ),
        make=_patch_suspended_state_kept_per_flag,
    ),
    _PatchSpec(
        name="batch_get_applications_limit",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="batch_get_applications",
        params=("self",),
        make=_patch_batch_get_applications_limit,
    ),
    _PatchSpec(
        name="create_deployment_validates_appspec",
        module=_CD_MODELS,
        owner=_CD_BACKEND,
        attribute="create_deployment",
        params=(
            "self", "application_name", "deployment_group_name", "revision",
            "deployment_config_name", "description", "ignore_application_stop_failures",
            "target_instances", "auto_rollback_configuration", "update_outdated_instances_only",
            "file_exists_behavior", "override_alarm_configuration",
        ),
        make=_patch_create_deployment_validates_appspec,
    ),
    _PatchSpec(
        name="deployments_progress_on_get",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="get_deployment",
        params=("self",),
        make=_patch_deployments_progress_on_get,
    ),
    _PatchSpec(
        name="deployments_progress_on_batch_get",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="batch_get_deployments",
        params=("self",),
        make=_patch_deployments_progress_on_batch_get,
    ),
    _PatchSpec(
        name="stop_deployment",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="stop_deployment",
        params=("self",),
        make=_add_stop_deployment,
        adds=True,
    ),
    _PatchSpec(
        name="continue_deployment",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="continue_deployment",
        params=("self",),
        make=_add_continue_deployment,
        adds=True,
    ),
    _PatchSpec(
        name="get_deployment_config",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="get_deployment_config",
        params=("self",),
        make=_add_get_deployment_config,
        adds=True,
    ),
    _PatchSpec(
        name="create_deployment_config",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="create_deployment_config",
        params=("self",),
        make=_add_create_deployment_config,
        adds=True,
    ),
    _PatchSpec(
        name="batch_get_deployment_groups",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="batch_get_deployment_groups",
        params=("self",),
        make=_add_batch_get_deployment_groups,
        adds=True,
    ),
    _PatchSpec(
        name="list_deployment_targets",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="list_deployment_targets",
        params=("self",),
        make=_add_list_deployment_targets,
        adds=True,
    ),
    _PatchSpec(
        name="get_deployment_target",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="get_deployment_target",
        params=("self",),
        make=_add_get_deployment_target,
        adds=True,
    ),
    _PatchSpec(
        name="batch_get_deployment_targets",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="batch_get_deployment_targets",
        params=("self",),
        make=_add_batch_get_deployment_targets,
        adds=True,
    ),
    _PatchSpec(
        name="list_service_deployments",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="list_service_deployments",
        params=("self",),
        make=_add_list_service_deployments,
        adds=True,
    ),
    _PatchSpec(
        name="describe_service_deployments",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="describe_service_deployments",
        params=("self",),
        make=_add_describe_service_deployments,
        adds=True,
    ),
    _PatchSpec(
        name="describe_service_revisions",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="describe_service_revisions",
        params=("self",),
        make=_add_describe_service_revisions,
        adds=True,
    ),
    _PatchSpec(
        name="stop_service_deployment",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="stop_service_deployment",
        params=("self",),
        make=_add_stop_service_deployment,
        adds=True,
    ),
    _PatchSpec(
        name="continue_service_deployment",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="continue_service_deployment",
        params=("self",),
        make=_add_continue_service_deployment,
        adds=True,
    ),
    _PatchSpec(
        name="rollouts_progress_on_describe",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="describe_services",
        params=("self", "cluster_str", "service_names_or_arns"),
        make=_patch_rollouts_progress_on_describe,
    ),
)

# moto internals the patches read or call without replacing them.
_REQUIREMENTS: tuple[_Requirement, ...] = (
    _Requirement(target="moto.core.serialize:XFormedAttributePicker"),
    _Requirement(target="moto.core.responses:ActionResult.result"),
    _Requirement(target="moto.core.responses:EmptyResult"),
    _Requirement(target="moto.core.responses:BaseResponse._get_action", params=("self",)),
    _Requirement(target="moto.core.responses:BaseResponse._get_params", params=("self",)),
    _Requirement(target="moto.core.utils:utcnow"),
    _Requirement(target="moto.core.utils:camelcase_to_underscores"),
    _Requirement(target="moto.moto_api._internal:mock_random"),
    _Requirement(target="moto.ecs.exceptions:ECSException"),
    _Requirement(target="moto.ecs.exceptions:InvalidParameterException"),
    _Requirement(target="moto.ecs.exceptions:TaskDefinitionNotFoundException"),
    _Requirement(target="moto.ecs.exceptions:TaskDefinitionMemoryError"),
    _Requirement(target="moto.ecs.exceptions:TaskDefinitionMissingPropertyError"),
    _Requirement(target="moto.core.responses:BaseResponse._get_param"),
    _Requirement(
        target="moto.ecs.models:EC2ContainerServiceBackend._get_service",
        params=("self", "cluster_str", "service_str"),
    ),
    _Requirement(
        target="moto.ecs.models:EC2ContainerServiceBackend._get_cluster",
        params=("self", "name"),
    ),
    _Requirement(
        target="moto.ecs.models:EC2ContainerServiceBackend.update_cluster_resources",
        params=("self", "cluster", "task_num", "task_state"),
    ),
    _Requirement(
        target="moto.ecs.models:Service._validate_network", params=("self", "nc")
    ),
    _Requirement(
        target="moto.ecs.models:Service.__init__",
        params=(
            "self", "cluster", "service_name", "desired_count", "backend", "task_definition",
            "load_balancers", "scheduling_strategy", "tags", "deployment_controller",
            "launch_type", "service_registries", "platform_version", "network_configuration",
            "propagate_tags", "role_arn",
        ),
    ),
    _Requirement(target="moto.ecs.responses:EC2ContainerServiceResponse.ecs_backend"),
    _Requirement(target="moto.ecs.models:ecs_backends"),
    _Requirement(
        target="moto.ecs.models:TaskSet.__init__",
        params=(
            "self", "service", "cluster", "task_definition", "account_id", "region_name",
            "external_id", "network_configuration", "load_balancers", "service_registries",
            "launch_type", "capacity_provider_strategy", "platform_version", "scale",
            "client_token", "tags",
        ),
    ),
    _Requirement(target="moto.elbv2.models:elbv2_backends"),
    _Requirement(target="moto.applicationautoscaling.exceptions:AWSValidationException"),
    _Requirement(target="moto.codedeploy.exceptions:CodeDeployException"),
    _Requirement(
        target="moto.codedeploy.models:DeploymentInfo.__init__",
        params=(
            "self", "application", "deployment_group", "revision", "deployment_config_name",
            "description", "ignore_application_stop_failures", "targetInstances",
            "auto_rollback_configuration", "update_outdated_instances_only",
            "file_exists_behavior", "override_alarm_configuration", "creator",
        ),
    ),
    _Requirement(
        target="moto.codedeploy.models:CodeDeployBackend.get_deployment",
        params=("self", "deployment_id"),
    ),
    _Requirement(
        target="moto.codedeploy.models:CodeDeployBackend.get_application",
        params=("self", "application_name"),
    ),
    _Requirement(
        target="moto.codedeploy.models:CodeDeployBackend._arn", params=("self", "resource")
    ),
    _Requirement(
        target="moto.codedeploy.responses:_deployment_group_info", params=("deployment_group",)
    ),
    _Requirement(target="moto.codedeploy.responses:CodeDeployResponse.codedeploy_backend"),
    _Requirement(target="moto.utilities.tagging_service:TaggingService.copy_tags"),
    _Requirement(target="moto.utilities.tagging_service:TaggingService.has_tags"),
    _Requirement(
        target="moto.utilities.tagging_service:TaggingService.delete_all_tags_for_resource"
    ),
    _Requirement(
        target="moto.moto_server.threaded_moto_server:ThreadedMotoServer.get_host_and_port",
        params=("self",),
    ),
    # fixed_ids (seeding with the ids a project names; not patches):
    _Requirement(target="moto.ec2.models:ec2_backends"),
    _Requirement(target="moto.ec2.models.subnets:random_subnet_id", params=()),
    _Requirement(target="moto.ec2.models.security_groups:random_security_group_id", params=()),
    _Requirement(
        target="moto.elbv2.models:ELBv2Backend.create_target_group", params=("self", "name", "kwargs")
    ),
)
