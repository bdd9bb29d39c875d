"""Layouts and standard wording belong to a province: a document takes the shipped layout, then the
installation's overrides, then those of its issuing unit's province ("default", then its own kind), so
two provinces with two coordinating departments print two different plans, and a department or
commune prints with its province's wording. The wording (coordinating department, recipients, symbols,
signers, the "Lưu" line) reaches the drafted plan, a plan created without them, a cascaded plan, the
periodic report and the reminder letter. A coordinator edits the layouts of the provinces she
coordinates, an administrator also the installation's; any other scope is refused (403, or 404 for no
such province) and nothing is saved; an invalid override is refused with its Vietnamese message."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.urls import reverse
from docx import Document

from chiso.accounts.models import Membership
from chiso.documents import services
from chiso.documents.model import Layout
from chiso.documents.models import DocumentLayout
from chiso.plans.documents import render_plan
from chiso.plans.services import cascade
from chiso.plans.services.drafting import draft_plan
from chiso.plans.services.plans import save_plan
from chiso.tracking.documents import render_letter, render_periodic
from chiso.tracking.services import periodic
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db

QUANG_NGAI_WORDING = """wording:
  coordinating_agency: Văn phòng Ủy ban nhân dân tỉnh
  filing_line: "Lưu: VT, KSTT."
  plan_recipients:
    - Bộ Nội vụ (b/c)
    - Các sở, ban, ngành thuộc tỉnh
  letter_recipients:
    - Như trên
    - Văn phòng UBND tỉnh (theo dõi)
  committee:
    plan_symbol: KH-VPUB
    report_symbol: BC-VPUB
    letter_symbol: UBND-KSTT
    letter_signer_authority: TM. ỦY BAN NHÂN DÂN
    letter_signer_title: CHỦ TỊCH
  department:
    plan_symbol: KH-SO
    signer_title: GIÁM ĐỐC SỞ
"""
HA_NOI_WORDING = """wording:
  coordinating_agency: Sở Nội vụ thành phố Hà Nội
