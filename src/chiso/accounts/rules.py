"""Permission predicates (django-rules). Published results and frameworks are national data:
coordinators and administrators edit them, every signed-in member reads them.

The predicates read the memberships ``accounts.scope`` reads once per request (the page header asks
several of them on every page)."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied

from .scope import has_membership, roles_of

EDITOR_ROLES = ("admin", "coordinator")


@rules.predicate
def is_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or "admin" in roles_of(user)


@rules.predicate
def is_coordinator(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(roles_of(user) & set(EDITOR_ROLES))


@rules.predicate
def is_member(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or has_membership(user)))


rules.add_perm("chiso.view_data", is_member)
rules.add_perm("chiso.edit_frameworks", is_coordinator)
rules.add_perm("chiso.import_results", is_coordinator)
rules.add_perm("chiso.manage_units", is_coordinator)
rules.add_perm("chiso.administer", is_admin)


class RulesOnlyBackend:
    """Listed after django-rules' backend and before Django's ModelBackend: chiso's own permissions
    (``chiso.*``) are the rules above and nothing else — no Permission row can carry the app label
    "chiso" — so when the rules refuse one, the refusal is final (Django stops at a backend raising
    PermissionDenied) and ModelBackend does not read the user's and groups' permission tables on every
    page for nothing. Other permissions go on to ModelBackend as before. It signs nobody in and loads no
    user (no ``get_user``: the test client's ``force_login`` takes the first backend that has one)."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        if perm.startswith("chiso."):
            raise PermissionDenied
        return False
