"""Read an ecspresso-compatible config file and the definition files it points to.

The config file and both definition files are rendered as templates (``planner.template``) before
they are parsed, as ecspresso does. Every error names the file and the line or key path, and says
what to do; nothing here talks to AWS.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from planner import jsonnet, strict, template
from planner.errors import ConfigError, LookupFailed
from planner.schema import SCHEMA, UPDATE_SERVICE_INPUT
from planner.template import Function

__all__ = [
    "CONFIG_NAMES",
    "CodeDeployConfig",
    "LookupFactory",
    "Plugin",
    "ServiceConfig",
    "find_configs",
    "load_config",
    "parse_duration",
]

# Looked for in this order: an ecsplan config wins over an ecspresso one in the same folder.
CONFIG_NAMES = (
    "ecsplan.yml",
    "ecsplan.yaml",
    "ecsplan.json",
    "ecspresso.yml",
    "ecspresso.yaml",
    "ecspresso.json",
    "ecspresso.jsonnet",
)
# Folders never searched for configs: tool caches and dependencies, not projects.
_SKIPPED_DIRS = frozenset({".venv", "node_modules"})

# Top-level keys ecsplan reads; every other key (ecspresso has many) is kept in ignored_keys.
_KNOWN_KEYS = (
    "region",
    "cluster",
    "service",
    "service_definition",
    "task_definition",
    "timeout",
    "codedeploy",
    "appspec",
    "sensitive",
    "plugins",
    "ignore",
)
# ecspresso config keys ecsplan accepts and does not use (reported in a note); any other key is an
# error, so a misspelt `clustr:` does not silently target the cluster `default`.
_ECSPRESSO_UNUSED_KEYS = ("required_version", "filter_command")
# deployment_config_name is accepted as ecspresso has it; the group's deployment config is used.
_CODEDEPLOY_KEYS = ("application_name", "deployment_group_name", "deployment_config_name")
# ecspresso's plugins; ssm and secretsmanager are always on (ecspresso's defaultPluginNames).
PLUGIN_NAMES = ("tfstate", "cloudformation", "ssm", "secretsmanager")
DEFAULT_PLUGINS = ("ssm", "secretsmanager")
# The lifecycle events an ECS AppSpec accepts (AWS AppSpec reference, "hooks for ECS").
_HOOK_EVENTS = (
    "BeforeInstall",
    "AfterInstall",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AfterAllowTraffic",
)


@attrs.frozen(kw_only=True)
class Plugin:
    """One entry of `plugins:` (name, its config mapping, func_prefix)."""

    name: str  # lower case, one of PLUGIN_NAMES
    config: dict[str, Any] = attrs.field(factory=dict)
    func_prefix: str = ""


# What providers/ hands the config reader: the functions one plugin adds, unprefixed, for the
# config's region (None: the environment's) and folder (tfstate paths are relative to it).
# Lookups are lazy: nothing is read until a template calls the function.
LookupFactory = Callable[[Plugin, "str | None", str], Mapping[str, Function]]


@attrs.frozen(kw_only=True)
class CodeDeployConfig:
    """The CodeDeploy application / deployment group named in the config (None: discover it)."""

    application_name: str | None
    deployment_group_name: str | None


@attrs.frozen(kw_only=True)
class ServiceConfig:
    """One config file, read and checked, with its definitions rendered and parsed."""

    path: str
    region: str | None
    cluster: str
    service: str | None
    service_definition_path: str | None
    task_definition_path: str
    service_definition: dict[str, Any] | None
    task_definition: dict[str, Any]
    timeout_seconds: float | None
    codedeploy: CodeDeployConfig | None
    appspec: dict[str, Any] | None
    sensitive: tuple[str, ...] = ()
    ignored_keys: tuple[str, ...] = ()
    plugins: tuple[Plugin, ...] = ()
    # ignore.tags: keys of service and task definition tags another tool owns (kayac/ecspresso#726).
    ignore_tags: tuple[str, ...] = ()
    # Values of SecureString lookups in the definitions: masked in every output.
    secret_values: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class _Reading:
    """What every file of one config is read with."""

    environ: Mapping[str, str] | None
    functions: Mapping[str, Function]
    ext_str: Mapping[str, str]
    ext_code: Mapping[str, str]
    secrets: list[str]


# --- the config file ------------------------------------------------------------------------


def load_config(
    path: str | os.PathLike[str],
    *,
    environ: Mapping[str, str] | None = None,
    lookups: LookupFactory | None = None,
    ext_str: Mapping[str, str] | None = None,
    ext_code: Mapping[str, str] | None = None,
) -> ServiceConfig:
    """Read the config at ``path`` and the definitions it names; raise ConfigError on bad input.

    The config itself is rendered with env / must_env / json_escape only (as ecspresso v2: plugins
    are set up from it); the definitions also with the plugins' lookup functions."""
    config_path = os.fspath(path)
    if not os.path.exists(config_path):
        raise ConfigError("config file not found; pass the right path with -c", file=config_path)
    reading = _Reading(environ=environ, functions={}, ext_str=dict(ext_str or {}), ext_code=dict(ext_code or {}), secrets=[])
    try:
        return _load_config(config_path, environ, lookups, reading)
    except ConfigError as err:
        # A message may quote file content or a value: never a secret in it (the looked-up
        # values, and what the masking rules of the plans hide).
        from planner.render.mask import mask_text  # noqa: PLC0415 - deepdiff stays out of cli's imports

        err.args = (mask_text(str(err), secrets=reading.secrets),)
        raise


