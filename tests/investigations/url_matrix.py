"""Who may open the investigations URLs (see tests/test_url_matrix.py). Extend it with every URL you add."""

ROLES = ["admin", "executive", "commander", "analyst", "supervisor", "officer"]


def only(*roles: str) -> dict:
    return {"anonymous": 302, **{role: 200 if role in roles else 403 for role in ROLES}}


EXPECTED = {
    "investigations:actions": only("admin", "commander", "supervisor", "officer"),
}
