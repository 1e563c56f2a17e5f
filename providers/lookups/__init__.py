"""The lookups ecspresso's plugins add to templates and Jsonnet, over AWS: tfstate / tfstatef (state
from a local path, s3://, file:// or http(s)://), ssm / ssm_list (SSM Parameter Store; SecureString
values come back as planner.template.Secret so every output masks them), secretsmanager_arn,
cfn_output / cfn_export.

`Lookups` is the planner's LookupFactory (planner/config.py): called once per plugin of each
config, it returns plain callables. Nothing is read until a template calls one; each value is
read once per run (the caches live in this object, shared by every config of the run), and SSM
names a file calls with literal arguments are fetched together (GetParameters, 10 a call).
Every failure is a LookupFailed saying what is missing; the renderer adds the file, the line
and the function.
"""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Sequence

import attrs
import botocore.exceptions

from planner import tfstate
from planner.config import Plugin
from planner.errors import LookupFailed
from planner.template import Function, Secret, go_sprintf
from providers.errors import ProviderError
from providers.session import AwsSettings, Session

__all__ = ["Lookups", "GET_PARAMETERS_LIMIT"]

GET_PARAMETERS_LIMIT = 10  # ssm:GetParameters takes at most 10 names
_URL_TIMEOUT = 30
MAX_STATE_BYTES = 256 * 1024 * 1024  # far above a real state file; read no further


def _text(body: bytes, location: str) -> str:
    """A state file's bytes (read up to one byte over the limit) as text, or LookupFailed."""
    if len(body) > MAX_STATE_BYTES:
        raise LookupFailed(f"state file {location} is over {MAX_STATE_BYTES} bytes (256 MiB); is it the right file?")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise LookupFailed(f"state file {location} is not UTF-8 text (byte {err.start})") from None


