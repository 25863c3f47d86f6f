import pytest

from lms.core.typography import NARROW_NBSP, NBSP, french_spacing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qu'est-ce qu'un MSE ?", f"Qu'est-ce qu'un MSE{NARROW_NBSP}?"),
        ("Bravo !", f"Bravo{NARROW_NBSP}!"),
        ("Les trois leviers : richesses", f"Les trois leviers{NBSP}: richesses"),
        ("« au service du projet »", f"«{NBSP}au service du projet{NARROW_NBSP}»"),
        ("oui ; non", f"oui{NARROW_NBSP}; non"),
        # Untouched: no space before the sign, or a colon inside a word or a URL.
        ("https://example.org?x=1", "https://example.org?x=1"),
        ("10:30", "10:30"),
    ],
)
def test_french_spacing(text, expected):
    assert french_spacing(text) == expected


def test_module_titles_do_not_break_before_punctuation(client, seed):
    title = seed.levels[0].modules[0].title
    assert title.endswith(" ?")
    body = client.get(f"/parcours/{seed.slug}").get_data(as_text=True)
    assert french_spacing(title).replace("'", "&#39;") in body


def test_translated_sentences_are_escaped_once(client, login, make_user, seed):
    login(make_user())
    client.post(f"/parcours/{seed.slug}/inscription")
    body = client.get(f"/parcours/{seed.slug}").get_data(as_text=True)
    # "Qu'est-ce…" goes through _() then |typo: one escape, never "&amp;#39;" or "&#39;" shown.
    assert "Continuer\u00a0: Qu&#39;est-ce qu&#39;un" in body
    assert "&amp;#39;" not in body
