from django.urls import reverse
from django.utils.html import escape

from dashboards.glossary import GLOSSARY


def test_the_glossary_defines_every_term_for_any_signed_in_role(client_for, db):
    response = client_for("officer").get(reverse("help"))
    assert response.status_code == 200
    for key, (term, _text) in GLOSSARY.items():
        assert f'id="{key}"'.encode() in response.content
        assert escape(term).encode() in response.content
    for term in ("MASE", "PAI", "Gi*", "STL", "Gini", "suppression", "Resolution rate", "Outcome rate"):
        assert escape(term).encode() in response.content, term


def test_the_glossary_asks_an_anonymous_visitor_to_sign_in(client, db):
    response = client.get(reverse("help"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
