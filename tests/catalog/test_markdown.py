"""Module content: Markdown renders, and nothing an author writes can run in a learner's page."""

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from lms.catalog.cli import import_courses
from lms.catalog.markdown import render_markdown
from lms.progress.queries import load_parcours
from tests.catalog.packages import write_package
from tests.learning.helpers import enroll, module_url

ATTACKS = {
    "script": "<script>alert(1)</script>",
    "markdown_javascript_link": "[x](javascript:alert(1))",
    "mixed_case_javascript_href": '<a href="JaVaScRiPt:alert(1)">lien</a>',
    "entity_hidden_javascript_href": '<a href="jav&#x09;ascript:alert(1)">lien</a>',
    "img_onerror": "<img src=x onerror=alert(1)>",
    "iframe": '<iframe src="https://example.org/"></iframe>',
    "svg_onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "style": "<style>body { display: none }</style>",
    "style_attribute": '<p style="background: url(javascript:alert(1))">texte</p>',
    "markdown_data_link": "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "markdown_data_image": "![i](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "html_data_href": '<a href="data:text/html,<script>alert(1)</script>">lien</a>',
    "form": '<form action="https://evil.example/"><input name="q"></form>',
}

# Elements that run code, load other documents or restyle the page.
ACTIVE_ELEMENTS = {"script", "iframe", "frame", "object", "embed", "svg", "math", "style", "form"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "background"}


Element = tuple[str, dict[str, str]]


class Elements(HTMLParser):
    """The start tags of a page with their attributes, entities decoded as a browser would;
    `prose` holds those inside the module content, `<div class="prose">`."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.all: list[Element] = []
        self.prose: list[Element] = []
        self._prose_depth = 0  # open <div>s since the prose one, itself included
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = (tag, {name: value or "" for name, value in attrs})
        self.all.append(element)
        if self._prose_depth:
            self.prose.append(element)
            self._prose_depth += tag == "div"
        elif tag == "div" and "prose" in element[1].get("class", "").split():
            self._prose_depth = 1

    def handle_endtag(self, tag):
        if self._prose_depth and tag == "div":
            self._prose_depth -= 1


def assert_inert(elements: list[Element], allowed: frozenset[str] = frozenset()) -> None:
    """No element that runs code, no event handler, no inline style, no javascript:/data: URL."""
    for tag, attributes in elements:
        assert tag in allowed or tag not in ACTIVE_ELEMENTS, (tag, attributes)
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, attributes)
            assert name != "style", (tag, attributes)
            if name in URL_ATTRIBUTES:
                # Browsers ignore case, whitespace and control characters in the scheme.
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:")), (tag, attributes)


def assert_rendered_inert(html: str) -> None:
    assert_inert(Elements(html).all)
    # Whatever survives of an attack is text: no attribute may still carry it.
    assert not any("alert" in value for _, attrs in Elements(html).all for value in attrs.values())


@pytest.mark.parametrize("source", ATTACKS.values(), ids=ATTACKS.keys())
def test_dangerous_markup_is_made_inert(source):
    assert_rendered_inert(render_markdown(f"Avant.\n\n{source}\n\nAprès."))


def test_the_checks_catch_every_html_attack_left_unsanitised():
    # A check of the checker: rendered without the sanitiser, each raw HTML attack is caught.
    unsafe = MarkdownIt("commonmark", {"html": True})
    for name, source in ATTACKS.items():
        if name.startswith("markdown_"):
            continue  # markdown-it itself refuses these links; the sanitiser is a second net
        with pytest.raises(AssertionError):
            assert_rendered_inert(unsafe.render(source))


ORDINARY = """\
# Un titre

## Une partie

Du texte avec de l'*emphase*, du **gras**, du `code` et un [lien](https://example.org/page).

- un
- deux

1. premier
2. second

| Levier | Exemple |
|---|---|
| alliances | un partenariat |

> Une citation.

![Un schéma](https://example.org/schema.png)
"""


def test_ordinary_markdown_still_renders():
    html = render_markdown(ORDINARY)

    # The page's <h1> is the module title: a "# " heading becomes <h2>.
    assert "<h2>Un titre</h2>" in html
    assert "<h2>Une partie</h2>" in html
    assert "<em>emphase</em>" in html
    assert "<strong>gras</strong>" in html
    assert "<code>code</code>" in html
    assert '<a href="https://example.org/page" rel="noopener noreferrer">lien</a>' in html
    assert "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>" in html
    assert "<ol>\n<li>premier</li>\n<li>second</li>\n</ol>" in html
    assert "<th>Levier</th>" in html
    assert "<td>un partenariat</td>" in html
    assert "<blockquote>" in html
    assert '<img src="https://example.org/schema.png" alt="Un schéma">' in html
    assert_rendered_inert(html)


def test_module_page_serves_the_content_inert(tmp_path, client, login, make_user):
    package = write_package(tmp_path / "essai")
    attacks = "\n\n".join(ATTACKS.values())
    package.replace(
        "modules/bases.md",
        "Un texte **important** sur les bases.",
        f"Un texte **important** sur les bases.\n\n{attacks}\n\n## La suite\n\nFin du module.",
    )
    import_courses(package.path)
    parcours = load_parcours("essai")
    module = parcours.levels[0].modules[0]
    login(make_user())
    enroll(client, parcours)

    response = client.get(module_url(parcours, module))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    elements = Elements(html)
    assert ("strong", {}) in elements.prose
    assert_inert(elements.prose)
    assert not any("alert" in value for _, attrs in elements.prose for value in attrs.values())
    # The page's own forms (log out, "J'ai lu ce module") are the only active elements.
    assert_inert(elements.all, allowed=frozenset({"form"}))
    assert "<strong>important</strong>" in html
    assert "<h2>La suite</h2>" in html
    assert "Fin du module." in html
