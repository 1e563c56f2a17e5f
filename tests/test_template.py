"""planner.template: the Go text/template subset ecspresso files use."""

from __future__ import annotations

import json

import pytest

from planner.errors import ConfigError, TemplateError
from planner.template import render

ENV = {
    "TAG": "v1.2.3",
    "EMPTY": "",
    "QUOTED": 'say "hi"\\\n\tnow',
    "UNICODE": "café ☕",
}


def r(text: str, environ: dict[str, str] | None = None) -> str:
    return render(text, source="ecs-task-def.json", environ=ENV if environ is None else environ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("no actions at all", "no actions at all", id="plain-text"),
        pytest.param('{"a": {"b": {"c": 1}}}', '{"a": {"b": {"c": 1}}}', id="closing-braces-are-text"),
        pytest.param('image:{{ must_env "TAG" }}', "image:v1.2.3", id="must_env-double-quotes"),
        pytest.param("image:{{ must_env `TAG` }}", "image:v1.2.3", id="must_env-backticks"),
        pytest.param('{{must_env "TAG"}}', "v1.2.3", id="no-spaces"),
        pytest.param('{{ must_env "EMPTY" }}|', "|", id="must_env-set-but-empty"),
        pytest.param('{{ env "TAG" "d" }}', "v1.2.3", id="env-set"),
        pytest.param('{{ env "UNSET" "d" }}', "d", id="env-default"),
        pytest.param("{{ env `UNSET` `d` }}", "d", id="env-default-backticks"),
        # go-config's env returns its last argument when no variable is set: the name itself.
        pytest.param('{{ env "UNSET" }}|', "UNSET|", id="env-unset-without-default-is-the-name"),
        pytest.param('{{ env "UNSET" "TAG" }}', "v1.2.3", id="env-default-is-looked-up-too"),
        pytest.param('{{ env "UNSET" "EMPTY" "d" }}', "d", id="env-many-names"),
        pytest.param("{{ env }}|", "|", id="env-no-args"),
        pytest.param('{{ env "EMPTY" "d" }}', "d", id="env-empty-counts-as-unset"),
        pytest.param('{{ env "UNSET" "a }} b" }}', "a }} b", id="braces-inside-string"),
        pytest.param('{{ env "UNSET" "tab\\there" }}', "tab\there", id="go-escapes"),
        pytest.param('{{ env "UNSET" "\\u00e9\\x41\\101" }}', "éAA", id="go-numeric-escapes"),
        pytest.param("{{ env `UNSET` `raw\\n` }}", "raw\\n", id="raw-string-no-escapes"),
        pytest.param('{{ json_escape (must_env "QUOTED") }}', 'say \\"hi\\"\\\\\\n\\tnow', id="json_escape-call"),
        pytest.param('{{ must_env "QUOTED" | json_escape }}', 'say \\"hi\\"\\\\\\n\\tnow', id="json_escape-pipe"),
        pytest.param('{{ env "UNSET" "a\\"b" | json_escape }}', 'a\\"b', id="env-pipe-json_escape"),
        pytest.param('{{ must_env "UNICODE" | json_escape }}', "café ☕", id="json_escape-keeps-unicode"),
        pytest.param('{{ "x\\"" | json_escape | json_escape }}', 'x\\\\\\"', id="pipe-chain"),
        pytest.param('{{ (must_env "TAG") }}', "v1.2.3", id="parenthesized"),
        pytest.param('{{ env (env "UNSET" "TAG") }}', "v1.2.3", id="nested-call"),
        pytest.param('{{ "literal" }}', "literal", id="string-literal"),
        pytest.param('a \n {{- must_env "TAG" }}', "av1.2.3", id="trim-left"),
        pytest.param('{{ must_env "TAG" -}} \n\t b', "v1.2.3b", id="trim-right"),
        pytest.param('a  {{- must_env "TAG" -}}  b', "av1.2.3b", id="trim-both"),
        pytest.param('{{\n  env "UNSET"\n  "d"\n}}', "d", id="newlines-inside-action"),
        pytest.param("a{{/* a comment */}}b", "ab", id="comment"),
        pytest.param("a {{- /* c */ -}} b", "ab", id="comment-trimmed"),
    ],
)
def test_render(text: str, expected: str) -> None:
    assert r(text) == expected


def test_json_escape_output_is_a_valid_json_string_body() -> None:
    environ = {"X": 'quote " backslash \\ newline \n control \x01 tab \t'}
    rendered = render('{"v": "{{ must_env "X" | json_escape }}"}', source="f.json", environ=environ)
    assert json.loads(rendered) == {"v": environ["X"]}


def test_environ_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECSPLAN_TEST_TAG", "from-os")
    assert render('{{ must_env "ECSPLAN_TEST_TAG" }}', source="f") == "from-os"


