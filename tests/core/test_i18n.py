"""Languages: the English catalog covers every message of the sources, its placeholders match,
the compiled catalog is the .po's, and pages, dates and numbers read in the chosen language."""

import html
import json
import re
from datetime import UTC, date, datetime

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import render_template_string, session
from flask_babel import refresh

from config import ROOT
from lms.accounts.models import Role
from lms.catalog.files import size_label
from lms.catalog.loader import PackageError, read_package
from lms.core.translations import KEYWORDS, placeholders, po_path
from tests.learning.helpers import enroll, module_url, read
from tests.networks.helpers import make_cohort, make_manager, make_network

PO = po_path("en")
MO = PO.with_suffix(".mo")


def _ids(message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    strings = message.string
    return tuple(strings) if isinstance(strings, tuple | list) else (strings,)


@pytest.fixture(scope="module")
def source_messages() -> dict[str, tuple[str, ...]]:
    """Every message the sources hold, extracted as `flask lms translations update` does."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(KEYWORDS)}
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        ids = message if isinstance(message, tuple) else (message,)
        found[ids[0]] = (filename, *ids)
    return found


@pytest.fixture(scope="module")
def catalog():
    with PO.open("rb") as file:
        return read_po(file, locale="en")


def test_every_source_message_is_in_the_english_catalog(source_messages, catalog):
    missing = [
        f"{where[0]}: {msgid!r}"
        for msgid, where in source_messages.items()
        if catalog.get(msgid) is None
    ]
    assert not missing, (
        "messages missing from the English catalog; run `flask lms translations update`, "
        "translate them, then `flask lms translations compile` (docs/translations.md):\n"
        + "\n".join(missing)
    )


def test_every_message_is_translated_and_reviewed(catalog):
    untranslated = [message.id for message in catalog if message.id and not all(_strings(message))]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not untranslated, f"empty translations: {untranslated}"
    assert not fuzzy, f"fuzzy (guessed) translations to review, then unmark: {fuzzy}"


def test_the_catalog_holds_no_message_the_sources_dropped(source_messages, catalog):
    stale = [
        message.id for message in catalog if message.id and _ids(message)[0] not in source_messages
    ]
    assert not stale, f"run `flask lms translations update` to drop: {stale}"


def test_placeholders_match_between_french_and_english(catalog):
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        expected = placeholders(_ids(message)[-1])
        for translated in _strings(message):
            if placeholders(translated) != expected:
                wrong.append((message.id, translated))
    assert not wrong
    # Babel's own checks too (python-format flags, plural forms count).
    assert list(catalog.check()) == []


def test_plural_messages_have_english_plural_forms(catalog):
    plurals = [message for message in catalog if isinstance(message.id, tuple)]
    assert plurals
    assert catalog.num_plurals == 2
    for message in plurals:
        assert len(message.string) == 2, message.id


def test_the_compiled_catalog_is_the_po(catalog):
    """The committed .mo (what the app reads) was compiled from the committed .po."""
    with MO.open("rb") as file:
        compiled = read_mo(file)
    expected = {_ids(message): _strings(message) for message in catalog if message.id}
    actual = {_ids(message): _strings(message) for message in compiled if message.id}
    assert actual == expected, "run `flask lms translations compile` and commit the .mo"


# --- Pages in English ----------------------------------------------------------------------


def _in(client, lang: str) -> None:
    with client.session_transaction() as session:
        session["lang"] = lang
    # The test's app context (see conftest's db_session) outlives each request, and
    # Flask-Babel keeps the locale it chose there: forget it.
    refresh()


def _text(response) -> str:
    """What a reader sees: no tags, entities decoded, spaces folded."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.fixture(scope="module")
def french_phrases(catalog) -> list[str]:
    """French sentences of the interface: messages of three words or more whose English
    differs, and which no course's text holds (course content is data, never translated;
    "Vrai ou faux" starts quiz questions)."""
    courses = " ".join(
        re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
        for path in (ROOT / "courses").rglob("*")
        if path.suffix in {".md", ".yaml", ".yml"}
    )
    phrases = []
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or "%" in message.id:
            continue
        french = re.sub(r"\s+", " ", message.id).strip()
        if len(french.split()) >= 3 and french != message.string and french not in courses:
            phrases.append(french)
    return phrases


def _assert_english(text: str, french_phrases: list[str]) -> None:
    left = [phrase for phrase in french_phrases if phrase in text]
    assert not left, f"French interface text on an English page: {left}"


@pytest.fixture
def learner_in_english(client, make_user, login, seed):
    learner = make_user(Role.LEARNER)
    login(learner)
    _in(client, "en")
    return learner


def test_login_page_in_english_and_in_french(client, french_phrases):
    assert "Se connecter" in _text(client.get("/connexion"))  # French by default
    _in(client, "en")
    text = _text(client.get("/connexion"))
    assert "Log in" in text
    assert "Stay logged in on this device" in text
    assert "Se connecter" not in text
    _assert_english(text, french_phrases)
    assert '<html lang="en">' in client.get("/connexion").get_data(as_text=True)
    for url in ["/inscription", "/mot-de-passe-oublie"]:
        _assert_english(_text(client.get(url)), french_phrases)


def test_the_french_check_finds_french_on_a_french_page(client, french_phrases):
    text = _text(client.get("/connexion"))
    assert [phrase for phrase in french_phrases if phrase in text]


def test_a_protected_page_asks_to_log_in_in_english(client):
    _in(client, "en")
    response = client.get("/mes-parcours", follow_redirects=True)
    assert "Log in to access this page." in _text(response)


def test_form_errors_in_english(client):
    _in(client, "en")
    text = _text(client.post("/connexion", data={"email": "", "password": ""}))
    assert "Enter your email address." in text
    assert "Indiquez votre adresse e-mail." not in text


def test_catalogue_module_and_learner_pages_in_english(
    client, learner_in_english, seed, french_phrases
):
    catalogue = _text(client.get("/"))
    assert "Learning path catalogue" in catalogue
    _assert_english(catalogue, french_phrases)

    enroll(client, seed)
    module = seed.levels[0].modules[0]
    page = _text(client.get(module_url(seed, module)))
    assert "I have read this module" in page or "Take the quiz" in page
    _assert_english(page, french_phrases)

    read(client, seed, module)
    home = _text(client.get("/mes-parcours"))
    assert "My learning paths" in home
    _assert_english(home, french_phrases)
    _assert_english(_text(client.get(f"/parcours/{seed.slug}")), french_phrases)
    _assert_english(_text(client.get("/mes-certificats")), french_phrases)
    _assert_english(_text(client.get("/compte/donnees")), french_phrases)
    assert "Change my password" in _text(client.get("/compte"))
    _assert_english(_text(client.get("/compte")), french_phrases)
    privacy = _text(client.get("/confidentialite"))
    assert "Privacy policy" in privacy
    _assert_english(privacy, french_phrases)


def test_cohort_dashboard_in_english_with_english_numbers(
    client, make_user, login, seed, french_phrases
):
    network = make_network("Réseau Auvergne-Rhône-Alpes")
    manager = make_manager(make_user, network)
    cohort = make_cohort(network, seed, manager)
    login(manager)

    french = _text(client.get(f"/cohortes/{cohort.id}"))
    assert "0 % progression moyenne" in french
    _in(client, "en")
    english = _text(client.get(f"/cohortes/{cohort.id}"))
    assert "0% average progress" in english
    assert "Completion funnel" in english
    _assert_english(english, french_phrases)
    _assert_english(_text(client.get("/reseaux")), french_phrases)


def test_workshop_network_and_admin_pages_in_english(
    client, make_user, login, seed, french_phrases
):
    admin = make_user(Role.ADMIN)
    network = make_network("Réseau Auvergne-Rhône-Alpes")
    cohort = make_cohort(network, seed, admin)
    login(admin)
    _in(client, "en")
    module = f"/atelier/{seed.slug}/modules/{seed.levels[0].modules[0].slug}"
    for url in [
        "/atelier/",
        f"/atelier/{seed.slug}/",
        module,
        f"{module}/quiz",
        f"{module}/quiz/apercu",
        f"/atelier/{seed.slug}/banque",
        f"/atelier/{seed.slug}/analyse",
        "/atelier/importer",
        "/verify",
        "/certificats",
        "/admin/lrs/clients",
        "/admin/lrs/forwarding",
        "/admin/reseaux",
        f"/reseaux/{network.id}",
        f"/cohortes/{cohort.id}/parametres",
        f"/cohortes/{cohort.id}/inscriptions",
        "/admin/taches",
        "/page-qui-n-existe-pas",
    ]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        _assert_english(_text(response), french_phrases)
    jobs = _text(client.get("/admin/taches"))
    assert "Reminder to inactive learners (at most one a week)" in jobs
    dashboard = _text(client.get(f"/cohortes/{cohort.id}"))
    assert (
        "Share of each lever’s modules completed by the cohort: Human resources: 0%," in dashboard
    )


# --- Dates and numbers ---------------------------------------------------------------------

FORMATS = (
    "{{ day|date }} | {{ moment|datetime }} | {{ 12.5|percent(1) }} | {{ 40|percent }}"
    " | {{ 0.256|number(2) }} | {{ 1234567|number }} | {{ 95|duration }}"
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "fr",
            "3 mars 2026 | 3 mars 2026 à 15:05 | 12,5\u00a0% | 40\u00a0% | 0,26"
            " | 1\u202f234\u202f567 | 1 h 35",
        ),
        (
            "en",
            "March 3, 2026 | March 3, 2026 at 3:05 PM | 12.5% | 40% | 0.26 | 1,234,567"
            " | 1 h 35 min",
        ),
    ],
)
def test_dates_and_numbers_are_written_the_language_s_way(app, lang, expected):
    with app.test_request_context("/"):
        session["lang"] = lang
        refresh()
        rendered = render_template_string(
            FORMATS,
            day=date(2026, 3, 3),
            moment=datetime(2026, 3, 3, 14, 5, tzinfo=UTC),  # 15:05 in Paris
        )
    assert rendered == expected