def _load_config(
    config_path: str, environ: Mapping[str, str] | None, lookups: LookupFactory | None, reading: _Reading
) -> ServiceConfig:
    data = _load_document(config_path, default_format="yaml", reading=reading)
    if not isinstance(data, dict):
        raise ConfigError(
            f"the top level must be a mapping of keys (region:, cluster:, service:, ...), got {strict.kind(data)}",
            file=config_path,
        )

    ignored = []
    for key in data:
        if key in _KNOWN_KEYS:
            continue
        if key not in _ECSPRESSO_UNUSED_KEYS:
            raise ConfigError(
                f"unknown key{strict.nearest(str(key), _KNOWN_KEYS + _ECSPRESSO_UNUSED_KEYS)}",
                file=config_path,
                where=str(key),
            )
        ignored.append(str(key))
    region = _optional_str(data, "region", config_path)
    cluster = _optional_str(data, "cluster", config_path) or "default"  # ecspresso's default
    service = _optional_str(data, "service", config_path)
    service_def_ref = _optional_str(data, "service_definition", config_path)
    task_def_ref = _optional_str(data, "task_definition", config_path)
    if task_def_ref is None:
        raise ConfigError(
            "task_definition is required: the path of the task definition file (JSON or YAML), "
            "relative to this file",
            file=config_path,
            where="task_definition",
        )
    if service_def_ref is not None and service is None:
        raise ConfigError(
            "service is required when service_definition is given: add `service: <name>`",
            file=config_path,
            where="service",
        )

    timeout_seconds: float | None = None
    if data.get("timeout") is not None:
        timeout_seconds = parse_duration(data["timeout"], file=config_path, where="timeout")
        if timeout_seconds <= 0:
            raise ConfigError("must be longer than zero, like 10m", file=config_path, where="timeout")

    codedeploy = _codedeploy(data.get("codedeploy"), config_path)
    appspec, ignored_in_appspec = _appspec(data.get("appspec"), config_path)
    ignored.extend(ignored_in_appspec)
    sensitive = _sensitive(data.get("sensitive"), config_path)
    ignore_tags = _ignore(data.get("ignore"), config_path)
    plugins = _plugins(data.get("plugins"), config_path)

    folder = os.path.dirname(config_path)
    env = os.environ if environ is None else environ
    functions = _functions(plugins, lookups, region or env.get("AWS_REGION") or None, folder, config_path)
    reading = attrs.evolve(reading, functions=functions)
    task_def_path = os.path.normpath(os.path.join(folder, task_def_ref))
    task_definition = _task_definition(
        _load_definition(task_def_path, task_def_ref, "task_definition", config_path, reading), task_def_path
    )
    service_def_path: str | None = None
    service_definition: dict[str, Any] | None = None
    if service_def_ref is not None:
        service_def_path = os.path.normpath(os.path.join(folder, service_def_ref))
        service_definition = _service_definition(
            _load_definition(service_def_path, service_def_ref, "service_definition", config_path, reading),
            service_def_path,
        )
        _same_target(service_definition, service_def_path, cluster=cluster, service=service, config_path=config_path)

    return ServiceConfig(
        path=config_path,
        region=region,
        cluster=cluster,
        service=service,
        service_definition_path=service_def_path,
        task_definition_path=task_def_path,
        service_definition=service_definition,
        task_definition=task_definition,
        timeout_seconds=timeout_seconds,
        codedeploy=codedeploy,
        appspec=appspec,
        sensitive=sensitive,
        ignored_keys=tuple(ignored),
        plugins=plugins,
        ignore_tags=ignore_tags,
        secret_values=tuple(dict.fromkeys(reading.secrets)),
    )


