"""Which units a user covers, per role: a role on a unit applies to the unit's whole subtree.

`covered(user, roles)` is the set of unit ids the user holds any of `roles` on (subtrees included);
None means every unit (superusers and administrators). The memberships are read once per user object
(i.e. once per request: the page header, the permission predicates of ``accounts.rules`` and every
permission helper share them), and a subtree is walked once per worker and plans-data version (units
change with that version, ``chiso.tracking.version``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from django.utils.functional import LazyObject, empty

from chiso.units.models import Unit

ALL_ROLES = ("admin", "coordinator", "leader", "officer", "viewer", "appraiser")
#: Roles that see every plan, task and report of the units they cover.
OVERSIGHT_ROLES = ("coordinator", "leader", "viewer")


#: How many ancestors of a membership's unit are read with it (``member_provinces``): a commune's
#: district and province, a department's province.
_CHAIN = ("unit", "unit__parent", "unit__parent__parent", "unit__parent__parent__parent")


def request_memo(user) -> dict:
    """Where what is read about ``user`` is kept for the request: the user object's own attributes. The
    request's user is a lazy proxy (``request.user``) while permission backends get the object behind it:
    both share the object's memo, so the header, the permission predicates and the views read the
    memberships once."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user.__dict__


def _membership_rows(user) -> list[tuple]:
    """Every membership of the user as (role, unit id, then (id, kind) of the unit and its ancestors up to
    ``_CHAIN``), read in one query once per user object (i.e. per request)."""
    memo = request_memo(user)
    cache = memo.get("_chiso_membership_rows")
    if cache is None:
        fields = ["role", "unit_id"]
        for level in _CHAIN:
            fields += [f"{level}__id", f"{level}__kind"]
        cache = list(user.memberships.values_list(*fields))
        memo["_chiso_membership_rows"] = cache
    return cache


def _memberships(user) -> list[tuple[str, int]]:
    """(role, unit id) of every membership, read once per user object (i.e. per request)."""
    return [(row[0], row[1]) for row in _membership_rows(user)]


def member_provinces(user) -> set[int]:
    """The provinces of the units the user holds a role on (``units.services.province_of`` of each: the
    unit if it is a province, else its first province ancestor, else the unit itself), from the
    memberships already read."""
    if not user.is_authenticated:
        return set()
    out: set[int] = set()
    for row in _membership_rows(user):
        chain = [(row[i], row[i + 1]) for i in range(2, len(row), 2)]
        found = next((pk for pk, kind in chain if pk is not None and kind == Unit.Kind.PROVINCE), None)
        if found is None and chain[-1][0] is not None:  # deeper than the chain read: walk on
            from chiso.units.services import province_of

            found = province_of(Unit.objects.get(pk=row[1])).pk
        out.add(found if found is not None else row[1])
    return out


def has_membership(user) -> bool:
    return bool(user.is_authenticated and _membership_rows(user))


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    memo = request_memo(user)
    cache = memo.get("_chiso_roles")
    if cache is None:
        cache = {role for role, _unit in _memberships(user)}
        if user.is_superuser:
            cache.add("admin")
        memo["_chiso_roles"] = cache
    return cache


#: Subtrees walked by this worker: (plans-data version, units) → the units with all their descendants.
_SUBTREES: dict[tuple[int, frozenset[int]], frozenset[int]] = {}
_SUBTREES_LOCK = threading.Lock()


def _subtree_cached(unit_ids: frozenset[int]) -> frozenset[int]:
    """``_subtree`` once per worker and plans-data version (every change to a unit changes that version;
    the version itself is read once per request)."""
    from chiso.tracking.version import plans_version

    key = (plans_version(), unit_ids)
    found = _SUBTREES.get(key)
    if found is None:
        found = frozenset(_subtree(set(unit_ids)))
        with _SUBTREES_LOCK:
            if len(_SUBTREES) > 512:
                _SUBTREES.clear()
            _SUBTREES[key] = found
    return found


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
    state = request_memo(user)
    memo = state.setdefault("_chiso_scope", {})
    if key not in memo:
        # The page header alone asks for several role sets: the memberships are read once and a
        # subtree is walked once per distinct set of units (a coordinator's sets are all the same).
        direct = frozenset(unit for role, unit in _memberships(user) if role in key)
        trees = state.setdefault("_chiso_subtrees", {})
        if direct not in trees:
            trees[direct] = set(_subtree_cached(direct)) if direct else set()
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
