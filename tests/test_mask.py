"""planner/render/mask.py: which names are secret, credentials inside strings, free maps by key,
and error messages that never quote a secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planner.config import load_config
from planner.diff import Change
from planner.envfile import parse_envfile
from planner.errors import ConfigError
from planner.render.mask import (
    DEFAULT_PATTERNS,
    SENSITIVE,
    is_sensitive,
    mask_change,
    mask_document,
    mask_pair,
    mask_text,
    mask_value,
    patterns_for,
)
from planner.template import Function, Secret

MASKED = [
    "SENTRY_DSN", "DB_PASSWORD", "dbPassword", "SMTP_PASS", "MYSQL_PWD", "PASSWD", "KEY_PASSPHRASE",
    "CLIENT_SECRET", "JWT_SECRET", "secrets", "GITHUB_TOKEN", "accessToken", "OAuthToken", "REFRESH_TOKENS",
    "API_KEY", "apiKey", "APIKey", "APIKEY", "api-key", "dd-api-key", "PRIVATE_KEY", "AWS_SECRET_ACCESS_KEY",
    "ACCESS_KEY", "SECRET_KEY", "SESSION_KEY", "SIGNING_KEY", "ENCRYPTION_KEYS", "APP_KEY", "LICENSE_KEY",
    "STRIPE_SECRET_KEY", "GOOGLE_CREDENTIALS", "DB_CREDENTIAL", "DB_CREDS", "AUTH_HEADER", "X_AUTH",
    "Authorization", "splunk-token", "SESSION_COOKIE", "DB_CONNECTION_STRING", "ConnectionString",
    "PRIVATEKEY", "BEARER", "PASSWORD_2", "SECRET_KEY_BASE",
]  # fmt: skip
SHOWN = [
    "CACHE_KEY_PREFIX", "KEY_ID", "PRIMARY_KEY_COLUMN", "KEY", "SORT_KEY", "AUTHOR", "AUTHORS_FILE",
    "BYPASS_CACHE", "PASSENGER_COUNT", "TOKENIZER_MODEL", "SECRETARY_EMAIL", "DATABASE_URL", "LOG_LEVEL",
    "PWD", "SECRET_ARN", "DB_PASSWORD_FILE", "TOKEN_TTL", "AUTH_TYPE", "API_KEY_ID", "AWS_ACCESS_KEY_ID",
    "OAUTH_CLIENT_ID", "PASSWORD_MIN_LENGTH", "SECRET_NAME", "AUTH_ENABLED", "splunk-url", "dd-service",
    "KEYCLOAK_REALM", "MONKEY", "DSNAME", "PASSPORT_NUMBER",
]  # fmt: skip


@pytest.mark.parametrize("name", MASKED)
def test_secret_names_are_masked(name: str) -> None:
    assert is_sensitive(name, DEFAULT_PATTERNS)


@pytest.mark.parametrize("name", SHOWN)
def test_other_names_are_shown(name: str) -> None:
    assert not is_sensitive(name, DEFAULT_PATTERNS)


def test_config_patterns_are_globs_or_whole_words() -> None:
    patterns = patterns_for(["*_URL", "stripe_*", "MY_SPECIAL", "LICENSE", "x?z"])
    for name in ("DATABASE_URL", "upstream_url", "STRIPE_PUBLISHABLE", "Stripe_Account", "MY_SPECIAL_THING", "THE_MY_SPECIAL",
                 "LICENSE_FILE", "XYZ", "x1z"):  # fmt: skip
        assert is_sensitive(name, patterns), name
    for name in ("URL_PREFIX", "DATABASE_URLS", "MY_STRIPE", "MY_SPECIALTY", "SPECIAL_MY", "LICENSES", "XYZW", "WXYZ"):
        assert not is_sensitive(name, patterns), name
    # Without the config's patterns, these are ordinary names.
    assert not any(is_sensitive(n, DEFAULT_PATTERNS) for n in ("STRIPE_PUBLISHABLE", "MY_SPECIAL_THING", "LICENSE_FILE"))


def test_looked_up_values_are_not_name_patterns() -> None:
    patterns = patterns_for([], ["LOG_LEVEL", "*"])
    assert not is_sensitive("LOG_LEVEL", patterns) and not is_sensitive("ANYTHING", patterns)


URLS = [
    ("postgres://app:hunter2@db.internal:5432/app", "postgres://app:(sensitive)@db.internal:5432/app"),
    ("postgres://app:p@ss:w0rd@db/app?sslmode=require", "postgres://app:(sensitive)@db/app?sslmode=require"),
    ("redis://:hunter2@cache:6379/0", "redis://:(sensitive)@cache:6379/0"),
    ("amqp://guest@mq", "amqp://guest@mq"),  # a user alone is shown
    ("https://api.example.com/v1?token=abc123&limit=5", "https://api.example.com/v1?token=(sensitive)&limit=5"),
    ("https://h/x?user=u&password=hunter2#top", "https://h/x?user=u&password=(sensitive)"),  # a # may be the password's
    ("https://maps.example.com/?key=AIzaXYZ&q=1", "https://maps.example.com/?key=(sensitive)&q=1"),
    ("https://b.s3.amazonaws.com/o?X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc&X-Amz-Expires=60",
     "https://b.s3.amazonaws.com/o?X-Amz-Credential=(sensitive)&X-Amz-Signature=(sensitive)&X-Amz-Expires=60"),
    ("https://acct.blob.core.windows.net/c?sv=2020&sig=abc%3D", "https://acct.blob.core.windows.net/c?sv=2020&sig=(sensitive)"),
    ("https://example.com/path?cache_key=x", "https://example.com/path?cache_key=x"),
    ("jdbc:mysql://db/app?user=app&password=hunter2", "jdbc:mysql://db/app?user=app&password=(sensitive)"),
]  # fmt: skip
STRINGS = [
    ("host=db user=app password=hunter2 dbname=app", "host=db user=app password=(sensitive) dbname=app"),
    ("Server=db;User Id=app;Password=hunter2;", "Server=db;User Id=app;Password=(sensitive);"),
    ("--db-password=hunter2 --port=5432", "--db-password=(sensitive) --port=5432"),
    ('API_KEY="abc def" ./run', 'API_KEY="(sensitive)" ./run'),
    ("exec app --token abc123 --token-ttl 30 --verbose", "exec app --token (sensitive) --token-ttl 30 --verbose"),
    ('{"user": "app", "password": "hun\\"ter2"}', '{"user": "app", "password": "(sensitive)"}'),
    ("user: app\n  password: hunter2\n- token: abc\n", "user: app\n  password: (sensitive)\n- token: (sensitive)\n"),
    ("Authorization Bearer eyJhbGciOi", "Authorization Bearer (sensitive)"),
    ("Authorization: Basic dXNlcjpwdw==", "Authorization: (sensitive)"),
    ("curl -H 'X: Bearer eyJhbGciOiJIUzI1'", "curl -H 'X: Bearer (sensitive)'"),
    ("keep=1 cache_key=abc author=me", "keep=1 cache_key=abc author=me"),
    ("authorization failed for user bob", "authorization failed for user bob"),
    ("Authorization=abc123", "Authorization=(sensitive)"),
    ("password=(sensitive)", "password=(sensitive)"),
    ("nothing secret here: a=b", "nothing secret here: a=b"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "shown"), URLS + STRINGS)
def test_credentials_inside_strings(text: str, shown: str) -> None:
    assert mask_text(text) == shown
    # The same rule for a value anywhere in a document (an env value of a harmless name, a command).
    assert mask_document({"command": [text]}, DEFAULT_PATTERNS) == {"command": [shown]}


def test_free_maps_are_masked_by_key() -> None:
    container = {
        "name": "web",
        "environment": [{"name": "SENTRY_DSN", "value": "https://k@sentry.io/1"}, {"name": "CACHE_KEY_PREFIX", "value": "v1"},
                        {"name": "DATABASE_URL", "value": "postgres://u:pw@db/app"}],
        "logConfiguration": {"logDriver": "splunk", "options": {"splunk-token": "t0k", "splunk-url": "https://splunk:8088",
                                                                 "Authorization": "Bearer x"}},
        "firelensConfiguration": {"type": "fluentbit", "options": {"apikey": "dd123", "Host": "http-intake"}},
        "dockerLabels": {"traefik.http.middlewares.auth.basicauth.users": "u:$apr1$x", "com.example.team": "web"},
        "command": ["app", "--password", "hunter2", "--user", "bob", "--token", "--verbose"],
        "name_is_not_a_free_map": {"password": "kept as the string rules see it"},
    }  # fmt: skip
    masked = mask_document({"containerDefinitions": [container], "volumes": [
        {"name": "share", "dockerVolumeConfiguration": {"driverOpts": {"password": "hunter2", "type": "cifs"}}}]}, DEFAULT_PATTERNS)
    c = masked["containerDefinitions"][0]
    assert c["environment"] == [{"name": "SENTRY_DSN", "value": SENSITIVE}, {"name": "CACHE_KEY_PREFIX", "value": "v1"},
                                {"name": "DATABASE_URL", "value": "postgres://u:(sensitive)@db/app"}]  # fmt: skip
    assert c["logConfiguration"]["options"] == {"splunk-token": SENSITIVE, "splunk-url": "https://splunk:8088", "Authorization": SENSITIVE}
    assert c["firelensConfiguration"]["options"] == {"apikey": SENSITIVE, "Host": "http-intake"}
    assert c["dockerLabels"] == {"traefik.http.middlewares.auth.basicauth.users": SENSITIVE, "com.example.team": "web"}
    assert c["command"] == ["app", "--password", SENSITIVE, "--user", "bob", "--token", "--verbose"]
    assert c["name_is_not_a_free_map"] == {"password": "kept as the string rules see it"}
    assert mask_document({"password": "top-level keys are no free map"}, DEFAULT_PATTERNS) == {"password": "top-level keys are no free map"}
    assert mask_document({"entryPoint": ["--token", "abc", "--x"]}, DEFAULT_PATTERNS) == {"entryPoint": ["--token", SENSITIVE, "--x"]}
    assert masked["volumes"][0]["dockerVolumeConfiguration"]["driverOpts"] == {"password": SENSITIVE, "type": "cifs"}


def test_changes_are_masked_by_their_path() -> None:
    p = patterns_for(["*_DSN"])
    assert mask_value("containerDefinitions[web].environment[SENTRY_DSN]", "https://k@s/1", p) == SENSITIVE
    assert mask_value("containerDefinitions[web].environment[CACHE_KEY_PREFIX]", "v1", p) == "v1"
    assert mask_value("containerDefinitions[web].logConfiguration.options.splunk-token", "t", p) == SENSITIVE
    assert mask_value("containerDefinitions[web].logConfiguration.options.splunk-url", "u", p) == "u"
    assert mask_value("containerDefinitions[web].dockerLabels.app.auth.token", "t", p) == SENSITIVE
    assert mask_value("containerDefinitions[web].logConfiguration.options", {"dd-api-key": "k", "x": "y"}, p) == {
        "dd-api-key": SENSITIVE, "x": "y"}  # fmt: skip
    assert mask_value("containerDefinitions[web].environment", {"X_DSN": "d", "Y": "y"}, p) == {"X_DSN": SENSITIVE, "Y": "y"}
    assert mask_value("containerDefinitions[web].environment[MY_DSN]", None, p) is None
    # A name that only looks secret outside a free map: the string rules, not the name.
    assert mask_value("containerDefinitions[web].secrets[DB_PASSWORD]", "arn:aws:ssm:r:1:parameter/db", p) == "arn:aws:ssm:r:1:parameter/db"
    change = mask_change(Change(path="containerDefinitions[web].environment[DATABASE_URL]",
                                before="postgres://u:old@db/app", after="postgres://u:new@db/app"), p)  # fmt: skip
    assert (change.before, change.after) == ("postgres://u:(sensitive)@db/app", "postgres://u:(sensitive)@db/app")


def test_looked_up_secrets_mask_the_whole_value_and_the_rotated_one() -> None:
    p = patterns_for([], ["s3cr3t"])
    path = "containerDefinitions[web].environment[UPSTREAM]"
    assert mask_pair(path, "old-value", "x s3cr3t y", p) == (SENSITIVE, SENSITIVE)
    assert mask_pair(path, "old-value", "plain", p) == ("old-value", "plain")
    # A whole map changes: the rotated entry is masked, the others are kept.
    before, after = mask_pair("containerDefinitions[web].environment", {"UP": "old", "KEEP": "k", "GONE": "g"}, {"UP": "s3cr3t", "KEEP": "k"}, p)
    assert (before, after) == ({"UP": SENSITIVE, "KEEP": "k", "GONE": "g"}, {"UP": SENSITIVE, "KEEP": "k"})
    assert mask_text("failed: s3cr3t and s3cr3t", p) == "failed: (sensitive) and (sensitive)"
    assert mask_text("a longer-s3cr3t", secrets=["s3cr3t", "longer-s3cr3t", ""]) == "a (sensitive)"


# --- error messages ---------------------------------------------------------------------------


def _ssm(values: dict[str, str]) -> Any:
    def lookups(plugin: Any, region: str | None, folder: str) -> dict[str, Function]:
        if plugin.name != "ssm":
            return {}
        return {"ssm": Function(call=lambda name: Secret(values[name]), min_args=1, max_args=1)}

    return lookups


def _config_error(tmp_path: Path, config: str, task: Any = None, files: dict[str, str] | None = None) -> ConfigError:
    (tmp_path / "ecspresso.yml").write_text(config)
    if task is not None:
        (tmp_path / "td.json").write_text(task if isinstance(task, str) else json.dumps(task))
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "ecspresso.yml", environ={}, lookups=_ssm({"/db/pass": "hunter2-from-ssm"}))
    return info.value


def test_a_validation_error_never_quotes_a_looked_up_secret(tmp_path: Path) -> None:
    container = '{"name": "{{ ssm `/db/pass` }}", "image": "nginx"}'
    task = '{"family": "f", "containerDefinitions": [%s, %s]}' % (container, container)
    err = _config_error(tmp_path, "task_definition: td.json\n", task)
    assert str(err) == f"{tmp_path / 'td.json'}: containerDefinitions[1].name: container name '(sensitive)' is used twice"


def test_a_template_error_never_quotes_a_looked_up_secret(tmp_path: Path) -> None:
    err = _config_error(tmp_path, "task_definition: td.json\n", '{"family": "{{ must_env (ssm "/db/pass") }}"}')
    assert "hunter2" not in str(err)
    assert "environment variable (sensitive) is not set" in str(err), str(err)


def test_a_jsonnet_error_never_quotes_a_password(tmp_path: Path) -> None:
    files = {"td.jsonnet": "error 'cannot reach postgres://app:hunter2@db/app with token=abc123'"}
    err = _config_error(tmp_path, "task_definition: td.jsonnet\n", files=files)
    assert "hunter2" not in str(err) and "abc123" not in str(err)
    assert "postgres://app:(sensitive)@db/app with token=(sensitive)" in str(err)


def test_a_yaml_error_never_quotes_a_password(tmp_path: Path) -> None:
    err = _config_error(tmp_path, 'task_definition: td.json\nextra:\n  password: "hunter2\n')
    assert str(err).startswith(f"{tmp_path / 'ecspresso.yml'}: line ") and "invalid YAML" in str(err)
    assert "hunter2" not in str(err)


@pytest.mark.parametrize("text, message", [
    ("DB_PASSWORD hunter2\n", ".env: line 1: expected KEY=VALUE, got 'DB_PASSWORD (sensitive)'"),
    ("DATABASE_URL postgres://u:hunter2@db\n", ".env: line 1: expected KEY=VALUE, got 'DATABASE_URL postgres://u:(sensitive)@db'"),
    ("LOG_LEVEL debug\n", ".env: line 1: expected KEY=VALUE, got 'LOG_LEVEL debug'"),
    ("\n API_TOKEN='abc'def\n", ".env: line 2: unexpected text after the quoted value of API_TOKEN"),
    ('LOG_LEVEL="a"b\n', ".env: line 1: unexpected 'b' after the quoted value"),
])
def test_envfile_errors_never_quote_a_secret_value(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_envfile(text, source=".env")
    assert str(info.value) == message


def test_an_api_validation_error_never_quotes_a_secret_value(project, aws) -> None:
    """botocore's report quotes the value it refuses: a password left unquoted (a number) is
    reported by name and type, never by value; other values are still quoted."""
    taskdef = project.path / "ecs-task-def.json"
    taskdef.write_text(taskdef.read_text().replace('"{{ env `DB_PASSWORD` `hunter2` }}"', "{{ env `DB_PASSWORD` `1` }}"))
    with pytest.raises(ConfigError) as info:
        project.plan(env={"DB_PASSWORD": "98765432"})
    message = str(info.value)
    assert "98765432" not in message
    assert "Invalid type for parameter containerDefinitions[0].environment[1].value, value: (sensitive), type: <class 'int'>" in message
    assert aws.mutations() == []
    taskdef.write_text(taskdef.read_text().replace("{{ env `DB_PASSWORD` `1` }}", '"x"').replace('"{{ env `LOG_LEVEL` `info` }}"', "42"))
    with pytest.raises(ConfigError) as info:
        project.plan()
    assert "environment[0].value, value: 42, type: <class 'int'>" in str(info.value)


def test_envfile_values_still_parse() -> None:
    text = 'A="x\\ty"  # a comment\nB=\'b\'\nC="c"\nexport D=d # trailing\n'
    assert parse_envfile(text, source=".env") == {"A": "x\ty", "B": "b", "C": "c", "D": "d"}
