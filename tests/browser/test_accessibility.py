"""Accessibility (RGAA 4.1 / WCAG 2.1 AA) of every main page, in French and in English.

axe-core (installed by `npm ci` from package-lock.json) is injected into each page; any
violation of impact "serious" or "critical" fails the test, with what to fix. Cheap structural
checks that axe does not make run on the same pages: one h1 and no skipped heading level,
and every field flagged in error tied to its message.

To add a page: one line in PAGES, `"name": Target("/path/{placeholder}", "role")`, with the
placeholders of `PageData` and a role of ACCOUNTS (None: not logged in); an optional `action`
runs on the page first (submitting a form to see its errors, for instance).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page

from config import ROOT
from lms.accounts.models import Role, User
from lms.accounts.operations import create_user
from lms.catalog.operations import add_owner
from lms.certificates.operations import issue_certificate
from lms.core.db import utcnow
from lms.extensions import db
from lms.learning.operations import attempt_questions, enroll, mark_module_read, submit_quiz
from lms.networks.cli import generate_demo_cohort
from lms.networks.models import Cohort
from lms.progress.queries import load_parcours
from lms.xapi.clients import create_client
from lms.xapi.store import record_statements
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_journey_browser import SEED_SLUG
from tests.fixtures.databases import skip_or_fail

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA (what RGAA 4.1 maps to), and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
PASSWORD = "un mot de passe assez long"
# One account per role, as `flask lms demo` makes them (the demo cohort's staff is found by
# these addresses).
ACCOUNTS = {
    "learner": ("Camille Apprenante", "apprenant@parcours.demo", Role.LEARNER),
    "trainer": ("Dominique Formatrice", "formateur@parcours.demo", Role.TRAINER),
    "manager": ("Sacha Réseau", "reseau@parcours.demo", Role.NETWORK_MANAGER),
    "admin": ("Alex Admin", "admin@parcours.demo", Role.ADMIN),
    "graduate": ("Claude Diplômée", "diplomee@example.org", Role.LEARNER),  # all done
}
LANGUAGES = ["fr", "en"]


@dataclass(frozen=True)
class PageData:
    """What the paths of PAGES may name, made once per live server."""

    slug: str
    module: str  # the first module of the seed parcours, which has a quiz
    question: str  # the key of one of its questions
    cohort: int
    network: int
    code: str  # the learner's certificate
    join_code: str  # the cohort's invitation code


@dataclass(frozen=True)
class Target:
    path: str
    role: str | None = None
    action: Callable[[Page], None] | None = None


def submit_empty_quiz(page: Page) -> None:
    page.locator("form:has(input[name=presented]) [type=submit]").click()


def submit_first_form(page: Page) -> None:
    """Submit the main content's first form with its text fields emptied: its errors show."""
    typed = "input[type=text], input[type=email], input[type=password]"
    form = page.locator(f"main form:has({typed})").first
    for field in form.locator(f"{typed}, textarea").all():
        if field.is_visible():
            field.fill("")
    form.locator("[type=submit]").first.click()


def upload_bad_csv(page: Page) -> None:
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "inscrits.csv",
                "mimeType": "text/csv",
                "buffer": b"email;prenom;nom;structure\n"
                b"pas-une-adresse;Zo\xc3\xa9;Faure;DLA de la Loire\n"
                b"lina@example.org;Lina;Moreau;DLA de la Loire\n",
            }
        ]
    )
    page.locator("main form:has(input[type=file]) [type=submit]").click()


