"""The demo force: its structure and one account per role. Used by `create_demo_accounts` and demo data."""

import secrets

from django.db import transaction

from accounts.models import OrgUnit, User

# The five boroughs of the London case study, with their GSS codes.
DEMO_BOROUGHS = [
    ("westminster", "Westminster", "E09000033"),
    ("camden", "Camden", "E09000007"),
    ("tower-hamlets", "Tower Hamlets", "E09000030"),
    ("southwark", "Southwark", "E09000028"),
    ("city-of-london", "City of London", "E09000001"),
]
DEMO_DEPARTMENTS = [("cid", "CID", 6), ("response", "Response", 2)]
DEMO_ACCOUNT_UNITS = {
    "admin": "met",
    "executive": "met",
    "analyst": "met",
    "commander": "westminster",
    "supervisor": "westminster-cid-team-1",
    "officer": "westminster-cid-team-1",
}
DEMO_RANKS = {"commander": "superintendent", "supervisor": "sergeant", "officer": "constable"}
DEMO_NAMES = {
    "admin": ("Alex", "Admin"),
    "executive": ("Erin", "Marsh"),
    "commander": ("Chris", "Okafor"),
    "analyst": ("Ana", "Lysenko"),
    "supervisor": ("Sam", "Patel"),
    "officer": ("Olly", "Reed"),
}


def team_code(borough: str, department: str, number: int) -> str:
    return f"{borough}-{department}-team-{number}"


@transaction.atomic
def demo_org_create() -> dict[str, OrgUnit]:
    units = {}
    force, _ = OrgUnit.objects.update_or_create(
        code="met", defaults={"name": "Metropolitan Police Service", "kind": OrgUnit.Kind.FORCE}
    )
    units["met"] = force
    for code, name, gss in DEMO_BOROUGHS:
        bcu, _ = OrgUnit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": OrgUnit.Kind.BCU, "parent": force, "area_code": gss}
        )
        units[code] = bcu
        for dept_code, dept_name, teams in DEMO_DEPARTMENTS:
            dept, _ = OrgUnit.objects.update_or_create(
                code=f"{code}-{dept_code}",
                defaults={"name": f"{name} {dept_name}", "kind": OrgUnit.Kind.DEPARTMENT, "parent": bcu},
            )
            units[dept.code] = dept
            for number in range(1, teams + 1):
                team, _ = OrgUnit.objects.update_or_create(
                    code=team_code(code, dept_code, number),
                    defaults={"name": f"{name} {dept_name} Team {number}", "kind": OrgUnit.Kind.TEAM, "parent": dept},
                )
                units[team.code] = team
    return units


def demo_accounts_create(*, password: str | None) -> tuple[list[User], str]:
    """Create or reset one account per role; returns them and the password used."""
    units = demo_org_create()
    password = password or secrets.token_urlsafe(12)
    users = []
    for role, unit_code in DEMO_ACCOUNT_UNITS.items():
        first, last = DEMO_NAMES[role]
        user, _ = User.objects.update_or_create(
            username=role,
            defaults={
                "role": role,
                "unit": units[unit_code],
                "rank": DEMO_RANKS.get(role, User.Rank.STAFF),
                "first_name": first,
                "last_name": last,
                "email": f"{role}@crimedash.example",
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save()
        users.append(user)
    return users, password
