"""A province adjusts the layout without code: an override saved for "default" applies to every kind,
a kind's own override goes over it, key by key; a bad override is refused with every error listed in
Vietnamese and nothing saved; every change is in the history. The pages /van-ban/mau/ are for
coordinators only (viewers and outsiders get 403), list the kinds, validate and save the YAML, and hand
out the sample document as PDF and DOCX in the saved layout."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse

from chiso.documents import services
from chiso.documents.model import Layout
from chiso.documents.models import DocumentLayout

pytestmark = pytest.mark.django_db


def test_without_overrides_every_kind_uses_the_shipped_layout():
    for kind in services.KINDS:
        assert services.layout_for(kind) == Layout()


def test_default_then_kind_override_key_by_key(coordinator):
    services.save_layout("default", "margins_mm:\n  left: 35\nsizes_pt:\n  body: 13\n", user=coordinator)
    services.save_layout("plan", "sizes_pt:\n  body: 14\n  table: 11\n", user=coordinator)
    plan = services.layout_for("plan")
    assert plan.margin_left_mm == 35 and plan.body_size == 14 and plan.table_size == 11
    assert plan.margin_right_mm == 15  # untouched keys keep the shipped value
    report = services.layout_for("report")
    assert report.margin_left_mm == 35 and report.body_size == 13 and report.table_size == 12
    row = DocumentLayout.objects.get(kind="plan")
    assert row.updated_by == coordinator and row.name


def test_invalid_override_lists_every_error_and_saves_nothing(coordinator):
    before = DocumentLayout.objects.count(), DocumentLayout.history.count()
    with pytest.raises(services.LayoutInvalid) as exc:
        services.save_layout(
            "letter", "margins_mm:\n  left: 10\n  right: 40\nsizes_pt:\n  bodyy: 14\n", user=coordinator
        )
    assert "Lề trái phải từ 30 đến 35 mm, nhận 10 (margins_mm.left)" in exc.value.errors
    assert "Lề phải phải từ 15 đến 20 mm, nhận 40 (margins_mm.right)" in exc.value.errors
    assert any("sizes_pt.bodyy" in e for e in exc.value.errors)
    with pytest.raises(services.LayoutInvalid) as exc:
        services.save_layout("letter", "margins_mm: [1", user=coordinator)
    assert exc.value.errors[0].startswith("Không đọc được YAML")
    assert (DocumentLayout.objects.count(), DocumentLayout.history.count()) == before


def test_history_of_changes(coordinator):
    services.save_layout("report", "sizes_pt:\n  body: 13\n", user=coordinator)
    services.save_layout("report", "", user=coordinator)
    row = DocumentLayout.objects.get(kind="report")
    assert [h.yaml for h in row.history.order_by("history_date")] == ["sizes_pt:\n  body: 13\n", ""]
    assert all(h.history_user == coordinator for h in row.history.all())
    assert services.layout_for("report") == Layout()  # emptied: back to the shipped layout


def test_a_stored_override_that_no_longer_validates_is_skipped():
    DocumentLayout.objects.create(kind="plan", yaml="margins_mm:\n  left: 99\n")
    DocumentLayout.objects.create(kind="default", yaml="sizes_pt:\n  body: 13\n")
    assert services.layout_for("plan").body_size == 13
    assert services.layout_for("plan").margin_left_mm == 30


def test_pages_are_for_coordinators(client, viewer, outsider):
    url = reverse("documents:layouts")
    for user in (viewer, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("documents:layout_edit", args=["plan"])).status_code == 403
        assert client.post(reverse("documents:layout_edit", args=["plan"]), {"yaml": ""}).status_code == 403
        assert client.get(reverse("documents:layout_preview", args=["plan", "pdf"])).status_code == 403
    assert not DocumentLayout.objects.exists()


def test_list_page(coordinator_client):
    resp = coordinator_client.get(reverse("documents:layouts"))
    assert resp.status_code == 200
    body = resp.content.decode()
    for label in (
        "Mẫu thể thức văn bản",
        "Kế hoạch",
        "Báo cáo",
        "Công văn",
        "Quyết định",
        "Mặc định (mọi loại văn bản)",
    ):
        assert label in body
    assert reverse("documents:layout_edit", args=["letter"]) in body
    assert reverse("documents:layout_edit", args=["decision"]) in body


def test_a_decision_layout_is_previewed_with_a_decision(coordinator_client):
    resp = coordinator_client.get(reverse("documents:layout_preview", args=["decision", "docx"]))
    assert resp.status_code == 200
    text = " ".join(p.text for p in docx.Document(io.BytesIO(resp.content)).paragraphs)
    assert "QUYẾT ĐỊNH" in text and "Căn cứ Nghị quyết số 76/NQ-CP" in text and "Điều 3." in text


def test_edit_page_validates_then_saves(coordinator_client, coordinator):
    url = reverse("documents:layout_edit", args=["plan"])
    resp = coordinator_client.get(url)
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "Xem thử PDF" in body and "Xem thử DOCX" in body
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body  # the shipped file shown as reference
    resp = coordinator_client.post(url, {"yaml": "margins_mm:\n  left: 10\nsizes_pt:\n  body: 20\n"})
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "Lề trái phải từ 30 đến 35 mm, nhận 10 (margins_mm.left)" in body
    assert "Cỡ chữ nội dung phải từ 13 đến 14 pt, nhận 20 (sizes_pt.body)" in body
    assert "left: 10" in body  # the text typed is kept for correcting
    assert not DocumentLayout.objects.exists()
    resp = coordinator_client.post(url, {"yaml": "margins_mm:\r\n  left: 35\r\n"})
    assert resp.status_code == 302 and resp["Location"] == url
    # a coordinator's page edits her province's layouts (the installation's are an administrator's)
    province = coordinator.memberships.get().unit
    assert services.layout_for("plan", province).margin_left_mm == 35
    assert services.layout_for("plan").margin_left_mm == 30
    assert DocumentLayout.objects.get(kind="plan").updated_by == coordinator
    assert coordinator_client.get(reverse("documents:layout_edit", args=["nope"])).status_code == 404


def test_preview_downloads_use_the_saved_layout(coordinator_client, coordinator):
    services.save_layout("letter", "margins_mm:\n  left: 35\n", user=coordinator)
    resp = coordinator_client.get(reverse("documents:layout_preview", args=["letter", "docx"]))
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert 'filename="van-ban-mau-letter.docx"' in resp["Content-Disposition"]
    d = docx.Document(io.BytesIO(resp.content))
    assert d.sections[0].left_margin.mm == pytest.approx(35, abs=0.1)
    resp = coordinator_client.get(reverse("documents:layout_preview", args=["plan", "pdf"]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF-")
    assert (
        coordinator_client.get(reverse("documents:layout_preview", args=["plan", "odt"])).status_code == 404
    )


def test_a_yaml_bomb_on_the_layout_page_is_refused_quickly_and_saves_nothing(db):
    """Issue 10, item 10: a 450-byte "billion laughs" override ran 139 s and returned a 1,7 GB page."""
    import time

    from chiso.documents.models import DocumentLayout
    from chiso.documents.services import check_layout

    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    before = DocumentLayout.objects.count()
    started = time.perf_counter()
    errors = check_layout("plan", bomb)
    assert time.perf_counter() - started < 1
    assert errors and "tham chiếu" in errors[0] and len("; ".join(errors)) < 500
    assert DocumentLayout.objects.count() == before
