"""The one permission map: which role holds which permission, sees which scope, opens which page.

Roles are Django Groups named after the keys of ROLE_PERMISSIONS. The data
migration and the post_migrate hook call `sync_role_groups` so a fresh database
has every group with its permissions; admins may edit them afterwards.
"""

ADMIN, EXECUTIVE, COMMANDER, ANALYST, SUPERVISOR, OFFICER, DISPATCH = (
    "admin",
    "executive",
    "commander",
    "analyst",
    "supervisor",
    "officer",
    "dispatch",
)
ROLE_CHOICES = [
    (ADMIN, "Administrator"),
    (EXECUTIVE, "Executive"),
    (COMMANDER, "Commander"),
    (ANALYST, "Analyst"),
    (SUPERVISOR, "Supervisor"),
    (OFFICER, "Officer"),
    (DISPATCH, "Dispatch system (API only)"),
]
ROLES = [code for code, _label in ROLE_CHOICES]

# Permission "app_label.codename" -> description. Each app's `Access` model
# declares the same codenames so the content types are real.
PERMISSIONS = {
    "dashboards.view_strategic": "Open the strategic dashboard",
    "dashboards.view_tactical": "Open the tactical dashboard",
    "dashboards.view_analytical": "Open the analytical dashboard",
    "dashboards.download_briefing": "Download the executive briefing",
    "dashboards.export_data": "Export CSV and GeoJSON",
    "dashboards.view_incidents": "Open incident lists and single incidents",
    "analytics.acknowledge_alert": "Acknowledge or dismiss emerging-trend alerts",
    "analytics.accept_deployment": "Accept a deployment plan",
    "analytics.run_backtest": "Run forecast backtests",
    "ingestion.import_data": "Import data files",
    "ingestion.post_dispatch": "Post live dispatch (CAD) updates",
    "investigations.view_actions": "Open daily actions",
    "investigations.view_team_queue": "See the team's action queue",
    "investigations.view_rollup": "See department and BCU roll-ups",
    "investigations.complete_review": "Complete supervisor reviews",
    "investigations.reassign_investigation": "Reassign investigations",
    "investigations.complete_victim_contact": "Complete victim contacts and updates",
}

ROLE_PERMISSIONS = {
    ADMIN: set(PERMISSIONS),
    EXECUTIVE: {"dashboards.view_strategic", "dashboards.download_briefing"},
    COMMANDER: {
        "dashboards.view_tactical",
        "dashboards.view_strategic",
        "dashboards.view_incidents",
        "dashboards.download_briefing",
        "analytics.acknowledge_alert",
        "analytics.accept_deployment",
        "investigations.view_actions",
        "investigations.view_rollup",
    },
    ANALYST: {
        "dashboards.view_analytical",
        "dashboards.view_strategic",
        "dashboards.view_tactical",
        "dashboards.view_incidents",
        "dashboards.download_briefing",
        "dashboards.export_data",
        "analytics.run_backtest",
        "ingestion.import_data",
    },
    SUPERVISOR: {
        "investigations.view_actions",
        "investigations.view_team_queue",
        "investigations.complete_review",
        "investigations.reassign_investigation",
        "investigations.complete_victim_contact",
    },
    OFFICER: {"investigations.view_actions", "investigations.complete_victim_contact"},
    # A CAD system's account: it posts to the live feed with a token and can open nothing else.
    DISPATCH: {"ingestion.post_dispatch"},
}
# Roles held by systems, not people: they use API tokens and have no second factor.
SERVICE_ROLES = {DISPATCH}

# What rows a role sees: the whole force, its own BCU, its own team, or its own cases.
FORCE, BCU, TEAM, OWN = "force", "bcu", "team", "own"
ROLE_SCOPE = {
    ADMIN: FORCE,
    EXECUTIVE: FORCE,
    ANALYST: FORCE,
    COMMANDER: BCU,
    SUPERVISOR: TEAM,
    OFFICER: OWN,
    DISPATCH: OWN,
}

# Navigation, in order: (label, url name, permission). The home page sends a user to the first they hold.
NAVIGATION = [
    ("Strategic", "dashboards:strategic", "dashboards.view_strategic"),
    ("Tactical", "dashboards:tactical", "dashboards.view_tactical"),
    ("Analytical", "dashboards:analytical", "dashboards.view_analytical"),
    ("Daily actions", "investigations:actions", "investigations.view_actions"),
    ("Imports", "ingestion:imports", "ingestion.import_data"),
]
ROLE_HOME = {
    ADMIN: "dashboards:strategic",
    EXECUTIVE: "dashboards:strategic",
    COMMANDER: "dashboards:tactical",
    ANALYST: "dashboards:analytical",
    SUPERVISOR: "investigations:actions",
    OFFICER: "investigations:actions",
}


def split_permission(name: str) -> tuple[str, str]:
    app_label, codename = name.split(".", 1)
    return app_label, codename


def sync_role_groups(apps=None) -> None:
    """Create every role's Group and give it at least the permissions of the map (never removes admin edits)."""
    from django.apps import apps as live_apps

    registry = apps or live_apps
    group_model = registry.get_model("auth", "Group")
    permission_model = registry.get_model("auth", "Permission")
    content_type_model = registry.get_model("contenttypes", "ContentType")
    permissions = {}
    for name, description in PERMISSIONS.items():
        app_label, codename = split_permission(name)
        content_type, _ = content_type_model.objects.get_or_create(app_label=app_label, model="access")
        permissions[name], _ = permission_model.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": description}
        )
    for role, granted in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.add(*(permissions[name] for name in granted))