def test_file_sizes_are_written_the_language_s_way(app):
    with app.test_request_context("/"):
        assert size_label(3 * 1024 * 1024 // 2) == "1,5 Mo"
        session["lang"] = "en"
        refresh()
        assert size_label(3 * 1024 * 1024 // 2) == "1.5 MB"
        assert size_label(10 * 1024 * 1024) == "10 MB"


def test_course_package_errors_follow_the_language(app, tmp_path):
    (tmp_path / "parcours.yaml").write_text("slug: x\nsurprise: 1\n", encoding="utf-8")
    with app.test_request_context("/"):
        session["lang"] = "en"
        refresh()
        with pytest.raises(PackageError) as raised:
            read_package(tmp_path)
    messages = [error.message for error in raised.value.errors]
    assert "unknown field" in messages
    assert "required field missing" in messages


def test_wtforms_own_messages_follow_the_language(client, make_user, login, db_session):
    """Field errors WTForms writes itself (a date or a number it cannot read) come from
    WTForms' catalogs through Flask-WTF, in the session's language."""
    network = make_network("Réseau Auvergne-Rhône-Alpes")
    login(make_manager(make_user, network))
    data = {"name": "Promo", "starts_on": "demain", "ends_on": "2026-12-01", "inactivity_days": "x"}
    url = f"/reseaux/{network.id}/cohortes/nouvelle"
    french = _text(client.post(url, data=data))
    _in(client, "en")
    english = _text(client.post(url, data=data))
    assert "Not a valid date value." in english
    assert "Not a valid integer value." in english
    assert "N'est pas une date valide." in french
    assert "N'est pas un entier valide." in french


def test_a_new_learning_path_s_levels_are_titled_in_its_author_s_language(client, make_user, login):
    login(make_user(Role.TRAINER))
    _in(client, "en")
    data = {"slug": "my-path", "title": "My path", "summary": "A summary."}
    response = client.post("/atelier/nouveau", data=data)
    assert response.status_code == 302, _text(response)
    page = client.get("/atelier/my-path/").get_data(as_text=True)
    assert 'value="Knowledge"' in page
    assert 'value="Connaissances"' not in page


# --- The translator's commands --------------------------------------------------------------


@pytest.fixture
def catalog_copy(tmp_path):
    """A copy of the English catalog with one new message, one changed (fuzzy) and one
    new plural, as `flask lms translations update` leaves them."""
    text = PO.read_text(encoding="utf-8")
    text = text.replace('msgstr "Log in to access this page."', 'msgstr ""')
    text = text.replace(
        'msgid "Mot de passe"\nmsgstr "Password"',
        '#, fuzzy\nmsgid "Mot de passe"\nmsgstr "Passwords"',
    )
    text = text.replace(
        'msgstr[0] "%(num)d level"\nmsgstr[1] "%(num)d levels"',
        'msgstr[0] ""\nmsgstr[1] ""',
    )
    path = po_path("en", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_todo_lists_what_is_new_or_changed(runner, catalog_copy, tmp_path):
    result = runner.invoke(args=["lms", "translations", "todo", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "Connectez-vous pour accéder à cette page.": "",
        "Mot de passe": "Passwords",
        "%(num)d niveau": ["", ""],
    }


def test_apply_writes_the_translations_as_reviewed(runner, catalog_copy, tmp_path):
    filled = tmp_path / "todo.json"
    filled.write_text(
        json.dumps(
            {
                "Connectez-vous pour accéder à cette page.": "Log in to see this page.",
                "Mot de passe": "Password",
                "%(num)d niveau": ["%(num)d level", "%(num)d levels"],
            }
        ),
        encoding="utf-8",
    )
    args = ["lms", "translations", "apply", str(filled), "--dir", str(tmp_path)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    with catalog_copy.open("rb") as file:
        catalog = read_po(file, locale="en")
    assert catalog.get("Connectez-vous pour accéder à cette page.").string == (
        "Log in to see this page."
    )
    assert not catalog.get("Mot de passe").fuzzy
    assert catalog.get("%(num)d niveau").string == ("%(num)d level", "%(num)d levels")
    todo = runner.invoke(args=["lms", "translations", "todo", "--dir", str(tmp_path)])
    assert json.loads(todo.output) == {}


def test_apply_refuses_a_wrong_placeholder_and_writes_nothing(runner, catalog_copy, tmp_path):
    before = catalog_copy.read_bytes()
    filled = tmp_path / "todo.json"
    filled.write_text(
        json.dumps({"Mot de passe": "Password", "%(num)d niveau": ["%(n)d level", "%(n)d levels"]}),
        encoding="utf-8",
    )
    args = ["lms", "translations", "apply", str(filled), "--dir", str(tmp_path)]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "%(num)d niveau" in result.output
    assert "nothing written" in result.output
    assert catalog_copy.read_bytes() == before
