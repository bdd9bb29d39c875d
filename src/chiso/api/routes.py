"""How the API names the routes of a resource: the object's own path and the paths below it."""

from __future__ import annotations

from django.urls import URLPattern, path


def resource(base: str, name: str, views: dict[str, type]) -> list[URLPattern]:
    """A route for each ``{suffix: view}``: ``base`` + ``suffix/``, named ``name-suffix`` (a "/" in the
    suffix becomes "-"); the suffix "" is ``base`` itself, named ``name``. E.g. ``resource("sheets/<int:pk>/",
    "api-sheet", {"": Detail, "evidence/files": Files})``: ``api-sheet``, ``api-sheet-evidence-files``."""
    return [
        path(
            f"{base}{suffix}/" if suffix else base,
            view.as_view(),
            name=f"{name}-{suffix.replace('/', '-')}" if suffix else name,
        )
        for suffix, view in views.items()
    ]