def test_missing_must_env_names_variable_file_position_and_fix() -> None:
    text = '{\n  "image": "nginx:{{ must_env "IMAGE_TAG" }}"\n}'
    with pytest.raises(TemplateError) as info:
        render(text, source="defs/ecs-task-def.json", environ={})
    assert str(info.value) == (
        'defs/ecs-task-def.json: line 2:19: environment variable IMAGE_TAG is not set '
        '(in {{ must_env "IMAGE_TAG" }}); set IMAGE_TAG or use {{ env "IMAGE_TAG" "default" }}'
    )
    assert info.value.file == "defs/ecs-task-def.json"
    assert info.value.where == "line 2:19"
    assert isinstance(info.value, ConfigError)


def test_every_missing_variable_is_named_in_one_error() -> None:
    text = '{{ must_env "A" }}\n  {{ must_env "B" }} {{ must_env "C" | json_escape }}'
    with pytest.raises(TemplateError) as info:
        render(text, source="f.yml", environ={})
    message = str(info.value)
    assert message.startswith("f.yml: line 1:1: environment variable A is not set")
    assert message.endswith("(also not set: B at line 2:3, C at line 2:22)")


def test_syntax_errors_are_reported_before_missing_variables() -> None:
    # Go parses the whole template before it runs any of it.
    text = '{{ must_env "UNSET" }}\n{{ tfstate "x" }}'
    with pytest.raises(TemplateError, match=r"line 2:1: .*tfstate"):
        render(text, source="f", environ={})