def _plugins(value: Any, file: str) -> tuple[Plugin, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"must be a list of plugins (- name: tfstate ...), got {strict.kind(value)}", file=file, where="plugins")
    plugins = []
    for index, entry in enumerate(value):
        where = f"plugins[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"must be a mapping with name:, got {strict.kind(entry)}", file=file, where=where)
        name = entry.get("name")
        if not isinstance(name, str) or name.lower() not in PLUGIN_NAMES:
            raise ConfigError(
                f"plugin {name!r} is not available; ecsplan has {', '.join(PLUGIN_NAMES)} "
                "(ecspresso's external plugin is not supported)",
                file=file,
                where=f"{where}.name",
            )
        config = entry.get("config") or {}
        if not isinstance(config, dict):
            raise ConfigError(f"must be a mapping, got {strict.kind(config)}", file=file, where=f"{where}.config")
        prefix = entry.get("func_prefix") or ""
        if not isinstance(prefix, str):
            raise ConfigError(f"must be a string, got {strict.kind(prefix)}", file=file, where=f"{where}.func_prefix")
        unknown = [str(k) for k in entry if k not in ("name", "config", "func_prefix")]
        if unknown:
            raise ConfigError(f"unknown key(s) {', '.join(unknown)}; a plugin takes name, config, func_prefix", file=file, where=where)
        plugins.append(Plugin(name=name.lower(), config=dict(config), func_prefix=prefix))
    return tuple(plugins)


def _functions(
    plugins: Sequence[Plugin], lookups: LookupFactory | None, region: str | None, folder: str, file: str
) -> dict[str, Function]:
    """The lookup functions the definitions may call, prefixed, as ecspresso's AppendFuncMap does:
    a name taken twice is an error unless the second comes from a default plugin."""
    if lookups is None:
        return {}
    functions: dict[str, Function] = {}
    declared = list(plugins)
    for index, plugin in enumerate([Plugin(name=n) for n in DEFAULT_PLUGINS] + declared):
        is_default = index < len(DEFAULT_PLUGINS)
        try:
            made = lookups(plugin, region, folder)
        except LookupFailed as err:  # a plugin's config it cannot use (tfstate without a path)
            raise ConfigError(str(err), file=file, where=f"plugins[{index - len(DEFAULT_PLUGINS)}]" if not is_default else "plugins") from None
        for name, fn in made.items():
            full = plugin.func_prefix + name
            if full in functions:
                if plugin.name in DEFAULT_PLUGINS:
                    continue
                raise ConfigError(
                    f"template function {full} already exists; set func_prefix on the {plugin.name} plugin",
                    file=file,
                    where=f"plugins[{index - len(DEFAULT_PLUGINS)}]" if not is_default else "plugins",
                )
            functions[full] = fn
    return functions


