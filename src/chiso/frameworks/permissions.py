"""Who may change an index, its frameworks and its published results.

National indices (no owner: PAPI, PAR INDEX, SIPAS) are national data: only administrators edit their
frameworks and import their results. A province's own index (its internal index of departments and
communes) is that province's: its coordinators edit and import it. Every signed-in member reads the
national indices; a province's own index is read by those who hold a role in that province.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chiso.accounts.scope import covered, covers, member_provinces, roles_of
from chiso.units.models import Unit

from .models import Index

EDIT_ROLES = ("coordinator",)


def is_admin(user) -> bool:
    return "admin" in roles_of(user)


def can_edit_index(user, index: Index | None) -> bool:
    """May ``user`` change the frameworks of ``index`` and import its results? ``None``: a new index
    (any coordinator, for her province, or an administrator)."""
    if not user.is_authenticated:
        return False
    if is_admin(user):
        return True
    if index is None:
        return bool(coordinated_provinces(user))
    return index.owner_id is not None and covers(user, index.owner_id, EDIT_ROLES)


def coordinated_provinces(user) -> list[Unit]:
    """Provinces in force whose coordinator the user is (all of them for an administrator)."""
    provinces = Unit.objects.filter(kind=Unit.Kind.PROVINCE, valid_to__isnull=True).order_by("code")
    scope = covered(user, EDIT_ROLES)
    if scope is None:
        return list(provinces)
    return [p for p in provinces if p.pk in scope]


def owner_for_new_index(user) -> Unit | None:
    """The province a new index made by ``user`` belongs to: the (first) province she is a coordinator
    of; None — a national index — for an administrator who coordinates no province."""
    if covered(user, EDIT_ROLES) is None:  # an administrator: her own coordinator roles, if any
        provinces = Unit.objects.filter(
            kind=Unit.Kind.PROVINCE,
            valid_to__isnull=True,
            memberships__user=user,
            memberships__role__in=EDIT_ROLES,
        ).order_by("code")
        return provinces.first()
    provinces = coordinated_provinces(user)
    return provinces[0] if provinces else None


def visible_indices(user) -> QuerySet[Index]:
    """The national indices and the province indices of the provinces the user holds a role in."""
    scope = covered(user, ("admin", "coordinator", "leader", "officer", "viewer", "appraiser"))
    if scope is None:
        return Index.objects.all()
    # A department's or a commune's officer reads its own province's index too: the ranking of the
    # province's departments and communes is published by the province's decision.
    provinces = member_provinces(user)
    return Index.objects.filter(Q(owner__isnull=True) | Q(owner__in=scope) | Q(owner__in=provinces))


#: This worker's indices, all of them in their order, for the results version they were read at.
_ALL_INDICES: tuple[int, list[Index]] | None = None


def header_indices(user) -> list[Index]:
    """``visible_indices(user)`` as a list, for the header of every page: every index is read once per
    worker and results version (every change to an index bumps that version: ``frameworks.apps``), and the
    user's own are picked from them with the same rule, from her memberships read once per request."""
    global _ALL_INDICES
    from chiso.results.version import current_data_version

    version = current_data_version()
    cached = _ALL_INDICES
    if cached is None or cached[0] != version:
        cached = (version, list(Index.objects.all()))
        _ALL_INDICES = cached
    scope = covered(user, ("admin", "coordinator", "leader", "officer", "viewer", "appraiser"))
    if scope is None:
        return list(cached[1])
    provinces = member_provinces(user)
    return [i for i in cached[1] if i.owner_id is None or i.owner_id in scope or i.owner_id in provinces]


def editable_indices(user) -> list[Index]:
    """The indices whose frameworks and results the user may change."""
    return [i for i in Index.objects.select_related("owner") if can_edit_index(user, i)]


def refuse_unless_can_edit(user, index: Index) -> None:
    """PermissionDenied (Vietnamese, saying who may) unless ``user`` may change ``index``'s data."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if can_edit_index(user, index):
        return
    if index.is_national:
        raise PermissionDenied(
            _(
                "Chỉ số {index} là số liệu quốc gia: chỉ quản trị hệ thống được sửa bộ chỉ số và nhập kết quả."
            ).format(index=index.label)
        )
    raise PermissionDenied(
        _(
            "Chỉ số {index} là chỉ số riêng của {province}: chỉ chuyên viên điều phối của tỉnh đó được sửa."
        ).format(index=index.label, province=index.owner.short_name)
    )
