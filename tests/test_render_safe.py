"""Safe output: what a user wrote (a service name, an env name or value, an image) cannot change
what surrounds it. Markdown is checked as GitHub renders it (cmarkgfm, GitHub's cmark fork, with
raw HTML let through as GitHub's own renderer does before sanitising): the HTML is well formed
and no element comes from a user's text. Text: no raw control character or escape sequence."""

from __future__ import annotations

import re

import attrs
import cmarkgfm
import pytest

from planner.build import build_plan
from planner.model import ServiceRef
from planner.render import escape, markdown, text
from tests.factories import TASK, desired, live
from tests.helpers_markdown import github_html

EVIL = [
    "a\nb",
    "a\n\nNo changes. Your infrastructure matches the configuration.",
    "\x1b[31mred\x1b[0m",
    "tick`s ``x`` ```",
    "`",
    "`[click](https://evil.example.com)` `<img src=x>`",
    "</details><details><summary>x",
    "</code></pre></details>",
    "[click](https://evil.example.com)",
    "![img](https://evil.example.com/x.png)",
    "<img src=x onerror=alert(1)>",
    "<https://evil.example.com>",
    "https://evil.example.com and www.evil.example.com and a@evil.example.com",
    "| cell | break |",
    "**bold** _em_ ~~del~~ $math$",
    "\u202eevil\u2028line",
]

def evil_plan(evil: str):
    container = dict(TASK["containerDefinitions"][0], image=f"nginx:{evil}",
                     environment=[{"name": f"E{evil}", "value": evil}, {"name": "LOG_LEVEL", "value": evil}])
    was = dict(TASK["containerDefinitions"][0], environment=[{"name": "LOG_LEVEL", "value": "info"}, {"name": f"R{evil}", "value": "1"}])
    plan = build_plan([(desired(task=dict(TASK, containerDefinitions=[container])), live(task=dict(TASK, containerDefinitions=[was])))])
    service = attrs.evolve(plan.services[0], ref=ServiceRef(cluster=f"c{evil}", service=f"s{evil}"))
    return attrs.evolve(plan, services=(service,))


@pytest.mark.parametrize("evil", EVIL)
def test_markdown_renders_user_text_as_text(evil):
    md = markdown.render(evil_plan(evil))
    tags = github_html(md)
    assert tags.seen.count("details") == 1 and tags.seen.count("pre") == 1  # the diff block closed where it should
    assert tags.seen.count("table") == 1
    shown = "".join(tags.text)
    assert escape.text(evil) in shown  # the user's text is there, as text
    assert f"containerDefinitions[app].environment[R{escape.text(evil)}]" in shown  # in the removals callout
    assert "\x1b" not in md and "\u202e" not in md


def test_markdown_shortened_plans_are_well_formed_too():
    plan = evil_plan("</details>`` [x](y) ![i](j)")
    md = markdown.render(plan, limit=1_500)
    assert len(md) <= 1_500
    github_html(md)


@pytest.mark.parametrize("evil", EVIL)
def test_text_shows_control_characters_escaped(evil):
    plan = evil_plan(evil)
    out = text.render(plan, color=False)
    assert "\x1b" not in out and "\u202e" not in out and "\u2028" not in out
    assert not any(line.startswith("No changes") for line in out.splitlines())
    coloured = text.render(plan, color=True)
    assert set(re.findall(r"\x1b\[[0-9;]*m", coloured)) <= {"\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[31;1m"}
    assert "\x1b[31mred" not in coloured
    # Each line is what the renderer made: a header, a marked change or its continuation.
    for line in out.splitlines():
        assert line == "" or line.startswith(("ecsplan will", "# s", "  ", "Plan:", "Plan id: ", "Risks:")), line


def test_escape_text():
    assert escape.text("a\nb\tc\r\x1b[0m\x7f\x85\u2028\u202e é") == "a\\nb\\tc\\r\\x1b[0m\\x7f\\x85\\u2028\\u202e é"
    assert escape.lines("a\x1b\nb") == "a\\x1b\nb"


@pytest.mark.parametrize("value, span", [
    ("plain", "`plain`"),
    ("a`b", "``a`b``"),
    ("``x", "``` ``x ```"),
    ("x`", "`` x` ``"),
    (" lead", "`  lead `"),
    ("a|b", "`a\\|b`"),
    ("a\nb", "`a\\nb`"),
])
def test_code_spans_hold_any_text(value, span):
    assert escape.code(value) == span
    html = cmarkgfm.github_flavored_markdown_to_html(f"x {span} y")
    assert html.count("<code>") == 1


def test_fences_are_longer_than_any_backtick_run_inside():
    assert escape.fence(["a", "```", "`````x"], "diff") == ["``````diff", "a", "```", "`````x", "``````"]
    assert escape.fence(["a"]) == ["```", "a", "```"]


def test_html_and_markdown_text():
    assert escape.html_text("<b>&\"'\n") == "&lt;b&gt;&amp;&quot;&#x27;\\n"
    assert escape.markdown_text("a*b_[c](d)!<e>|~#`\\:.$") == "a\\*b\\_\\[c\\]\\(d\\)\\!\\<e\\>\\|\\~\\#\\`\\\\\\:\\.\\$"
    assert escape.markdown_text("a@b.c") == "a@<!-- -->b\\.c"