def _optional_str(data: Mapping[Any, Any], key: str, file: str, parent: str = "") -> str | None:
    """A string value; absent, null and "" are None (an empty `{{ env "X" }}` means "not set")."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(
            f"must be a string, got {strict.kind(value)} {value!r}; quote it if it is meant as text",
            file=file,
            where=f"{parent}{key}",
        )
    return value or None


def _codedeploy(value: Any, file: str) -> CodeDeployConfig | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError(
            f"must be a mapping with application_name and deployment_group_name, got {strict.kind(value)}",
            file=file,
            where="codedeploy",
        )
    for key in value:
        if key not in _CODEDEPLOY_KEYS:
            raise ConfigError(
                f"unknown key; codedeploy takes {' and '.join(_CODEDEPLOY_KEYS)}",
                file=file,
                where=f"codedeploy.{key}",
            )
    names = {key: _optional_str(value, key, file, "codedeploy.") for key in _CODEDEPLOY_KEYS}
    if not any(names.values()):
        return None  # nothing named: discover the application and group, as when absent
    return CodeDeployConfig(
        application_name=names["application_name"],
        deployment_group_name=names["deployment_group_name"],
    )


def _appspec(value: Any, file: str) -> tuple[dict[str, Any] | None, list[str]]:
    """(appspec with only Hooks, ignored key paths). Like ecspresso, only Hooks is taken from the
    config; Resources are always built from the service and the new task definition."""
    if value is None:
        return None, []
    if not isinstance(value, dict):
        raise ConfigError(f"must be a mapping (with Hooks:), got {strict.kind(value)}", file=file, where="appspec")
    ignored = []
    for key in value:
        if key == "Hooks":
            continue
        if str(key).lower() == "hooks":
            # A silently dropped hook would deploy without the check the user asked for.
            raise ConfigError("the key is spelled Hooks (capital H)", file=file, where=f"appspec.{key}")
        ignored.append(f"appspec.{key}")
    hooks = value.get("Hooks")
    if hooks is None:
        return None, ignored
    if not isinstance(hooks, list):
        raise ConfigError(
            f"must be a list like [{{BeforeInstall: FunctionName}}], got {strict.kind(hooks)}",
            file=file,
            where="appspec.Hooks",
        )
    for index, hook in enumerate(hooks):
        where = f"appspec.Hooks[{index}]"
        if not isinstance(hook, dict) or not hook:
            raise ConfigError(
                f"must be a mapping of a lifecycle event to a Lambda function name, got {strict.kind(hook)}",
                file=file,
                where=where,
            )
        for event, function in hook.items():
            if event not in _HOOK_EVENTS:
                raise ConfigError(
                    f"unknown lifecycle event {event!r}; ECS deployments accept {', '.join(_HOOK_EVENTS)}",
                    file=file,
                    where=where,
                )
            if not isinstance(function, str) or not function:
                raise ConfigError(
                    f"must be a Lambda function name (a string), got {strict.kind(function)}",
                    file=file,
                    where=f"{where}.{event}",
                )
    return {"Hooks": hooks}, ignored


def _ignore(value: Any, file: str) -> tuple[str, ...]:
    """ignore: {tags: [key, ...]}: tag keys, compared exactly (case-sensitive), as ecspresso."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(f"must be a mapping like {{tags: [key, ...]}}, got {strict.kind(value)}", file=file, where="ignore")
    for key in value:
        if key != "tags":
            raise ConfigError("unknown key; ignore takes tags", file=file, where=f"ignore.{key}")
    tags = value.get("tags")
    if tags is None:
        return ()
    if not isinstance(tags, list):
        raise ConfigError(f"must be a list of tag keys, got {strict.kind(tags)}", file=file, where="ignore.tags")
    for index, key in enumerate(tags):
        if not isinstance(key, str) or not key:
            raise ConfigError(f"must be a tag key (a non-empty string), got {strict.kind(key)} {key!r}", file=file, where=f"ignore.tags[{index}]")
    return tuple(tags)


