"""Who may open the response-times endpoint (merged into tests/analytics/url_matrix.py)."""

ROLES = ["admin", "executive", "commander", "analyst", "supervisor", "officer"]
TACTICAL = {"admin", "commander", "analyst"}

EXPECTED = {
    "analytics-response-times": {"anonymous": 403, **{role: 200 if role in TACTICAL else 403 for role in ROLES}},
}
