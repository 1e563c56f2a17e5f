"""Config files -> DesiredService values, and the documents `ecsplan render` prints. Pure."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from planner import appspec, config
from planner.build import register_payload
from planner.errors import ConfigError, UsageError
from planner.model import DesiredService, ServiceRef, cluster_name
from planner.normalize import without_ignored_tags
from planner.render.mask import mask_document, patterns_for

#: What `ecsplan render` prints.
RENDER_DOCUMENTS = ("config", "taskdef", "servicedef", "appspec")


def desired_from_config(cfg: config.ServiceConfig) -> DesiredService:
    # ignore.tags: the files' tags of those keys are never sent (the live ones are dropped in build).
    plugins = tuple({"name": p.name, "config": dict(p.config), "func_prefix": p.func_prefix} for p in cfg.plugins)
    task_definition = without_ignored_tags(cfg.task_definition, cfg.ignore_tags)
    service_definition = without_ignored_tags(cfg.service_definition, cfg.ignore_tags) if cfg.service_definition is not None else None
    if not cfg.service and service_definition is None:
        # As ecspresso: a config with only a task definition registers revisions of its family.
        return DesiredService(
            ref=ServiceRef.task_definition_only(cluster_name(cfg.cluster), str(cfg.task_definition.get("family", ""))),
            source=cfg.path,
            task_definition_path=cfg.task_definition_path,
            region=cfg.region,
            task_definition=task_definition,
            service_definition={},
            timeout_seconds=cfg.timeout_seconds,
            sensitive=cfg.sensitive,
            secret_values=cfg.secret_values,
            ignore_tags=cfg.ignore_tags,
            ignored_keys=cfg.ignored_keys,
            plugins=plugins,
        )
    if not cfg.service:
        raise ConfigError("no `service:` given; ecsplan plans services", file=cfg.path, where="service")
    if service_definition is None:
        raise ConfigError("no `service_definition:` given; ecsplan plans services", file=cfg.path, where="service_definition")
    cd = cfg.codedeploy
    return DesiredService(
        ref=ServiceRef(cluster=cluster_name(cfg.cluster), service=cfg.service),
        source=cfg.path,
        task_definition_path=cfg.task_definition_path,
        service_definition_path=cfg.service_definition_path or "",
        region=cfg.region,
        task_definition=task_definition,
        service_definition=service_definition,
        timeout_seconds=cfg.timeout_seconds,
        codedeploy_application=cd.application_name if cd else None,
        codedeploy_group=cd.deployment_group_name if cd else None,
        appspec=cfg.appspec,
        sensitive=cfg.sensitive,
        secret_values=cfg.secret_values,
        ignore_tags=cfg.ignore_tags,
        ignored_keys=cfg.ignored_keys,
        plugins=plugins,
    )


def load_desired(
    config_args: Sequence[str],
    *,
    cwd: str = ".",
    environ: Mapping[str, str] | None = None,
    lookups: config.LookupFactory | None = None,
    ext_str: Mapping[str, str] | None = None,
    ext_code: Mapping[str, str] | None = None,
) -> list[DesiredService]:
    paths = config.find_configs(list(config_args), cwd=cwd)
    desired = [
        desired_from_config(config.load_config(p, environ=environ, lookups=lookups, ext_str=ext_str, ext_code=ext_code)) for p in paths
    ]
    seen: dict[ServiceRef, str] = {}
    for d in desired:
        if d.ref in seen:
            raise ConfigError(f"service {d.ref} is also defined by {seen[d.ref]}; each service may be planned once", file=d.source)
        seen[d.ref] = d.source
    return desired


def region_for(desired: Sequence[DesiredService], cli_region: str | None) -> str | None:
    if cli_region:
        return cli_region
    regions = sorted({d.region for d in desired if d.region})
    if len(regions) > 1:
        raise UsageError(f"the configs name several regions ({', '.join(regions)}); plan them separately or pass --region")
    return regions[0] if regions else None


def ignored_keys_note(desired: Sequence[DesiredService]) -> str | None:
    """The one line `plan` prints on stderr when a config has keys ecsplan accepts and does not
    use (filter_command, required_version, appspec.Resources, ...); None when there are none."""
    keys = list(dict.fromkeys(k for d in desired for k in d.ignored_keys))
    return f"ecsplan ignores these ecspresso keys: {', '.join(keys)}" if keys else None


def require_services(desired: Sequence[DesiredService], command: str) -> None:
    """Refuse a command that acts on a service for a task-definition-only config."""
    for d in desired:
        if d.task_definition_only:
            raise ConfigError(
                f"has a task definition and no service; `ecsplan {command}` needs a service "
                "(add service: and service_definition:, or use `ecsplan plan` / `apply` to register the task definition)",
                file=d.source,
            )


def _duration_text(seconds: float) -> str:
    """90 -> "1m30s", 900 -> "15m", 5400 -> "1h30m": what the config's timeout reads back as."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    fraction = seconds - whole
    if secs or fraction or not text:
        text += f"{secs + fraction:g}s"
    return text


def config_document(desired: DesiredService, *, region: str | None = None) -> dict[str, Any]:
    """What `ecsplan render config` prints: the config as ecsplan understood it, after templates and
    defaults, under ecspresso's key names (so it reads back as a config) plus what ecsplan derived.
    `region`: --region, which wins over the config's."""
    codedeploy = None
    if desired.codedeploy_application or desired.codedeploy_group:
        codedeploy = {"application_name": desired.codedeploy_application, "deployment_group_name": desired.codedeploy_group}
    return {
        "config": desired.source,
        "region": region or desired.region,
        "cluster": desired.ref.cluster,
        "service": None if desired.task_definition_only else desired.ref.service,
        "service_definition": desired.service_definition_path or None,
        "task_definition": desired.task_definition_path or None,
        "timeout": _duration_text(desired.timeout_seconds) if desired.timeout_seconds is not None else None,
        "plugins": [dict(p) for p in desired.plugins],
        "codedeploy": codedeploy,
        "appspec": desired.appspec,
        "ignore": {"tags": list(desired.ignore_tags)} if desired.ignore_tags else None,
        "sensitive": list(desired.sensitive),
        "ignored_keys": list(desired.ignored_keys),
    }


def render_document(
    desired: DesiredService, what: str, *, task_definition_arn: str | None = None, region: str | None = None, unmask: bool = False
) -> dict[str, Any]:
    """What `ecsplan render config|taskdef|servicedef|appspec` prints: secret values masked as in
    plans (planner/render/mask.py: environment entries by name, looked-up secrets by value), unless
    `unmask`. `region` (--region) is the config document's."""
    doc = _document(desired, what, task_definition_arn=task_definition_arn, region=region)
    return doc if unmask else dict(mask_document(doc, patterns_for(desired.sensitive, desired.secret_values)))


def _document(desired: DesiredService, what: str, *, task_definition_arn: str | None, region: str | None) -> dict[str, Any]:
    if what == "config":
        return config_document(desired, region=region)
    if what == "taskdef":
        return register_payload(desired.task_definition)
    if what in ("servicedef", "appspec"):
        require_services([desired], f"render {what}")
    if what == "servicedef":
        # As ecspresso's render: the service name from the config comes first.
        return {"serviceName": desired.ref.service, **desired.service_definition}
    if what == "appspec":
        td = task_definition_arn or f"<the ARN of the {desired.family} revision to deploy>"
        return appspec.build_appspec(desired.service_definition, td, desired.hooks, source=desired.definition_file)
    raise UsageError(f"ecsplan render {what}: unknown document; choose {', '.join(RENDER_DOCUMENTS)}")
