"""Safe output: names and values from users (service names, env names and values, images) shown
so they cannot change what surrounds them.

Text: control characters, ANSI escapes, line/paragraph separators and bidi overrides are shown
escaped (`\\n`, `\\x1b`, `\\u202e`): a value cannot fake a "No changes" line, colour the terminal or
reorder what is printed. Markdown: outside code blocks a user's text goes into a code span whose
backtick run is longer than any inside it (CommonMark), or through `html_text` inside raw HTML
(`<summary>`); fenced blocks use a fence longer than any backtick run they hold. Nothing a user
wrote becomes an HTML element, a link, an image or an autolink.
"""

from __future__ import annotations

import html
import re
import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Bidi embeddings/overrides/isolates and marks: they reorder what a terminal or browser shows.
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")


def _unsafe(ch: str) -> bool:
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def _escaped(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def text(value: str) -> str:
    """One line, every unprintable character shown escaped (`\\n`, `\\x1b`, `\\u2028`)."""
    return "".join(_escaped(ch) if _unsafe(ch) else ch for ch in value)


def lines(value: str) -> str:
    """As `text`, keeping real newlines: a multi-line value the renderer laid out itself (pretty
    JSON, whose strings hold their own newlines escaped)."""
    return "\n".join(text(line) for line in value.split("\n"))


_BACKTICKS = re.compile(r"`+")


def _longest_run(value: str) -> int:
    return max((len(m) for m in _BACKTICKS.findall(value)), default=0)


def code(value: str) -> str:
    """A Markdown code span that holds `value` literally, whatever it contains: one line, a
    backtick run longer than any in the value, padded with a space where the value starts or ends
    with a backtick or a space (CommonMark strips one space from each side), and `|` escaped so it
    cannot end a table cell (GFM reads `\\|` inside a cell's code span as `|`)."""
    shown = text(value).replace("|", "\\|")
    fence = "`" * (_longest_run(shown) + 1)
    if shown[:1] in ("`", " ") or shown[-1:] in ("`", " "):
        shown = f" {shown} "
    return f"{fence}{shown}{fence}"


def fence(body: list[str], info: str = "") -> list[str]:
    """A fenced code block around `body`: backticks longer than any run inside (3 at least)."""
    run = max([3] + [_longest_run(line) + 1 for line in body])
    mark = "`" * run
    return [mark + info, *body, mark]


def html_text(value: str) -> str:
    """Text inside raw HTML (a `<summary>`): one line (a blank line would end the HTML block),
    `< > & " '` as entities."""
    return html.escape(text(value), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!|&~#():.$])")


def markdown_text(value: str) -> str:
    """Plain Markdown text (a reason, a note): one line, every ASCII punctuation that Markdown or
    GFM gives a meaning (emphasis, links, HTML, entities, autolinks, tables) backslash-escaped."""
    # GFM links `a@b.co` whatever is escaped: an empty comment after `@` breaks the address.
    return _MD_SPECIAL.sub(r"\\\1", text(value)).replace("@", "@<!-- -->")