"""


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return " ".join(" ".join(parts).split())


@pytest.fixture
def ha_noi():
    return Unit.objects.get(kind="province", code="01")


@pytest.fixture
def worded(world, ha_noi):
    """Quảng Ngãi and Hà Nội each with their own wording."""
    services.save_layout("default", QUANG_NGAI_WORDING, province=world.province, user=world.coordinator)
    services.save_layout("default", HA_NOI_WORDING, province=ha_noi)
    return world


# --- layers ---------------------------------------------------------------------------------------


def test_installation_then_province_default_then_province_kind(world, ha_noi):
    services.save_layout("default", "margins_mm:\n  left: 35\n")
    services.save_layout("plan", "sizes_pt:\n  body: 13\n  table: 11\n")
    services.save_layout("default", "sizes_pt:\n  body: 14\n  table: 10\n", province=world.province)
    services.save_layout("plan", "margins_mm:\n  left: 32\n", province=world.province)
    plan = services.layout_for("plan", world.province)
    # the province's default goes over the installation's plan override, its own plan override over both
    assert (plan.margin_left_mm, plan.body_size, plan.table_size) == (32, 14, 10)
    report = services.layout_for("report", world.province)
    assert (report.margin_left_mm, report.body_size, report.table_size) == (35, 14, 10)
    # a province without overrides has the installation's
    assert services.layout_for("plan", ha_noi) == services.layout_for("plan")
    assert (services.layout_for("plan").margin_left_mm, services.layout_for("plan").body_size) == (35, 13)
    assert DocumentLayout.objects.filter(province=world.province).count() == 2
    assert DocumentLayout.objects.filter(province__isnull=True).count() == 2


def test_the_province_of_a_department_or_commune_is_its_province(worded):
    w = worded
    for unit in (w.province, w.tuphap, w.xa1):
        assert services.province_for(unit) == w.province
    assert services.wording_for(w.xa1).coordinating_agency == "Văn phòng Ủy ban nhân dân tỉnh"
    assert services.wording_for(w.xa1).plan_symbol == "KH-VPUB"  # a commune is a People's Committee
    department = services.wording_for(w.tuphap)
    assert (department.plan_symbol, department.signer_title, department.signer_authority) == (
        "KH-SO",
        "GIÁM ĐỐC SỞ",
        "",
    )
    assert services.wording_for(w.tuphap).letter_symbol == Layout().department_letter_symbol == "NV"
    assert services.province_for(None) is None


def test_two_provinces_print_their_own_coordinating_department(worded, make_plan, ha_noi):
    own = make_plan(status="issued", report_deadlines=["2025-06-15"])
    other = make_plan(status="issued", report_deadlines=["2025-06-15"], issuing_unit=ha_noi, place="Hà Nội")
    own_text, other_text = text_of(render_plan(own, "docx")), text_of(render_plan(other, "docx"))
    assert "Kế hoạch này về Văn phòng Ủy ban nhân dân tỉnh trước ngày 15/06/2025" in own_text
    assert "Kế hoạch này về Sở Nội vụ thành phố Hà Nội trước ngày 15/06/2025" in other_text
    assert "Hà Nội" not in own_text and "Văn phòng Ủy ban nhân dân tỉnh" not in other_text
    assert "- Lưu: VT, KSTT." in own_text and "- Lưu: VT." in other_text  # the plans name no "Lưu" line
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI" in other_text


# --- the wording reaches every document -----------------------------------------------------------


def test_a_drafted_plan_takes_the_wording_of_its_province(worded):
    kon_tum = Unit.objects.get(kind="province", code="62")
    plan = draft_plan("papi", kon_tum, 2024, {"places": 5}, worded.coordinator)
    assert plan.issuing_unit == worded.province
    assert plan.recipients == ["Bộ Nội vụ (b/c)", "Các sở, ban, ngành thuộc tỉnh"]
    assert (plan.symbol, plan.signer_authority, plan.signer_title) == (
        "KH-VPUB",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
    )
    assert "về Văn phòng Ủy ban nhân dân tỉnh để tổng hợp" in plan.requirements
    assert "- Văn phòng Ủy ban nhân dân tỉnh theo dõi, đôn đốc" in plan.body
    assert "Sở Nội vụ" not in plan.requirements + plan.body


def test_a_plan_created_without_symbol_or_signer_takes_them_from_the_wording(worded):
    data = {"issuing_unit": worded.province, "title": "Kế hoạch cải thiện Chỉ số PAPI", "year": 2026}
    plan = save_plan(worded.coordinator, {**data, "indices": ["papi"]})
    assert (plan.symbol, plan.signer_title) == ("KH-VPUB", "CHỦ TỊCH")
    plan = save_plan(worded.coordinator, {**data, "indices": ["papi"], "symbol": "KH-SNV"})
    assert plan.symbol == "KH-SNV"  # what the author wrote wins


def test_the_plan_form_starts_from_the_wording(worded, client):
    client.force_login(worded.coordinator)
    body = client.get(reverse("plans:new")).content.decode()
    assert 'value="KH-VPUB"' in body and 'value="TM. ỦY BAN NHÂN DÂN"' in body


def test_a_cascaded_plan_takes_the_wording_of_the_unit_that_issues_it(worded, make_plan):
    w = worded
    issued = make_plan(status="issued", tasks=[dict(text="Rà soát thủ tục", lead_unit=w.tuphap)])
    derived = cascade.derive_plan(issued, w.tuphap, w.coordinator)
    assert (derived.symbol, derived.signer_authority, derived.signer_title) == ("KH-SO", "", "GIÁM ĐỐC SỞ")
    assert derived.recipients[-1] == "Lưu: VT, KSTT."
    issued_ward = make_plan(status="issued", tasks=[dict(text="Công khai ngân sách", lead_unit=w.xa1)])
    ward_plan = cascade.derive_plan(issued_ward, w.xa1, w.coordinator)
    assert (ward_plan.symbol, ward_plan.signer_title) == ("KH-VPUB", "CHỦ TỊCH")


def test_the_periodic_report_takes_the_wording(worded, make_plan):
    plan = make_plan(
        status="issued",
        tasks=[dict(text="Rà soát thủ tục", lead_unit=worded.tuphap, deadline=dt.date(2025, 3, 1))],
    )
    report = periodic.compile_report(plan, "2025-Q1", worded.coordinator, today=dt.date(2025, 4, 5))
    assert report.symbol == "BC-VPUB"
    text = text_of(render_periodic(report, "docx"))
    assert "Số: /BC-VPUB" in text and "- Lưu: VT, KSTT." in text


def test_the_reminder_letter_takes_the_wording(worded, make_plan):
    plan = make_plan(
        status="issued",
        tasks=[dict(text="Rà soát thủ tục", lead_unit=worded.tuphap, deadline=dt.date(2025, 3, 1))],
    )
    text = text_of(render_letter(plan, "docx", today=dt.date(2025, 4, 5)))
    assert "Số: /UBND-KSTT" in text
    assert "báo cáo kết quả về Văn phòng Ủy ban nhân dân tỉnh trước ngày 12/04/2025" in text
    assert "- Như trên; - Văn phòng UBND tỉnh (theo dõi); - Lưu: VT, KSTT." in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "KT. CHỦ TỊCH" not in text
    assert "Sở Nội vụ" not in text
    # a kind's own override goes over the province's default, for that kind only
    services.save_layout(
        "letter", "wording:\n  committee:\n    letter_symbol: UBND-NC\n", province=worded.province
    )
    assert "Số: /UBND-NC" in text_of(render_letter(plan, "docx", today=dt.date(2025, 4, 5)))
    assert services.wording_for(worded.province, "plan").letter_symbol == "UBND-KSTT"


def test_without_overrides_the_documents_keep_the_shipped_wording(world, make_plan):
    plan = make_plan(
        status="issued",
        report_deadlines=["2025-06-15"],
        tasks=[dict(text="Rà soát thủ tục", lead_unit=world.tuphap, deadline=dt.date(2025, 3, 1))],
    )
    letter = text_of(render_letter(plan, "docx", today=dt.date(2025, 4, 5)))
    assert "Số: /UBND-NC" in letter and "- Như trên; - Sở Nội vụ (theo dõi); - Lưu: VT." in letter
    assert "KT. CHỦ TỊCH" in letter and "PHÓ CHỦ TỊCH" in letter
    assert "Kế hoạch này về Sở Nội vụ trước ngày 15/06/2025" in text_of(render_plan(plan, "docx"))


# --- who edits which layouts -------------------------------------------------------------------------


def _url(name: str, *args, scope=None) -> str:
    url = reverse(f"documents:{name}", args=args)
    return f"{url}?tinh={scope}" if scope is not None else url


def test_a_coordinator_edits_her_province_and_nothing_else(world, client, ha_noi):
    client.force_login(world.coordinator)
    body = client.get(_url("layouts")).content.decode()
    assert "Đang xem: Tỉnh Quảng Ngãi" in body and 'id="tinh"' not in body  # one province: no choice
    assert f"?tinh={world.province.pk}" in body
    for scope in (ha_noi.pk, "chung"):
        assert client.get(_url("layouts", scope=scope)).status_code == 403
        assert client.get(_url("layout_edit", "plan", scope=scope)).status_code == 403
        resp = client.post(_url("layout_edit", "plan", scope=scope), {"yaml": "sizes_pt:\n  body: 13\n"})
        assert resp.status_code == 403
        assert client.get(_url("layout_preview", "plan", "pdf", scope=scope)).status_code == 403
    for scope in (999999, "abc", world.tuphap.pk):
        assert client.get(_url("layout_edit", "plan", scope=scope)).status_code == 404
    assert not DocumentLayout.objects.exists() and not DocumentLayout.history.exists()
    resp = client.post(_url("layout_edit", "plan", scope=world.province.pk), {"yaml": HA_NOI_WORDING})
    assert resp.status_code == 302
    row = DocumentLayout.objects.get()
    assert (row.province, row.kind, row.updated_by) == (world.province, "plan", world.coordinator)
    assert services.wording_for(world.province, "plan").coordinating_agency == "Sở Nội vụ thành phố Hà Nội"
    assert services.wording_for(ha_noi, "plan").coordinating_agency == "Sở Nội vụ"
    with pytest.raises(PermissionDenied):
        services.check_may_edit(world.coordinator, ha_noi)
    with pytest.raises(PermissionDenied):
        services.check_may_edit(world.coordinator, None)
    with pytest.raises(PermissionDenied):
        services.check_may_edit(world.viewer, world.province)


def test_a_coordinator_of_two_provinces_chooses(world, client, ha_noi):
    Membership.objects.create(user=world.coordinator, unit=ha_noi, role="coordinator")
    client.force_login(world.coordinator)
    body = client.get(_url("layouts")).content.decode()
    assert 'id="tinh"' in body and "Thành phố Hà Nội" in body and "Tỉnh Quảng Ngãi" in body
    assert "Mẫu chung của hệ thống" not in body
    assert "Đang xem: Thành phố Hà Nội" in client.get(_url("layouts", scope=ha_noi.pk)).content.decode()
    client.post(_url("layout_edit", "letter", scope=ha_noi.pk), {"yaml": HA_NOI_WORDING})
    assert DocumentLayout.objects.get().province == ha_noi


def test_an_administrator_edits_the_installation_default_and_any_province(world, client, ha_noi):
    client.force_login(world.admin)
    body = client.get(_url("layouts")).content.decode()
    assert "Đang xem: Mẫu chung của hệ thống (mọi tỉnh)" in body and 'value="chung" selected' in body
    assert (
        client.post(_url("layout_edit", "default", scope="chung"), {"yaml": HA_NOI_WORDING}).status_code
        == 302
    )
    client.post(_url("layout_edit", "default", scope=ha_noi.pk), {"yaml": "margins_mm:\n  left: 35\n"})
    assert DocumentLayout.objects.get(province__isnull=True).kind == "default"
    assert DocumentLayout.objects.get(province=ha_noi).updated_by == world.admin
    assert services.wording_for(world.tuphap).coordinating_agency == "Sở Nội vụ thành phố Hà Nội"
    edit = client.get(_url("layout_edit", "default", scope=ha_noi.pk)).content.decode()
    assert "Lịch sử sửa đổi" in edit and world.admin.username in edit


def test_an_invalid_province_override_is_refused_in_vietnamese_and_nothing_saved(world, client):
    client.force_login(world.coordinator)
    url = _url("layout_edit", "default", scope=world.province.pk)
    resp = client.post(
        url, {"yaml": "wording:\n  committee:\n    plan_symbol: ''\n  plan_recipients: Bộ Nội vụ\n"}
    )
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "Mẫu thể thức không hợp lệ, chưa lưu gì" in body
    assert "Ký hiệu kế hoạch của Ủy ban nhân dân không được để trống (wording.committee.plan_symbol)" in body
    assert "Nơi nhận của kế hoạch phải là danh sách các dòng chữ không trống" in body
    resp = client.post(url, {"yaml": "wording:\n  coordinating_agency: [Sở"})
    assert resp.status_code == 400 and "Không đọc được YAML" in resp.content.decode()
    with pytest.raises(services.LayoutInvalid) as exc:
        services.save_layout("plan", "wording:\n  department: 5\n", province=world.province)
    assert exc.value.errors == ["Nhóm “wording.department” phải gồm các khóa dạng “khóa: giá trị”, nhận “5”"]
    with pytest.raises(services.LayoutInvalid):
        services.save_layout("plan", "", province=world.tuphap)  # only a province has layouts
    assert not DocumentLayout.objects.exists() and not DocumentLayout.history.exists()


def test_the_migrated_rows_are_the_installation_default(world):
    """Rows from before layouts belonged to a province have none: they apply to every province."""
    DocumentLayout.objects.create(kind="plan", yaml="sizes_pt:\n  body: 13\n")
    province = (
        Unit.objects.filter(kind="province", code="79")
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )
    assert services.layout_for("plan", world.province).body_size == 13
    assert services.layout_for("plan", province).body_size == 13
