"""Markdown as GitHub renders it (cmarkgfm, GitHub's cmark fork, raw HTML let through as GitHub's
renderer does before sanitising), checked well formed: every element closed in order, only the
elements ecsplan writes, no link, image or event attribute."""

from __future__ import annotations

from html.parser import HTMLParser

import cmarkgfm

ALLOWED = {"h2", "p", "strong", "em", "code", "pre", "blockquote", "ul", "li", "table", "thead", "tbody", "tr", "th",
           "td", "details", "summary", "b"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.seen: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs_):
        self.seen.append(tag)
        if tag not in ALLOWED:
            self.errors.append(f"<{tag}> {attrs_}")
        if any(a in ("href", "src") or a.startswith("on") for a, _ in attrs_):
            self.errors.append(f"attribute on <{tag}>: {attrs_}")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def github_html(md: str) -> _Tags:
    html = cmarkgfm.github_flavored_markdown_to_html(md, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)
    tags = _Tags()
    tags.feed(html)
    tags.close()
    assert not tags.errors, (tags.errors, html)
    assert not tags.stack, tags.stack
    return tags