QUIZ = "/parcours/{slug}/modules/{module}/quiz"
WORKSHOP_MODULE = "/atelier/{slug}/modules/{module}"
PAGES: dict[str, Target] = {
    "catalogue": Target("/"),
    "login": Target("/connexion"),
    "login-errors": Target("/connexion", action=submit_first_form),
    "register": Target("/inscription"),
    "register-errors": Target("/inscription", action=submit_first_form),
    "verify-form": Target("/verify"),
    "verify-certificate": Target("/verify/{code}"),
    "accessibility-statement": Target("/accessibilite"),
    "privacy": Target("/confidentialite"),
    "not-found": Target("/cette-page-n-existe-pas"),
    "parcours": Target("/parcours/{slug}", "learner"),
    "module": Target("/parcours/{slug}/modules/{module}", "learner"),
    "quiz": Target(QUIZ, "learner"),
    "quiz-missing-answers": Target(QUIZ, "learner", submit_empty_quiz),
    "quiz-results": Target(QUIZ + "/tentatives/1", "learner"),
    "parcours-completed": Target("/parcours/{slug}/termine", "graduate"),
    "my-parcours": Target("/mes-parcours", "learner"),
    "my-certificates": Target("/mes-certificats", "learner"),
    "account": Target("/compte", "learner"),
    "account-errors": Target("/compte", "learner", submit_first_form),
    "forgot-password": Target("/mot-de-passe-oublie"),
    "forgot-password-errors": Target("/mot-de-passe-oublie", action=submit_first_form),
    "my-data": Target("/compte/donnees", "learner"),
    "my-data-delete-errors": Target("/compte/donnees", "learner", submit_first_form),
    "networks": Target("/reseaux", "manager"),
    "network": Target("/reseaux/{network}", "manager"),
    "cohort-dashboard": Target("/cohortes/{cohort}", "manager"),
    "cohort-new": Target("/reseaux/{network}/cohortes/nouvelle", "manager"),
    "cohort-new-errors": Target(
        "/reseaux/{network}/cohortes/nouvelle", "manager", submit_first_form
    ),
    "cohort-settings": Target("/cohortes/{cohort}/parametres", "manager"),
    "cohort-upload": Target("/cohortes/{cohort}/inscriptions", "manager"),
    "cohort-upload-preview": Target("/cohortes/{cohort}/inscriptions", "manager", upload_bad_csv),
    "cohort-join": Target("/rejoindre/{join_code}", "learner"),
    "cohort-join-anonymous": Target("/rejoindre/{join_code}"),
    "admin-networks": Target("/admin/reseaux", "admin"),
    "workshop": Target("/atelier/", "trainer"),
    "workshop-new-parcours-errors": Target("/atelier/", "trainer", submit_first_form),
    "workshop-parcours": Target("/atelier/{slug}/", "trainer"),
    "workshop-module": Target(WORKSHOP_MODULE, "trainer"),
    "workshop-module-errors": Target(WORKSHOP_MODULE, "trainer", submit_first_form),
    "workshop-quiz": Target(WORKSHOP_MODULE + "/quiz", "trainer"),
    "workshop-question": Target(WORKSHOP_MODULE + "/quiz/questions/{question}", "trainer"),
    "workshop-new-question": Target(
        WORKSHOP_MODULE + "/quiz/questions/nouvelle/matching", "trainer"
    ),
    "workshop-question-errors": Target(
        WORKSHOP_MODULE + "/quiz/questions/nouvelle/single_choice", "trainer", submit_first_form
    ),
    "workshop-question-bank": Target("/atelier/{slug}/banque", "trainer"),
    "workshop-module-preview": Target(WORKSHOP_MODULE + "/apercu", "trainer"),
    "workshop-quiz-preview": Target(WORKSHOP_MODULE + "/quiz/apercu", "trainer"),
    "workshop-analysis": Target("/atelier/{slug}/analyse", "trainer"),
    "workshop-module-analysis": Target(WORKSHOP_MODULE + "/analyse", "trainer"),
    "workshop-owners": Target("/atelier/{slug}/proprietaires", "trainer"),
    "workshop-import": Target("/atelier/importer", "trainer"),
    "certificates-management": Target("/certificats", "trainer"),
    "certificate-management": Target("/certificats/{code}", "admin"),
    "jobs": Target("/admin/taches", "admin"),
    "lrs-clients": Target("/admin/lrs/clients", "admin"),
    "lrs-clients-errors": Target("/admin/lrs/clients", "admin", submit_first_form),
    "lrs-forwarding": Target("/admin/lrs/forwarding", "admin"),
}


def _axe_source() -> str:
    if not AXE.is_file():
        skip_or_fail(f"axe-core not found at {AXE} (npm ci installs axe-core)")
    return AXE.read_text(encoding="utf-8")


def _make_data(app) -> PageData:
    """Accounts of every role, the demo cohort with a few learners, and a learner who took
    the first quiz and holds a certificate."""
    with app.app_context():
        users = {
            role: create_user(name, email, PASSWORD, kind)
            for role, (name, email, kind) in ACCOUNTS.items()
        }
        add_owner(SEED_SLUG, users["trainer"].email)
        db.session.commit()
        parcours = load_parcours(SEED_SLUG)
        module = next(m for level in parcours.levels for m in level.modules if m.quiz)
        generate_demo_cohort(parcours, learners=6, statements=0, seed=1)
        cohort = db.session.scalars(sa.select(Cohort).order_by(Cohort.id)).first()
        learner = db.session.get(User, users["learner"].id)
        enrollment = enroll(learner, parcours)
        mark_module_read(enrollment, module)
        presented = attempt_questions(enrollment, module.quiz)
        submit_quiz(enrollment, module.quiz, {q.key: [q.order[0]] for q in presented})
        certificate, earned = issue_certificate(enrollment, None, utcnow())
        record_statements(earned)
        _complete(db.session.get(User, users["graduate"].id), parcours)
        create_client("Outil auteur", ["statements/write"], created_by=users["admin"])
        data = PageData(
            slug=SEED_SLUG,
            module=module.slug,
            question=module.quiz.questions[0].key,
            cohort=cohort.id,
            network=cohort.network_id,
            code=certificate.code,
            join_code=cohort.invitation_code,
        )
        db.session.commit()
        db.session.remove()
    return data


