"""Long values (command lines, JSON in env vars) show which words changed."""

from planner.diff import Change
from planner.render.inline import inline_diff
from planner.render.text import _Painter, render_change


def test_command_line_words():
    before = ["python", "-m", "gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:wsgi"]
    after = ["python", "-m", "gunicorn", "--workers", "8", "--bind", "0.0.0.0:8000", "--timeout", "30", "app:wsgi"]
    assert inline_diff(before, after) == "python -m gunicorn --workers [-4-]{+8+} --bind 0.0.0.0:8000 {+--timeout 30 +}app:wsgi"


def test_json_in_an_env_var_keeps_context_around_far_apart_changes():
    before = '{"flags": {"checkout": false}, "padding": "' + "x" * 100 + '", "timeout_ms": 1500}'
    after = before.replace("false", "true").replace("1500", "2500")
    words = inline_diff(before, after)
    assert "[-false-]{+true+}" in words and "[-1500-]{+2500+}" in words and " … " in words
    assert len(words) < len(before)


def test_short_or_structured_values_use_the_plain_form():
    assert inline_diff("nginx:1.25", "nginx:1.27") is None
    assert inline_diff({"a": 1}, {"a": 2}) is None


def test_text_output_shows_changed_words_under_the_change():
    change = Change(path="containerDefinitions[app].command", before=["run", "--workers", "4", "--log-level", "info", "--bind", "0.0.0.0"],
                    after=["run", "--workers", "8", "--log-level", "info", "--bind", "0.0.0.0"])
    text = render_change(change, _Painter(False))
    assert text.splitlines()[1].strip() == "changed words: run --workers [-4-]{+8+} --log-level info --bind 0.0.0.0"