def _sensitive(value: Any, file: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(
            f"must be a list of name patterns (e.g. [\"*_TOKEN\"]), got {strict.kind(value)}",
            file=file,
            where="sensitive",
        )
    for index, pattern in enumerate(value):
        if not isinstance(pattern, str) or not pattern:
            raise ConfigError(
                f"must be a non-empty string, got {strict.kind(pattern)} {pattern!r}",
                file=file,
                where=f"sensitive[{index}]",
            )
    return tuple(value)


# --- definition files -----------------------------------------------------------------------


def _load_definition(path: str, ref: str, key: str, config_path: str, reading: _Reading) -> Any:
    if not os.path.exists(path):
        raise ConfigError(
            f"points to {ref}, which does not exist (looked for {path}; paths are relative to the "
            "config file's folder)",
            file=config_path,
            where=key,
        )
    if os.path.isdir(path):
        raise ConfigError(f"points to {ref}, which is a folder, not a file", file=config_path, where=key)
    # Definitions without .yml/.yaml are JSON: that is what ecspresso and `aws ecs describe-*` write.
    return _load_document(path, default_format="json", reading=reading)


def _task_definition(doc: Any, file: str) -> dict[str, Any]:
    prefix = ""
    if isinstance(doc, dict) and "taskDefinition" in doc:
        # The shape `aws ecs describe-task-definition --include TAGS` prints.
        inner = doc["taskDefinition"]
        if not isinstance(inner, dict):
            raise ConfigError(
                f"must be a mapping (the task definition), got {strict.kind(inner)}", file=file, where="taskDefinition"
            )
        extra = [str(key) for key in doc if key not in ("taskDefinition", "tags")]
        if extra:
            raise ConfigError(
                f"a wrapped task definition may only have tags beside taskDefinition; found {', '.join(extra)}",
                file=file,
            )
        if "tags" in doc:
            if "tags" in inner:
                raise ConfigError(
                    "tags are given both beside and inside taskDefinition; keep one", file=file, where="tags"
                )
            inner = {**inner, "tags": doc["tags"]}
        doc = inner
        prefix = "taskDefinition."
    if not isinstance(doc, dict):
        raise ConfigError(
            f"a task definition must be a mapping (a JSON object) at the top level, got {strict.kind(doc)}", file=file
        )
    family = doc.get("family")
    if not isinstance(family, str) or not family:
        raise ConfigError(
            "is required: the task definition family (a non-empty string)"
            if family is None
            else f"must be a non-empty string, got {strict.kind(family)} {family!r}",
            file=file,
            where=f"{prefix}family",
        )
    containers = doc.get("containerDefinitions")
    where = f"{prefix}containerDefinitions"
    if containers is None:
        raise ConfigError("is required: a list of container definitions", file=file, where=where)
    if not isinstance(containers, list) or not containers:
        raise ConfigError(
            f"must be a non-empty list of container definitions, got {strict.kind(containers)}", file=file, where=where
        )
    seen: set[str] = set()
    for index, container in enumerate(containers):
        if not isinstance(container, dict):
            raise ConfigError(f"must be a mapping, got {strict.kind(container)}", file=file, where=f"{where}[{index}]")
        name = container.get("name")
        # Changes are reported by container name (containerDefinitions[app].image), so names must
        # exist and be unique, as ECS itself requires.
        if not isinstance(name, str) or not name:
            raise ConfigError(
                "every container needs a name (a non-empty string)", file=file, where=f"{where}[{index}].name"
            )
        if name in seen:
            raise ConfigError(f"container name {name!r} is used twice", file=file, where=f"{where}[{index}].name")
        seen.add(name)
    strict.check_shapes(doc, SCHEMA["task"], "", file, prefix)
    return doc


def _service_definition(doc: Any, file: str) -> dict[str, Any]:
    if isinstance(doc, dict) and list(doc) == ["service"] and isinstance(doc["service"], dict):
        doc = doc["service"]
    if not isinstance(doc, dict):
        raise ConfigError(
            f"a service definition must be a mapping (a JSON object) at the top level, got {strict.kind(doc)}",
            file=file,
        )
    for key in doc:
        if key not in _SERVICE_KEYS:
            raise ConfigError(
                f"unknown key: not a CreateService/UpdateService field{strict.nearest(str(key), _SERVICE_KEYS)}",
                file=file,
                where=str(key),
            )
    strict.check_shapes(doc, SCHEMA["service"], "", file)
    return doc


# The top-level fields a service definition may hold: botocore's CreateService and UpdateService
# input members (ECS API reference, CreateService / UpdateService "Request Parameters").
_SERVICE_KEYS = frozenset(SCHEMA["service"][""] | UPDATE_SERVICE_INPUT)


def _same_target(doc: Mapping[str, Any], file: str, *, cluster: str, service: str | None, config_path: str) -> None:
    """cluster / serviceName inside the service definition must name what the config names: the
    config decides where ecsplan deploys, and a second name would only mislead a reader."""
    for key, want in (("cluster", cluster), ("serviceName", service), ("service", service)):
        got = doc.get(key)
        if got is None or want is None:
            continue
        if not isinstance(got, str) or (got != want and got.rsplit("/", 1)[-1] != want):
            raise ConfigError(
                f"names {got!r}, but {config_path} deploys {key.replace('Name', '')} {want!r}; "
                "remove it from the service definition or make them the same",
                file=file,
                where=key,
            )


# --- reading, rendering, parsing --------------------------------------------------------------


def _load_document(path: str, *, default_format: str, reading: _Reading) -> Any:
    extension = os.path.splitext(path)[1].lower()
    environ = reading.environ
    if extension == ".jsonnet":
        # As ecspresso: evaluate the Jsonnet, then render the JSON as a template, then parse it.
        env = os.environ if environ is None else environ
        raw = jsonnet.evaluate(
            path, environ=env, ext_str=reading.ext_str, ext_code=reading.ext_code, functions=reading.functions, secrets=reading.secrets
        )
        rendered = template.render_tracked(raw, source=path, environ=environ, functions=reading.functions)
        reading.secrets.extend(rendered.secrets)
        return strict.parse_json(rendered.text, path)
    if extension == ".json":
        fmt = "json"
    elif extension in (".yml", ".yaml"):
        fmt = "yaml"
    else:
        fmt = default_format
    with contextlib.suppress(OSError):
        strict.check_size(os.path.getsize(path), path)  # before reading a huge file into memory
    try:
        # utf-8-sig: editors on Windows add a BOM, which json.loads would reject.
        with open(path, encoding="utf-8-sig") as handle:
            # One character over the limit at most: a device or a pipe (/dev/zero) reports size 0.
            raw = handle.read(strict.MAX_FILE_BYTES + 1)
    except UnicodeDecodeError as err:
        raise ConfigError(f"is not UTF-8 text (byte {err.start})", file=path) from err
    except OSError as err:
        raise ConfigError(f"cannot be read: {err.strerror}", file=path) from err
    strict.check_size(len(raw.encode("utf-8", "surrogatepass")), path)
    # Parse errors give positions in the rendered text; they match the file unless a variable's
    # value spans lines, which ids and image tags do not.
    try:
        rendered = template.render_tracked(raw, source=path, environ=environ, functions=reading.functions)
    except RecursionError as err:
        raise ConfigError(
            f"a template expression is nested too deeply (over {strict.MAX_DEPTH} levels); ecsplan does not render it",
            file=path,
        ) from err
    reading.secrets.extend(rendered.secrets)
    text = rendered.text
    if fmt == "json":
        return strict.parse_json(text, path)
    return strict.parse_yaml(text, path)


# --- durations ------------------------------------------------------------------------------

# Go's time.ParseDuration units.
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_PLAIN_SECONDS = re.compile(r"\d+(?:\.\d+)?")


def parse_duration(text: str | int | float, *, file: str | None = None, where: str | None = None) -> float:
    """Seconds in a Go-style duration ("10m", "1h30m", "90s") or a plain number of seconds."""

    def bad(why: str) -> ConfigError:
        return ConfigError(
            f"{text!r} is not a duration ({why}); use seconds (300) or units like 90s, 10m, 1h30m",
            file=file,
            where=where,
        )

    # bool is an int in Python; `timeout: yes` is a mistake, not one second.
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise bad(f"got {strict.kind(text)}")
    if isinstance(text, (int, float)):
        if not math.isfinite(text) or text < 0:
            raise bad("it must be zero or more")
        return float(text)
    value = text.strip()
    if not value:
        raise bad("it is empty")
    if _PLAIN_SECONDS.fullmatch(value):
        return float(value)
    total = 0.0
    pos = 0
    while pos < len(value):
        match = _DURATION_PART.match(value, pos)
        if match is None:
            raise bad(f"cannot read {value[pos:]!r}")
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    return total


# --- finding config files -------------------------------------------------------------------


def find_configs(args: Sequence[str], *, cwd: str | os.PathLike[str] = ".") -> list[str]:
    """The config files the -c arguments name (files, or folders searched recursively)."""
    base = os.fspath(cwd)
    if not args:
        for name in CONFIG_NAMES:
            candidate = os.path.normpath(os.path.join(base, name))
            if os.path.isfile(candidate):
                return [candidate]
        raise ConfigError(
            f"no config file found in {os.path.abspath(base)} (looked for {', '.join(CONFIG_NAMES)}); "
            "pass one with -c FILE or -c FOLDER"
        )
    found: list[str] = []
    seen: set[str] = set()
    for arg in args:
        path = os.path.normpath(os.path.join(base, arg))
        if os.path.isfile(path):
            paths = [path]
        elif os.path.isdir(path):
            paths = _configs_below(path)
            if not paths:
                raise ConfigError(
                    f"no config files below this folder (looked for {', '.join(CONFIG_NAMES)})", where=f"-c {arg}"
                )
        else:
            raise ConfigError("no such file or folder", where=f"-c {arg}")
        for item in paths:
            key = os.path.realpath(item)
            if key not in seen:
                seen.add(key)
                found.append(item)
    return found


def _configs_below(folder: str) -> list[str]:
    found: list[tuple[tuple[str, ...], str]] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS]
        for name in files:
            if name in CONFIG_NAMES:
                path = os.path.join(root, name)
                found.append((tuple(os.path.relpath(path, folder).split(os.sep)), path))
    # Sorted by path components so a folder's own config sorts among its subfolders by name,
    # independent of the file system's listing order.
    return [path for _, path in sorted(found)]
