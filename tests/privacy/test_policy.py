"""The privacy policy: reachable from every page, with the configured durations and contact,
and honest about the copies an outside LRS keeps."""

from tests.learning.helpers import page


def test_the_policy_is_linked_from_the_footer_and_tells_durations_and_contact(
    app, client, monkeypatch
):
    monkeypatch.setitem(app.config, "ACCOUNT_RETENTION_DAYS", 730)
    monkeypatch.setitem(app.config, "RETENTION_WARNING_DAYS", 45)
    monkeypatch.setitem(app.config, "PRIVACY_CONTACT", "donnees@reseau.example.org")
    assert 'href="/confidentialite"' in page(client.get("/"))
    text = page(client.get("/confidentialite"))
    assert "Politique de confidentialité" in text
    assert "Après 730 jours sans connexion" in text
    assert "dans les 45 jours qui suivent" in text
    assert "donnees@reseau.example.org" in text
    assert "ne sont transmises à aucun entrepôt extérieur" in text
    assert 'href="/connexion?next=/compte/donnees"' in text


def test_the_policy_names_the_outside_lrs_and_says_copies_cannot_be_recalled(
    app, client, monkeypatch
):
    monkeypatch.setitem(
        app.config, "XAPI_FORWARD_URL", "https://key:secret@lrs.example.org/tenant/xapi/"
    )
    text = page(client.get("/confidentialite"))
    assert "lrs.example.org" in text
    assert "/tenant/" not in text
    assert "secret" not in text
    assert "Une trace déjà transmise ne peut pas être rappelée" in text
