"""What part of the force a user may see. Every selector starts from these."""

from accounts.models import OrgUnit, User
from accounts.roles import BCU, FORCE, OWN, ROLE_SCOPE, TEAM


def scope_of(*, user: User) -> str:
    # Anonymous users (the API schema generator calls querysets with one) see only their own rows: none.
    if not user.is_authenticated:
        return OWN
    if user.is_superuser:
        return FORCE
    return ROLE_SCOPE.get(user.role, OWN)


def bcu_of(*, user: User) -> OrgUnit | None:
    return user.unit.ancestor(OrgUnit.Kind.BCU) if getattr(user, "unit_id", None) else None


def units_visible_to(*, user: User):
    """Org units whose rows the user may see (force: all; BCU: its subtree; team: the team; own: the team)."""
    scope = scope_of(user=user)
    if scope == FORCE:
        return OrgUnit.objects.all()
    anchor = bcu_of(user=user) if scope == BCU else getattr(user, "unit", None)
    if anchor is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(path__startswith=anchor.path)


def area_codes_visible_to(*, user: User) -> set[str] | None:
    """Area codes (borough/district) whose incidents the user may see; None means the whole force.
    Remembered on the user object (a request asks several times), under what decides it."""
    basis = (scope_of(user=user), getattr(user, "unit_id", None))
    memo = getattr(user, "_visible_area_codes", None)
    if memo is None or memo[0] != basis:
        memo = (basis, _area_codes(user=user, scope=basis[0]))
        user._visible_area_codes = memo
    return None if memo[1] is None else set(memo[1])


def _area_codes(*, user: User, scope: str) -> frozenset[str] | None:
    if scope == FORCE:
        return None
    bcu = bcu_of(user=user)
    return frozenset({bcu.area_code} if bcu and bcu.area_code else ())


def restrict_to_areas(queryset, *, user: User, field: str = "borough_id"):
    codes = area_codes_visible_to(user=user)
    if codes is None:
        return queryset
    return queryset.filter(**{f"{field}__in": codes})


__all__ = ["BCU", "FORCE", "OWN", "TEAM", "area_codes_visible_to", "restrict_to_areas", "scope_of", "units_visible_to"]