def _complete(user: User, parcours) -> None:
    """Read every module and pass every quiz, through the operations a learner's clicks call."""
    enrollment = enroll(user, parcours)
    for module in (m for level in parcours.levels for m in level.modules):
        mark_module_read(enrollment, module)
        if module.quiz is not None:
            answers = {
                q.key: [c["id"] for c in q.snap["choices"] if c.get("correct")]
                for q in attempt_questions(enrollment, module.quiz)
            }
            assert submit_quiz(enrollment, module.quiz, answers).is_passed


class Visitors:
    """One browser context per role, logged in once and reused; the language is switched
    through the footer's form when a page asks for another one."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: dict[str | None, tuple[BrowserContext, Page]] = {}
        self.languages: dict[str | None, str] = {}

    def page(self, role: str | None, lang: str) -> Page:
        if role not in self.contexts:
            # The page's CSP (if any) must not keep axe out: it is evaluated, not added as a
            # <script>, and the context bypasses CSP anyway.
            context = self.browser.new_context(
                base_url=self.base_url,
                locale="fr-FR",
                viewport={"width": 1280, "height": 900},
                bypass_csp=True,
            )
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            if role is not None:
                _log_in(page, ACCOUNTS[role][1])
            self.contexts[role] = (context, page)
            self.languages[role] = "fr"
        page = self.contexts[role][1]
        if self.languages[role] != lang:
            page.goto("/accessibilite")
            page.locator(f"form.language-switch button[value={lang}]").click()
            assert page.locator("html").get_attribute("lang") == lang
            self.languages[role] = lang
        return page

    def close(self) -> None:
        for context, _page in self.contexts.values():
            context.close()


def _log_in(page: Page, email: str) -> None:
    page.goto("/connexion")
    page.locator("main input[type=email]").fill(email)
    page.locator("main input[type=password]").fill(PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("form[action='/deconnexion']").count() == 1, f"{email} not logged in"


@pytest.fixture(scope="module")
def axe_source() -> str:
    return _axe_source()


@pytest.fixture(scope="module")
def page_data(live_server) -> PageData:
    return _make_data(live_server.app)


@pytest.fixture(scope="module")
def visitors(browser, live_server, page_data) -> Iterator[Visitors]:
    visitors = Visitors(browser, live_server.url)
    try:
        yield visitors
    finally:
        visitors.close()


def _open(visitors: Visitors, page_data: PageData, name: str, lang: str) -> Page:
    target = PAGES[name]
    page = visitors.page(target.role, lang)
    path = target.path.format(**vars(page_data))
    response = page.goto(path)
    assert response is not None
    assert response.status < 500, f"{path}: HTTP {response.status}"
    if name != "not-found":
        assert response.status == 200, f"{path}: HTTP {response.status}"
    # Not sent elsewhere (a login page, the parcours instead of its end page…).
    assert urlsplit(page.url).path == urlsplit(path).path, f"{path}: redirected to {page.url}"
    if target.action is not None:
        target.action(page)
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang
    return page


def _serious_violations(page: Page, axe_source: str) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    results = page.evaluate(
        """async (tags) => {
            // resultTypes: only the violations are detailed (faster on long pages).
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        AXE_TAGS,
    )
    return [v for v in results if v["impact"] in FAILING_IMPACTS]


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        lines.extend(f"    {target}" for target in v["targets"][:10])
    return "\n".join(lines)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation(visitors, page_data, axe_source, name, lang):
    page = _open(visitors, page_data, name, lang)

    violations = _serious_violations(page, axe_source)

    assert not violations, f"{name} [{lang}] {page.url}\n" + _report(violations)


