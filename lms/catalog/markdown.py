"""Markdown to safe HTML for module content.

markdown-it renders (raw HTML allowed, so authors can use a little of it); nh3 (the
Ammonia sanitiser) then keeps only an allow-list of tags, attributes and URL schemes, so
`<script>`, `on*=` handlers and `javascript:` links never reach a page whatever the source.
"""

import nh3
from markdown_it import MarkdownIt

from lms.core.typography import french_spacing

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"lang"},
}
_URL_SCHEMES = {"http", "https", "mailto"}

_renderer = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table")


def render_markdown(source: str) -> str:
    """Render Markdown to HTML that is safe to insert into a page as is."""
    tokens = _renderer.parse(source)
    for token in tokens:
        # The page's own <h1> is the module title; a "# " heading in the content
        # becomes <h2> so that heading levels stay in order.
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"
        for child in token.children or ():
            if child.type == "text":
                child.content = french_spacing(child.content)
    return sanitise_html(_renderer.renderer.render(tokens, _renderer.options, {}))


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
