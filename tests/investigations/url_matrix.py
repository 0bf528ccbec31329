"""Who may open each investigations URL (pages and API): expected GET status per role.

POST-only pages answer 405 to a GET from a role that holds their permission. The API answers 403 to anonymous
callers (session authentication sends no challenge)."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from tests.investigations.factories import InvestigationFactory, open_action


def _officers_case(org):
    return InvestigationFactory(team=org["westminster-team-a"], officer=User.objects.get(username="officer"))


def investigation_of_officer(org) -> dict:
    return {"pk": _officers_case(org).pk}


def action_of_officer(org) -> dict:
    case = _officers_case(org)
    return {"pk": open_action(case, due_on=timezone.localdate() - timedelta(days=1)).pk}


NO_ACTIONS = {"executive": 403, "analyst": 403}
PAGE = {"anonymous": 302, "admin": 200, "commander": 200, "supervisor": 200, "officer": 200, **NO_ACTIONS}
API = {**PAGE, "anonymous": 403}
POST_ONLY = {"anonymous": 302, "admin": 405, "commander": 405, "supervisor": 405, "officer": 405, **NO_ACTIONS}

EXPECTED = {
    "investigations:actions": PAGE,
    "investigations:rollup": {
        "anonymous": 302,
        "admin": 200,
        "commander": 200,
        "supervisor": 403,
        "officer": 403,
        **NO_ACTIONS,
    },  # fmt: skip
    "investigations:investigation": {"kwargs": investigation_of_officer, **PAGE},
    "investigations:upcoming": PAGE,
    "investigations:complete": {"kwargs": action_of_officer, **POST_ONLY},
    "investigations:close": {"kwargs": action_of_officer, **POST_ONLY, "commander": 403, "officer": 403},
    "investigations:reassign": {
        "kwargs": investigation_of_officer,
        **POST_ONLY,
        "commander": 403,
        "officer": 403,
    },
    "investigation-list": API,
    "investigation-detail": {"kwargs": investigation_of_officer, **API},
    "action-list": API,
    "action-detail": {"kwargs": action_of_officer, **API},
}
