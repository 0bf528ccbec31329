"""Who may open the ingestion URLs (see tests/test_url_matrix.py). Extend it with every URL you add."""

from ingestion.models import ImportRun, ImportUpload

ROLES = ["admin", "executive", "commander", "analyst", "supervisor", "officer"]


def only(*roles: str) -> dict:
    return {"anonymous": 302, **{role: 200 if role in roles else 403 for role in ROLES}}


def api_only(*roles: str, granted: int = 200) -> dict:
    """API endpoints: 403 for anonymous (session auth answers 403, not 401) and for roles without the permission."""
    return {"anonymous": 403, **{role: granted if role in roles else 403 for role in ROLES}}


def _upload(org) -> dict:
    return {"pk": ImportUpload.objects.create(file_name="a.csv", path="/nonexistent/a.csv", importer="calls").pk}


def _run(org) -> dict:
    return {"pk": ImportRun.objects.create(source="police_uk", target="a.csv").pk}


EXPECTED = {
    "ingestion:upload-status": only("admin", "analyst") | {"kwargs": _upload},
    "ingestion:rejected-csv": only("admin", "analyst") | {"kwargs": _run},
    "ingestion:imports": only("admin", "analyst"),
    # POST-only: a permitted GET is 405 Method Not Allowed.
    "ingestion-dispatch": api_only("admin", granted=405),
    "ingestion-dispatch-recent": api_only("admin", "commander", "analyst"),
    "ingestion-import-run": api_only("admin", "analyst") | {"kwargs": _run},
}