class Lookups:
    def __init__(self, settings: AwsSettings, *, session_for: Callable[[AwsSettings], Session] = Session) -> None:
        self._settings = settings
        self._session_for = session_for
        self._sessions: dict[str | None, Session] = {}
        self._states: dict[str, dict[str, Any]] = {}
        self._parameters: dict[tuple[str | None, str], dict[str, Any] | None] = {}
        self._secrets: dict[tuple[str | None, str], str] = {}
        self._stacks: dict[tuple[str | None, str], dict[str, str]] = {}
        self._exports: dict[str | None, dict[str, str]] = {}
        self._lock = threading.Lock()
        self.calls: list[str] = []  # API calls made, for tests: "GetParameters", ...

    def __call__(self, plugin: Plugin, region: str | None, folder: str) -> dict[str, Function]:
        region = self._settings.region or region
        if plugin.name == "tfstate":
            return self._tfstate(plugin, folder)
        if plugin.name == "ssm":
            return self._ssm(region)
        if plugin.name == "secretsmanager":
            return {"secretsmanager_arn": Function(call=lambda name: self._secret_arn(region, name), min_args=1, max_args=1, jsonnet_params=("name",))}
        if plugin.name == "cloudformation":
            return {
                "cfn_output": Function(call=lambda stack, key: self._cfn_output(region, stack, key), min_args=2, max_args=2, jsonnet_params=("stack", "key")),
                "cfn_export": Function(call=lambda name: self._cfn_export(region, name), min_args=1, max_args=1, jsonnet_params=("name",)),
            }
        raise LookupFailed(f"plugin {plugin.name} is not available")

    # --- AWS plumbing ---------------------------------------------------------------------

    def _client(self, region: str | None, name: str) -> Any:
        with self._lock:
            if region not in self._sessions:
                self._sessions[region] = self._session_for(attrs.evolve(self._settings, region=region or self._settings.region))
            session = self._sessions[region]
        try:
            return session.client(name)
        except ProviderError as err:
            raise LookupFailed(str(err)) from None

    # --- tfstate ----------------------------------------------------------------------------

    def _tfstate(self, plugin: Plugin, folder: str) -> dict[str, Function]:
        cfg = plugin.config
        if cfg.get("path") is not None:
            if not isinstance(cfg["path"], str):
                raise LookupFailed("the tfstate plugin's config.path must be a string")
            location = cfg["path"] if os.path.isabs(cfg["path"]) else os.path.normpath(os.path.join(folder, cfg["path"]))
        elif cfg.get("url") is not None:
            if not isinstance(cfg["url"], str):
                raise LookupFailed("the tfstate plugin's config.url must be a string")
            location = cfg["url"]
        else:
            raise LookupFailed("the tfstate plugin needs config.path (a local file) or config.url (s3://, https://, file://)")

        def lookup(address: str) -> Any:
            return tfstate.lookup(self._state(location), address, where=location)

        def lookup_f(fmt: str, *args: Any) -> Any:
            return lookup(go_sprintf(fmt, args))

        return {
            "tfstate": Function(call=lookup, min_args=1, max_args=1, jsonnet_params=("address",)),
            # ecspresso offers tfstatef to templates only (Jsonnet has std.format).
            "tfstatef": Function(call=lookup_f, min_args=1, max_args=None),
        }

    def _state(self, location: str) -> dict[str, Any]:
        with self._lock:
            if location in self._states:
                return self._states[location]
        parsed = urllib.parse.urlparse(location)
        if parsed.scheme == "s3":
            bucket, key = parsed.netloc, parsed.path.lstrip("/")
            try:
                body = _text(self._client(None, "s3").get_object(Bucket=bucket, Key=key)["Body"].read(MAX_STATE_BYTES + 1), location)
                self.calls.append("GetObject")
            except botocore.exceptions.ClientError as err:
                code = err.response.get("Error", {}).get("Code", "")
                if code in ("NoSuchKey", "NoSuchBucket", "404"):
                    raise LookupFailed(f"state file {location} not found ({code})") from None
                raise LookupFailed(f"reading state file {location}: {code}: {err.response.get('Error', {}).get('Message', '')}") from None
        elif parsed.scheme in ("http", "https"):
            try:
                with urllib.request.urlopen(location, timeout=_URL_TIMEOUT) as response:  # noqa: S310 - the config names it
                    body = _text(response.read(MAX_STATE_BYTES + 1), location)
            except urllib.error.HTTPError as err:
                raise LookupFailed(f"state file {location} cannot be read: HTTP {err.code}") from None
            except (urllib.error.URLError, OSError) as err:
                raise LookupFailed(f"state file {location} cannot be read: {err}") from None
        else:
            path = urllib.parse.unquote(parsed.path) if parsed.scheme == "file" else location
            try:
                with open(path, "rb") as handle:  # bounded: a device (/dev/zero) never ends
                    body = _text(handle.read(MAX_STATE_BYTES + 1), location)
            except FileNotFoundError:
                raise LookupFailed(f"state file {path} not found (the tfstate plugin's config.path is relative to the config)") from None
            except OSError as err:
                raise LookupFailed(f"state file {path} cannot be read: {err.strerror}") from None
        state = tfstate.parse_state(body, where=location)
        with self._lock:
            self._states[location] = state
        return state

    # --- SSM Parameter Store ------------------------------------------------------------------

    def _ssm(self, region: str | None) -> dict[str, Function]:
        def ssm(name: str, *index: Any) -> str:
            param = self._parameter(region, name)
            kind = param.get("Type")
            if kind == "StringList":
                if not index:
                    raise LookupFailed(f"parameter {name} is a StringList: give the index, like ssm `{name}` 0")
                return _list_item(name, param, index[0])
            if index:
                raise LookupFailed(f"the index is for StringList parameters; {name} is a {kind}")
            value = str(param.get("Value", ""))
            return Secret(value) if kind == "SecureString" else value

        def ssm_list(name: str, index: Any) -> str:
            param = self._parameter(region, name)
            if param.get("Type") != "StringList":
                raise LookupFailed(f"ssm_list reads StringList parameters; {name} is a {param.get('Type')}")
            return _list_item(name, param, index)

        def prefetch(calls: Sequence[tuple[Any, ...]]) -> None:
            self._fetch_parameters(region, [c[0] for c in calls if c and isinstance(c[0], str)])

        return {
            "ssm": Function(call=ssm, min_args=1, max_args=2, jsonnet_params=("name",), prefetch=prefetch),
            "ssm_list": Function(call=ssm_list, min_args=2, max_args=2, jsonnet_params=("name", "index"), prefetch=prefetch),
        }

    def _parameter(self, region: str | None, name: str) -> dict[str, Any]:
        if (region, name) not in self._parameters:
            self._fetch_parameters(region, [name])
        param = self._parameters.get((region, name))
        if param is None:
            raise LookupFailed(f"parameter {name} not found in SSM Parameter Store ({region or 'default region'})")
        return param

    def _fetch_parameters(self, region: str | None, names: Sequence[str]) -> None:
        wanted = list(dict.fromkeys(n for n in names if (region, n) not in self._parameters))
        for start in range(0, len(wanted), GET_PARAMETERS_LIMIT):
            batch = wanted[start : start + GET_PARAMETERS_LIMIT]
            try:
                out = self._client(region, "ssm").get_parameters(Names=batch, WithDecryption=True)
                self.calls.append("GetParameters")
            except botocore.exceptions.ClientError as err:
                error = err.response.get("Error", {})
                raise LookupFailed(f"ssm:GetParameters: {error.get('Code')}: {error.get('Message')}") from None
            for param in out.get("Parameters", []):
                self._parameters[(region, param["Name"])] = param
            for name in out.get("InvalidParameters", []):
                self._parameters[(region, name)] = None

    # --- Secrets Manager ----------------------------------------------------------------------

    def _secret_arn(self, region: str | None, name: str) -> str:
        if (region, name) not in self._secrets:
            try:
                out = self._client(region, "secretsmanager").describe_secret(SecretId=name)
                self.calls.append("DescribeSecret")
            except botocore.exceptions.ClientError as err:
                error = err.response.get("Error", {})
                if error.get("Code") == "ResourceNotFoundException":
                    raise LookupFailed(f"secret {name} not found in Secrets Manager ({region or 'default region'})") from None
                raise LookupFailed(f"secretsmanager:DescribeSecret {name}: {error.get('Code')}: {error.get('Message')}") from None
            self._secrets[(region, name)] = out["ARN"]
        return self._secrets[(region, name)]

    # --- CloudFormation -------------------------------------------------------------------------

    def _cfn_output(self, region: str | None, stack: str, key: str) -> str:
        if (region, stack) not in self._stacks:
            try:
                out = self._client(region, "cloudformation").describe_stacks(StackName=stack)
                self.calls.append("DescribeStacks")
            except botocore.exceptions.ClientError as err:
                error = err.response.get("Error", {})
                raise LookupFailed(f"stack {stack} not found ({error.get('Code')}: {error.get('Message')})") from None
            stacks = out.get("Stacks") or []
            if not stacks:
                raise LookupFailed(f"stack {stack} not found")
            self._stacks[(region, stack)] = {o["OutputKey"]: o.get("OutputValue", "") for o in stacks[0].get("Outputs") or []}
        outputs = self._stacks[(region, stack)]
        if key not in outputs:
            raise LookupFailed(f"output {key} not found in stack {stack} (outputs: {', '.join(sorted(outputs)) or 'none'})")
        return outputs[key]

    def _cfn_export(self, region: str | None, name: str) -> str:
        if region not in self._exports:
            exports: dict[str, str] = {}
            try:
                for page in self._client(region, "cloudformation").get_paginator("list_exports").paginate():
                    self.calls.append("ListExports")
                    exports.update({e["Name"]: e["Value"] for e in page.get("Exports", [])})
            except botocore.exceptions.ClientError as err:
                error = err.response.get("Error", {})
                raise LookupFailed(f"cloudformation:ListExports: {error.get('Code')}: {error.get('Message')}") from None
            self._exports[region] = exports
        if name not in self._exports[region]:
            raise LookupFailed(f"export {name} not found in CloudFormation ({region or 'default region'})")
        return self._exports[region][name]


def _list_item(name: str, param: dict[str, Any], index: Any) -> str:
    values = str(param.get("Value", "")).split(",")
    if isinstance(index, bool) or not isinstance(index, int):
        raise LookupFailed(f"the index of {name} must be a number, got {index!r}")
    if not 0 <= index < len(values):
        raise LookupFailed(f"index {index} is out of range for {name} ({len(values)} values)")
    return values[index]
