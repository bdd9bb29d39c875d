from chiso.frameworks.permissions import visible_indices


def chiso_context(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    can_edit = bool(signed_in and user.has_perm("chiso.edit_frameworks"))
    nav = {"oversight": False, "own": False, "unread": 0, "assessment": False, "surveys": False}
    if signed_in:
        from chiso.accounts.scope import OVERSIGHT_ROLES, covered
        from chiso.assessment.permissions import visible_rounds
        from chiso.notifications.services import unread_count

        nav["oversight"] = covered(user, OVERSIGHT_ROLES) != set()
        nav["own"] = covered(user, ("officer", "coordinator")) != set()
        nav["unread"] = unread_count(user)
        # rounds she may see, or may open (a coordinator before the first round)
        nav["assessment"] = covered(user, ("coordinator",)) != set() or visible_rounds(user).exists()
        from chiso.surveys.views import visible_surveys

        nav["surveys"] = covered(user, ("coordinator",)) != set() or visible_surveys(user).exists()
    return {
        "chiso_indices": visible_indices(user) if signed_in else [],
        "can_edit": can_edit,
        "plans_nav": nav,
    }
