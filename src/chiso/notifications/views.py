"""The user's in-app notices (GET) and marking them read (POST: all, or the ids given)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services


def notifications(request):
    if request.method == "POST":
        ids = request.POST.getlist("id")
        n = services.mark_read(request.user, [int(i) for i in ids if i.isdigit()] if ids else None)
        messages.success(request, _("Đã đánh dấu {n} thông báo là đã đọc.").format(n=n))
        return redirect("notifications:list")
    return render(
        request,
        "notifications/list.html",
        {"items": services.in_app(request.user), "unread": services.unread_count(request.user)},
    )
