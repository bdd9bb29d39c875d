"""Which units a user covers, per role: a role on a unit applies to the unit's whole subtree.

`covered(user, roles)` is the set of unit ids the user holds any of `roles` on (subtrees included);
None means every unit (superusers and administrators). Results are memoised on the user object for
the request.
"""

from __future__ import annotations

from collections.abc import Iterable

from chiso.units.models import Unit

ALL_ROLES = ("admin", "coordinator", "leader", "officer", "viewer", "appraiser")
#: Roles that see every plan, task and report of the units they cover.
OVERSIGHT_ROLES = ("coordinator", "leader", "viewer")


def _memberships(user) -> list[tuple[str, int]]:
    """(role, unit id) of every membership, read once per user object (i.e. per request)."""
    cache = user.__dict__.get("_chiso_memberships")
    if cache is None:
        cache = list(user.memberships.values_list("role", "unit_id"))
        user.__dict__["_chiso_memberships"] = cache
    return cache


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cache = user.__dict__.setdefault("_chiso_roles", None)
    if cache is None:
        cache = {role for role, _unit in _memberships(user)}
        if user.is_superuser:
            cache.add("admin")
        user.__dict__["_chiso_roles"] = cache
    return cache


def _subtree(unit_ids: set[int]) -> set[int]:
    ids = set(unit_ids)
    frontier = list(unit_ids)
    while frontier:
        frontier = [
            pk
            for pk in Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            if pk not in ids
        ]
        ids.update(frontier)
    return ids


def covered(user, roles: Iterable[str]) -> set[int] | None:
    """Unit ids (subtrees included) on which `user` holds one of `roles`; None = all units (admin)."""
    if not user.is_authenticated:
        return set()
    if "admin" in roles_of(user):
        return None
    key = tuple(sorted(set(roles)))
    memo = user.__dict__.setdefault("_chiso_scope", {})
    if key not in memo:
        # The page header alone asks for several role sets: the memberships are read once and a
        # subtree is walked once per distinct set of units (a coordinator's sets are all the same).
        direct = frozenset(unit for role, unit in _memberships(user) if role in key)
        trees = user.__dict__.setdefault("_chiso_subtrees", {})
        if direct not in trees:
            trees[direct] = _subtree(set(direct)) if direct else set()
        memo[key] = trees[direct]
    return memo[key]


def covers(user, unit_id: int | None, roles: Iterable[str]) -> bool:
    if unit_id is None:
        return False
    scope = covered(user, roles)
    return scope is None or unit_id in scope


def roles_on(user, unit_id: int | None) -> set[str]:
    """The roles the user holds on this unit (through the unit or one of its ancestors)."""
    return {r for r in ALL_ROLES if covers(user, unit_id, (r,))}


def own_units(user) -> set[int] | None:
    """Units whose tasks and reports the user handles as an officer (plus coordinators' units)."""
    return covered(user, ("officer", "coordinator"))