def test_axe_does_report_a_serious_violation(visitors, page_data, axe_source):
    # The harness itself: a field without a label, added to a clean page, must be caught.
    page = _open(visitors, page_data, "catalogue", "fr")
    page.evaluate(
        "() => document.querySelector('main').append(Object.assign("
        "document.createElement('input'), {type: 'text', id: 'sans-etiquette'}))"
    )

    violations = _serious_violations(page, axe_source)

    assert [v["id"] for v in violations] == ["label"]
    assert violations[0]["targets"] == ["#sans-etiquette"]


HEADINGS_JS = """() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
    .filter(h => h.getClientRects().length > 0 || h.closest('details'))
    .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""

FIELDS_IN_ERROR_JS = """() => Array.from(document.querySelectorAll('.field-error'))
    .flatMap(f => Array.from(f.querySelectorAll('input, select, textarea')))
    .filter(input => input.type !== 'hidden')
    .map(input => {
        const ids = (input.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
        const described = ids.map(id => document.getElementById(id)).filter(Boolean);
        return {
            name: input.name,
            invalid: input.getAttribute('aria-invalid'),
            errorLinked: described.some(el => el.classList.contains('error-message')),
        };
    })"""


@pytest.mark.parametrize("name", list(PAGES))
def test_headings_start_at_one_h1_and_skip_no_level(visitors, page_data, name):
    page = _open(visitors, page_data, name, "fr")

    headings = page.evaluate(HEADINGS_JS)

    assert [level for level, _text in headings].count(1) == 1, headings
    skips = [
        (before, after)
        for before, after in zip(headings, headings[1:], strict=False)
        if after[0] > before[0] + 1
    ]
    assert not skips, f"{name}: a heading level is skipped: {skips}"


@pytest.mark.parametrize(
    "name",
    [n for n, t in PAGES.items() if t.action in (submit_first_form, submit_empty_quiz)],
)
def test_each_field_in_error_is_flagged_and_tied_to_its_message(visitors, page_data, name):
    page = _open(visitors, page_data, name, "fr")

    fields = page.evaluate(FIELDS_IN_ERROR_JS)

    assert fields, f"{name}: the submitted form shows no field in error"
    untied = [f for f in fields if f["invalid"] != "true" or not f["errorLinked"]]
    assert not untied, f"{name}: fields in error without aria-invalid or a linked message: {untied}"


CHARTS_JS = """() => Array.from(document.querySelectorAll('main svg')).map(svg => {
    const ids = (svg.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const caption = svg.closest('section')?.querySelector('details.chart-data table caption');
    return {
        role: svg.getAttribute('role'),
        alternative: ids.map(id => document.getElementById(id)?.textContent || '').join(' '),
        table: caption ? caption.textContent.trim() : null,
    };
})"""


def test_each_chart_has_a_text_alternative_with_its_figures_and_a_table(visitors, page_data):
    page = _open(visitors, page_data, "cohort-dashboard", "fr")

    charts = page.evaluate(CHARTS_JS)

    assert len(charts) >= 3  # completion funnel, levers, one quiz's scores at least
    for chart in charts:
        assert chart["role"] == "img", chart
        assert re.search(r"\d", chart["alternative"]), f"no figures in {chart['alternative']!r}"
        assert chart["table"], f"no data table beside {chart['alternative']!r}"


def test_the_statement_is_linked_from_every_page_footer(visitors, page_data):
    page = _open(visitors, page_data, "catalogue", "fr")
    link = page.get_by_role("contentinfo").locator("a[href='/accessibilite']")
    assert link.count() == 1
    link.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Déclaration d'accessibilité"
    assert page.get_by_role("main").get_by_text("Défenseur des droits").count() >= 1


def test_the_skip_link_is_first_and_takes_the_keyboard_to_the_content(visitors, page_data):
    page = _open(visitors, page_data, "parcours", "fr")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("href") == "#contenu"
    # Visible once focused (it is off-screen before), with the focus ring of the style sheet.
    assert skip.bounding_box()["x"] >= 0
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "contenu"


def test_the_language_switch_works_from_the_keyboard(visitors, page_data):
    page = _open(visitors, page_data, "catalogue", "fr")
    english = page.locator("form.language-switch button[value=en]")
    english.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == visitors.base_url + "/"
    page.locator("form.language-switch button[value=fr]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "fr"


def test_the_page_list_names_only_known_placeholders_and_roles():
    # A placeholder of PAGES that PageData lacks would fail every run with a KeyError; this
    # says which one without a browser.
    fields = set(PageData.__dataclass_fields__)
    for name, target in PAGES.items():
        used = set(re.findall(r"{(\w+)}", target.path))
        assert used <= fields, f"{name}: unknown placeholder(s) {used - fields}"
        assert target.role is None or target.role in ACCOUNTS, name
