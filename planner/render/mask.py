"""Masking of secret-looking values in printed output (plans as text, markdown, JSON, the documents
`ecsplan render` prints, and error messages). Plan files keep the real values: apply needs them.

Names. A name (an environment variable, a log driver option, a docker label, a query parameter)
is split into words on `_ - . /`, spaces and camelCase (`dbPassword` -> DB PASSWORD, `APIKey` ->
API KEY), and is sensitive when its words contain one of:

- a secret word: PASSWORD(S) PASSWD PASS PWD PASSPHRASE SECRET(S) TOKEN(S) CREDENTIAL(S) CREDS
  AUTH AUTHORIZATION DSN COOKIE(S) APIKEY JWT BEARER PRIVATEKEY ACCESSKEY SECRETKEY;
- KEY (or KEYS) right after a qualifier: API PRIVATE ACCESS SECRET SESSION SIGNING ENCRYPTION
  DECRYPTION MASTER LICENSE HMAC SSH GPG PGP AES RSA APP DEPLOY WEBHOOK CLIENT SERVICE ACCOUNT
  (`API_KEY`, `SIGNING_KEY`, `appKey`); KEY alone is a word like any other (`CACHE_KEY_PREFIX`,
  `KEY_ID`, `PRIMARY_KEY_COLUMN` are shown);
- CONNECTION STRING, CONN STRING, CONN STR.

Whole words only: AUTHOR, BYPASS, PASSENGER, TOKENIZER, SECRETARY are shown. A name whose last word
says what the secret is rather than holding it is shown: ARN ID IDS NAME TTL EXPIRY EXPIRES
EXPIRATION LENGTH FILE PATH TYPE ENABLED (`SECRET_ARN`, `DB_PASSWORD_FILE`, `TOKEN_TTL`,
`AUTH_TYPE`). `PWD` alone is the shell's working directory and is shown.

`sensitive:` patterns from the config add to these: a pattern with `* ? [` is a glob over the whole
name (`*_DSN`, `STRIPE_*`, case-insensitive); a plain word (or words, `MY_SPECIAL`) matches as whole
words of the name, exactly as written (no last-word exception).

Where names are checked: `environment` entries (either shape), the free maps `options`
(logConfiguration, firelensConfiguration), `dockerLabels` and `driverOpts` (volume driver options),
by key. A value under a sensitive name is shown as `(sensitive)`; a change to it is still a change.

Inside any string (env values, command, entryPoint, log options, tags, ...):
- a URL's password: `scheme://user:password@host` -> `scheme://user:(sensitive)@host` (a user alone
  is shown);
- `name=value` (query parameters, `--flag=value`, `k=v;k=v` connection strings) with a sensitive
  name, plus `key`, `sig`, `signature` there (`?key=`, presigned `X-Amz-Signature=`);
- `--flag value` with a sensitive flag name, in one string or as two items of a list;
- `"name": "value"` (JSON) and `name: value` at the start of a line (YAML) with a sensitive name;
- `Authorization ...` and `Bearer ...` credentials.

Values looked up as secrets (an SSM SecureString in a template) are masked wherever they appear,
whatever the key: any string holding one is shown as `(sensitive)`, and so is the value it replaces
at the same place (the secret before a rotation). In error messages (mask_text) the looked-up
value itself is replaced, and the string rules above apply.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Iterable

from planner.diff import Change, plain

SENSITIVE = "(sensitive)"

_SECRET_WORDS = (
    "PASSWORD", "PASSWORDS", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "TOKENS",
    "CREDENTIAL", "CREDENTIALS", "CREDS", "AUTH", "AUTHORIZATION", "DSN", "COOKIE", "COOKIES", "APIKEY",
    "JWT", "BEARER", "PRIVATEKEY", "ACCESSKEY", "SECRETKEY",
)  # fmt: skip
_KEY_QUALIFIERS = (
    "API", "PRIVATE", "ACCESS", "SECRET", "SESSION", "SIGNING", "ENCRYPTION", "DECRYPTION", "MASTER",
    "LICENSE", "HMAC", "SSH", "GPG", "PGP", "AES", "RSA", "APP", "DEPLOY", "WEBHOOK", "CLIENT", "SERVICE",
    "ACCOUNT",
)  # fmt: skip
_PHRASES = ("CONNECTION_STRING", "CONN_STRING", "CONN_STR")
# The default patterns: words, and word sequences (matched as whole words, in order).
DEFAULT_PATTERNS: tuple[str, ...] = (
    _SECRET_WORDS + tuple(f"{q}_{k}" for q in _KEY_QUALIFIERS for k in ("KEY", "KEYS")) + _PHRASES
)
_DEFAULTS = frozenset(DEFAULT_PATTERNS)
# A last word that names something about the secret, not the secret (default patterns only).
_ABOUT = frozenset(
    {"ARN", "ID", "IDS", "NAME", "TTL", "EXPIRY", "EXPIRES", "EXPIRATION", "LENGTH", "FILE", "PATH", "TYPE", "ENABLED"}
)
_FREE_MAPS = frozenset({"environment", "options", "dockerLabels", "driverOpts"})

_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_GLOB = re.compile(r"[*?\[]")
_NAMED_ENTRY = re.compile(r"\.environment\[([^\]]+)\]$|\.(?:options|dockerLabels|driverOpts)\.(.+)$")

_URL_PASSWORD = re.compile(r"(?P<pre>[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:]*:)(?P<secret>[^\s/?#]+)(?=@)")
_ASSIGNMENT = re.compile(r"(?<![\w.\-])(?P<pre>-{0,2}(?P<name>[A-Za-z_][\w.\-]*)=)(?P<secret>\"[^\"]*\"|'[^']*'|[^\s&;,\"']+)")
_FLAG = re.compile(r"(?<![\w\-])(?P<pre>--?(?P<name>[A-Za-z][\w\-]*)\s+)(?P<secret>[^\s\-]\S*)")
_JSON_MEMBER = re.compile(r"(?P<pre>\"(?P<name>[^\"\\]+)\"\s*:\s*)(?P<secret>\"(?:[^\"\\]|\\.)*\")")
_YAML_LINE = re.compile(r"^(?P<pre>[ \t]*(?:-[ \t]+)?(?P<name>[A-Za-z_][\w.\-]*)[ \t]*:[ \t]+)(?P<secret>\S.*?)[ \t]*$", re.M)
_HEADER = re.compile(
    r"(?P<pre>\b(?:Proxy-)?Authorization\b(?:[ \t]*[:=][ \t]*|[ \t]+(?=(?:Bearer|Basic|Token|Digest)[ \t]))"
    r"(?:(?:Bearer|Basic|Token|Digest)[ \t]+)?)(?P<secret>[^\s\"',;]+)",
    re.I,
)
_BEARER = re.compile(r"(?P<pre>\bBearer[ \t]+)(?P<secret>[A-Za-z0-9._~+/=\-]{8,})")
_FLAG_ITEM = re.compile(r"--?[A-Za-z][\w\-]*")


class _SecretValue(str):
    """A looked-up secret value carried among the name patterns (patterns_for): matched by value."""

    __slots__ = ()


def _words(name: str) -> tuple[str, ...]:
    return tuple(w.upper() for part in _SEPARATORS.split(name) for w in _WORD.findall(part))


def _contains(words: tuple[str, ...], run: tuple[str, ...]) -> bool:
    n = len(run)
    return n > 0 and any(words[i : i + n] == run for i in range(len(words) - n + 1))


def is_sensitive(name: str, patterns: Iterable[str]) -> bool:
    """Whether a value under `name` is a secret (see the module's rules)."""
    words = _words(name)
    for pattern in patterns:
        if isinstance(pattern, _SecretValue):
            continue
        if _GLOB.search(pattern):
            if fnmatch.fnmatchcase(name.upper(), pattern.upper()):
                return True
        elif pattern in _DEFAULTS:
            if _contains(words, _words(pattern)) and words[-1] not in _ABOUT and name.upper() != "PWD":
                return True
        elif _contains(words, _words(pattern)):
            return True
    return False


def _parameter_sensitive(name: str, patterns: tuple[str, ...]) -> bool:
    words = _words(name)
    return is_sensitive(name, patterns) or words == ("KEY",) or words[-1:] in (("SIG",), ("SIGNATURE",))


def _secrets(patterns: Iterable[str]) -> list[str]:
    return [p for p in patterns if isinstance(p, _SecretValue)]


def _holds_secret(value: Any, patterns: tuple[str, ...]) -> bool:
    return isinstance(value, str) and any(p in value for p in _secrets(patterns))


def _masked_quoted(secret: str) -> str:
    if len(secret) >= 2 and secret[0] == secret[-1] and secret[0] in "\"'":
        return secret[0] + SENSITIVE + secret[0]
    return SENSITIVE


def _mask_string(text: str, patterns: tuple[str, ...]) -> str:
    """The rules for text inside a string: credentials in URLs, `name=value`, `--flag value`, JSON
    members, YAML lines and Authorization headers whose name is sensitive."""

    def by_name(check: Any) -> Any:
        def replace(m: re.Match[str]) -> str:
            secret = m["secret"]
            if secret.strip("\"'") in ("", SENSITIVE) or not check(m["name"], patterns):
                return m[0]
            return m["pre"] + _masked_quoted(secret)

        return replace

    def always(m: re.Match[str]) -> str:
        return m[0] if m["secret"] == SENSITIVE else m["pre"] + SENSITIVE

    if "://" in text:
        text = _URL_PASSWORD.sub(always, text)
    if "=" in text:
        text = _ASSIGNMENT.sub(by_name(_parameter_sensitive), text)
    if "-" in text:
        text = _FLAG.sub(by_name(is_sensitive), text)
    if ":" in text:
        text = _JSON_MEMBER.sub(by_name(is_sensitive), text)
        text = _YAML_LINE.sub(by_name(is_sensitive), text)
    text = _HEADER.sub(always, text)
    return _BEARER.sub(always, text)


def mask_text(text: str, patterns: tuple[str, ...] = DEFAULT_PATTERNS, secrets: Iterable[str] = ()) -> str:
    """A message (an error quoting file content or a value) under the string rules; each looked-up
    secret value (among `patterns`, or in `secrets`) is replaced where it appears."""
    for secret in sorted({*_secrets(patterns), *(s for s in secrets if s)}, key=len, reverse=True):
        text = text.replace(secret, SENSITIVE)
    return _mask_string(text, patterns)


def _mask_scalar(value: Any, patterns: tuple[str, ...]) -> Any:
    if _holds_secret(value, patterns):
        return SENSITIVE
    return _mask_string(value, patterns) if isinstance(value, str) else value


def _mask_list(items: list[Any], patterns: tuple[str, ...]) -> list[Any]:
    out = [_mask_tree(v, patterns) for v in items]
    for i in range(1, len(out)):
        flag = items[i - 1]
        if (
            isinstance(flag, str)
            and isinstance(out[i], str)
            and _FLAG_ITEM.fullmatch(flag)
            and not out[i].startswith("-")
            and is_sensitive(flag, patterns)
        ):
            out[i] = SENSITIVE
    return out


def _mask_tree(value: Any, patterns: tuple[str, ...], free_map: bool = False) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if free_map and not isinstance(v, (dict, list)) and v is not None and is_sensitive(str(k), patterns):
                out[k] = SENSITIVE
            else:
                out[k] = _mask_tree(v, patterns, free_map=(k in _FREE_MAPS and isinstance(v, (dict, list))))
        return out
    if isinstance(value, list):
        # The raw API shape: [{"name": ..., "value": ...}] under "environment".
        return [_mask_entry(v, patterns) for v in value] if free_map else _mask_list(value, patterns)
    return _mask_scalar(value, patterns)


def _mask_entry(entry: Any, patterns: tuple[str, ...]) -> Any:
    if isinstance(entry, dict) and "name" in entry and "value" in entry and is_sensitive(str(entry["name"]), patterns):
        return {**entry, "value": SENSITIVE}
    return _mask_tree(entry, patterns)


def mask_value(path: str, value: Any, patterns: tuple[str, ...]) -> Any:
    value = plain(value)
    if value is None:
        return None
    m = _NAMED_ENTRY.search(path)
    if m and not isinstance(value, (dict, list)) and is_sensitive(m[1] or m[2], patterns):
        return SENSITIVE
    last = path.rsplit(".", 1)[-1]
    return _mask_tree(value, patterns, free_map=last in _FREE_MAPS)


def mask_pair(path: str, before: Any, after: Any, patterns: tuple[str, ...]) -> tuple[Any, Any]:
    """(before, after) masked; where the new value is a looked-up secret, the value it replaces
    at the same place is masked too: it is the secret before a rotation (an old SecureString
    value, read back from the registered revision, is in no lookup of this run)."""
    masked_after = mask_value(path, after, patterns)
    return _mask_where(mask_value(path, before, patterns), masked_after), masked_after


def _mask_where(before: Any, after: Any) -> Any:
    if after == SENSITIVE and isinstance(before, str):
        return SENSITIVE
    if isinstance(before, dict) and isinstance(after, dict):
        return {k: _mask_where(v, after[k]) if k in after else v for k, v in before.items()}
    if isinstance(before, list) and isinstance(after, list):
        return [_mask_where(b, a) for b, a in zip(before, after)] + before[len(after) :]
    return before


def mask_document(document: Any, patterns: tuple[str, ...]) -> Any:
    """A whole document (a rendered task or service definition, the config) under the same rules:
    free-map entries by name (the API's [{"name", "value"}] shape too), strings by the string
    rules, secrets by value."""
    return _mask_tree(plain(document), patterns)


def mask_change(change: Change, patterns: tuple[str, ...]) -> Change:
    before, after = mask_pair(change.path, change.before, change.after, patterns)
    return Change(path=change.path, before=before, after=after)


def patterns_for(extra: Iterable[str], secret_values: Iterable[str] = ()) -> tuple[str, ...]:
    """The name patterns, with the looked-up secret values (matched by value) among them."""
    return DEFAULT_PATTERNS + tuple(extra) + tuple(_SecretValue(v) for v in secret_values if v)
