"""What every page's header needs (``base.html``): the indices the user reads, her menu entries, the unread
reminders. It is on every signed-in page, so it is kept cheap:

- the values are computed when a template first uses them (a partial answered to htmx never does);
- the indices come from ``frameworks.permissions.header_indices`` (cached per worker and results version);
- the menu (``web/_nav.html``: a dozen links) is rendered once per worker for each distinct set of what it
  shows — the language, the page's section, the indices' labels and the user's menu entries, all in the key,
  so two users see the same menu only when it is the same — and reused as HTML.
"""

from __future__ import annotations

import threading

from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_NO_NAV = {"oversight": False, "own": False, "unread": 0, "assessment": False, "surveys": False}

#: Rendered menus of this worker: (language, script prefix, URLconf, section, indices, entries) → HTML.
_MENUS: dict[tuple, SafeString] = {}
_MENUS_LOCK = threading.Lock()


def _nav(user) -> dict:
    """The menu entries of a signed-in user (each a role she holds somewhere) and her unread reminders."""
    from chiso.accounts.scope import OVERSIGHT_ROLES, covered
    from chiso.assessment.permissions import visible_rounds
    from chiso.notifications.services import unread_count
    from chiso.surveys.views import visible_surveys

    coordinator = covered(user, ("coordinator",)) != set()
    return {
        "oversight": covered(user, OVERSIGHT_ROLES) != set(),
        "own": covered(user, ("officer", "coordinator")) != set(),
        "unread": unread_count(user),
        # rounds she may see, or may open (a coordinator before the first round)
        "assessment": coordinator or visible_rounds(user).exists(),
        "surveys": coordinator or visible_surveys(user).exists(),
    }


class _Menu:
    """The main menu, rendered when the template shows it (``{{ chiso_nav }}``)."""

    def __init__(self, request, indices, nav, can_edit):
        self.request, self.indices, self.nav, self.can_edit = request, indices, nav, can_edit

    def __html__(self) -> str:
        from chiso.web.templatetags.vn import in_language

        match = getattr(self.request, "resolver_match", None)
        user = self.request.user
        entries = (
            bool(user.has_perm("chiso.import_results")),
            bool(self.can_edit),
            *(bool(self.nav[k]) for k in ("own", "oversight", "assessment", "surveys")),
        )
        key = (
            get_language(),
            get_script_prefix(),
            get_urlconf(),
            getattr(match, "namespace", None),
            getattr(match, "url_name", None),
            tuple((idx.code, in_language(idx)) for idx in self.indices),
            entries,
        )
        html = _MENUS.get(key)
        if html is None:
            may_import, can_edit, own, oversight, assessment, surveys = entries
            html = mark_safe(  # noqa: S308 (a template)
                render_to_string(
                    "web/_nav.html",
                    {
                        "namespace": key[3],
                        "url_name": key[4],
                        "indices": key[5],
                        "may_import": may_import,
                        "can_edit": can_edit,
                        "nav": {
                            "own": own,
                            "oversight": oversight,
                            "assessment": assessment,
                            "surveys": surveys,
                        },
                    },
                )
            )
            with _MENUS_LOCK:
                if len(_MENUS) > 1024:
                    _MENUS.clear()
                _MENUS[key] = html
        return html

    __str__ = __html__


def chiso_context(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"chiso_indices": [], "can_edit": False, "plans_nav": _NO_NAV, "chiso_nav": ""}
    from chiso.frameworks.permissions import header_indices

    indices = SimpleLazyObject(lambda: header_indices(user))
    nav = SimpleLazyObject(lambda: _nav(user))
    can_edit = SimpleLazyObject(lambda: bool(user.has_perm("chiso.edit_frameworks")))
    return {
        "chiso_indices": indices,
        "can_edit": can_edit,
        "plans_nav": nav,
        "chiso_nav": _Menu(request, indices, nav, can_edit),
    }
