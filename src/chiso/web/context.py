from chiso.frameworks.models import Index


def chiso_context(request):
    user = getattr(request, "user", None)
    can_edit = bool(user and user.is_authenticated and user.has_perm("chiso.edit_frameworks"))
    return {
        "chiso_indices": Index.objects.all() if user and user.is_authenticated else [],
        "can_edit": can_edit,
    }