def test_unknown_function_names_expression_and_the_plugin_that_adds_it() -> None:
    text = 'family: app\nrole: "{{ tfstate `aws_iam_role.task.arn` }}"\n'
    with pytest.raises(TemplateError) as info:
        render(text, source="ecs-task-def.yml", environ={})
    message = str(info.value)
    assert message.startswith(
        "ecs-task-def.yml: line 2:8: bad template expression {{ tfstate `aws_iam_role.task.arn` }}: "
        'unknown function "tfstate" (the tfstate plugin adds it: declare `plugins: [{name: tfstate, ...}]`'
    )
    assert message.endswith("available: env, json_escape, must_env")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param('x {{ nope "/a/b" }}', 'unknown function "nope"', id="unknown-function"),
        pytest.param('x {{ my_tfstate "a" }}', 'unknown function "my_tfstate" (a tfstate with a func_prefix', id="unknown-prefixed-function"),
        pytest.param('x {{ must_env "TAG" }', "unexpected single } (an action ends with }})", id="half-closed"),
        pytest.param('x {{ must_env "TAG" ', "unclosed action (no }})", id="unclosed-at-end"),
        pytest.param('x {{ must_env "TAG }}', 'unterminated quoted string (no closing ")', id="unterminated-string"),
        pytest.param("x {{ must_env `TAG }}", "unterminated raw string (no closing `)", id="unterminated-raw"),
        pytest.param("x {{ .Values.tag }}", "unexpected '.'", id="field-access"),
        pytest.param("x {{ $tag }}", "unexpected '$'", id="variable"),
        pytest.param("x {{ range `A` }}y{{ end }}", 'Go template "range" is not supported', id="range"),
        pytest.param("x {{ with `A` }}y{{ end }}", 'Go template "with" is not supported', id="with"),
        pytest.param("x {{ else }}", "{{ else }} without {{ if }}", id="else-without-if"),
        pytest.param("x {{ end }}", "{{ end }} without {{ if }}", id="end-without-if"),
        pytest.param("x {{ if }}y{{ end }}", "if needs a condition", id="if-without-condition"),
        pytest.param("x {{{ env `A` }}}", "unexpected { inside an action (unbalanced braces)", id="triple-brace"),
        pytest.param("x {{ env `A` } }}", "unexpected single } (an action ends with }})", id="single-brace"),
        pytest.param("x {{ }}", "missing value before end of action", id="empty-action"),
        pytest.param("x {{ env `A` | }}", "missing value before end of action", id="pipe-to-nothing"),
        pytest.param("x {{ env `A` | `lit` }}", "only a function can follow | in a pipe", id="pipe-to-literal"),
        pytest.param('x {{ "a" "b" }}', "only a function can take arguments", id="literal-with-args"),
        pytest.param("x {{ (env `A` }}", "missing ) before end of action", id="unbalanced-paren"),
        pytest.param("x {{ env `A`) }}", "unexpected ')'", id="extra-paren"),
        pytest.param('x {{ env "\\q" }}', "unknown escape \\q in quoted string", id="bad-escape"),
        pytest.param("x {{/* no end }}", "unclosed comment (no */)", id="unclosed-comment"),
    ],
)
def test_bad_expressions(text: str, reason: str) -> None:
    with pytest.raises(TemplateError) as info:
        render(text, source="conf/ecspresso.yml", environ={"A": "a", "TAG": "t"})
    message = str(info.value)
    assert message.startswith("conf/ecspresso.yml: line 1:3: bad template expression {{")
    assert f": {reason}" in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("x {{ must_env }}", "must_env takes 1 argument, got 0", id="must_env-no-args"),
        pytest.param("x {{ must_env `A` `B` }}", "must_env takes 1 argument, got 2", id="must_env-two-args"),
        pytest.param("x {{ json_escape }}", "json_escape takes 1 argument, got 0", id="json_escape-no-args"),
        pytest.param("x {{ env `A` | json_escape `b` }}", "json_escape takes 1 argument, got 2", id="pipe-arity"),
        pytest.param("x {{ eq 1 `1` }}", "eq: incompatible types for comparison (int and string)", id="eq-kinds"),
        pytest.param("x {{ lt true false }}", "lt: invalid type for comparison (bool)", id="lt-bool"),
        pytest.param("x {{ must_env 1 }}", "must_env takes a string, got int 1", id="must_env-int"),
    ],
)
def test_errors_while_running(text: str, reason: str) -> None:
    with pytest.raises(TemplateError) as info:
        render(text, source="conf/ecspresso.yml", environ={"A": "a", "TAG": "t"})
    assert str(info.value).startswith("conf/ecspresso.yml: line 1:3: {{")
    assert str(info.value).endswith(reason)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('{{ if eq (env "STAGE" "dev") "prod" }}P{{ else }}D{{ end }}', "D", id="if-else-default"),
        pytest.param('{{ if eq (must_env "TAG") "v1.2.3" }}yes{{ end }}', "yes", id="if-eq"),
        pytest.param('{{ if ne (must_env "TAG") "v1.2.3" }}yes{{ end }}', "", id="if-ne-false"),
        pytest.param('{{ if eq "b" "a" "b" }}in{{ end }}', "in", id="eq-any-of"),
        pytest.param('{{ if eq "x" "a" }}A{{ else if eq "x" "x" }}X{{ else }}E{{ end }}', "X", id="else-if"),
        pytest.param('{{ if env "EMPTY" }}T{{ else }}F{{ end }}', "T", id="env-of-empty-returns-the-name"),
        pytest.param('{{ if must_env "EMPTY" }}T{{ else }}F{{ end }}', "F", id="empty-string-is-false"),
        pytest.param('{{ if and (must_env "TAG") (not (must_env "EMPTY")) }}ok{{ end }}', "ok", id="and-not"),
        pytest.param('{{ if or (must_env "EMPTY") "" }}T{{ else }}F{{ end }}', "F", id="or-false"),
        pytest.param('{{ or (must_env "EMPTY") "fallback" }}', "fallback", id="or-returns-value"),
        pytest.param('{{ and "a" "b" }}', "b", id="and-returns-last"),
        pytest.param('{{ if and false (must_env "UNSET") }}T{{ end }}|', "|", id="and-short-circuits"),
        pytest.param("{{ if lt 1 2 }}lt{{ end }}{{ if ge 2 2 }}ge{{ end }}", "ltge", id="ordering"),
        pytest.param("{{ if true }}{{ if false }}a{{ else }}b{{ end }}{{ end }}", "b", id="nested"),
        pytest.param('a\n{{- if true }}\n  b\n{{- end }}\nc', "a\n  b\nc", id="trim-around-blocks"),
        pytest.param('{{ printf "%s:%d" (must_env "TAG") 3 }}', "v1.2.3:3", id="printf"),
        pytest.param('{{ print "a" 1 2 "b" }}', "a1 2b", id="print-spacing"),
        pytest.param('{{ len (must_env "TAG") }}', "6", id="len"),
        pytest.param("{{ 42 }} {{ -1 }} {{ true }}", "42 -1 true", id="literals"),
        pytest.param('{{ must_env "TAG" | printf "tag=%s" }}', "tag=v1.2.3", id="pipe-into-printf"),
    ],
)
def test_control_flow(text: str, expected: str) -> None:
    assert r(text) == expected


def test_if_without_end() -> None:
    with pytest.raises(TemplateError, match=r"line 2:1: \{\{ if true \}\} has no \{\{ end \}\}"):
        r("a\n{{ if true }}b")


def test_missing_variable_in_untaken_branch_is_not_an_error() -> None:
    assert r('{{ if false }}{{ must_env "UNSET" }}{{ end }}ok') == "ok"


def test_long_expressions_are_shortened_in_messages() -> None:
    text = "{{ nope `" + "x" * 300 + "` }}"
    with pytest.raises(TemplateError) as info:
        render(text, source="f", environ={})
    assert "..." in str(info.value)
    assert len(str(info.value)) < 400
