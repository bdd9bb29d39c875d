"""Permission predicates (django-rules). Published results and frameworks are national data:
coordinators and administrators edit them, every signed-in member reads them."""

from __future__ import annotations

import rules

EDITOR_ROLES = ("admin", "coordinator")


@rules.predicate
def is_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.memberships.filter(role="admin").exists()


@rules.predicate
def is_coordinator(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.memberships.filter(role__in=EDITOR_ROLES).exists()


@rules.predicate
def is_member(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.memberships.exists()))


rules.add_perm("chiso.view_data", is_member)
rules.add_perm("chiso.edit_frameworks", is_coordinator)
rules.add_perm("chiso.import_results", is_coordinator)
rules.add_perm("chiso.manage_units", is_coordinator)
rules.add_perm("chiso.administer", is_admin)
