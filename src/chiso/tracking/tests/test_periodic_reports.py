"""Periodic reports: compiled from the units' reports, edited with history, issued through the
workflow with a number and date, locked after approval; who may do what."""

from __future__ import annotations

import datetime as dt

import pytest

from chiso.tracking.models import PeriodicReport, ProgressReport
from chiso.tracking.services import periodic


@pytest.fixture
def plan(world, make_plan):
    w = world
    p = make_plan(
        status="issued",
        year=2025,
        recipients=["Bộ Nội vụ (báo cáo)", "Lưu: VT"],
        signer_name="Nguyễn Văn A",
        tasks=[
            dict(
                text="Ban hành quy chế phối hợp tiếp công dân",
                lead_unit=w.tuphap,
                coordinating=[w.xa1],
                deadline=dt.date(2025, 3, 1),
                product="Quyết định",
            ),
            dict(text="Rà soát thủ tục hành chính", lead_unit=w.yte, deadline=dt.date(2025, 12, 31)),
            dict(text="Tập huấn kỹ năng tiếp dân", lead_unit=w.yte, deadline=dt.date(2025, 2, 1)),
        ],
    )
    t1, t2, _t3 = p.tasks.order_by("order")
    ProgressReport.objects.create(
        task=t1,
        unit=w.tuphap,
        period="2025-Q1",
        state="done",
        percent=100,
        narrative="Đã tham mưu UBND tỉnh ban hành quy chế.",
        product_number="12/QĐ-UBND",
        product_date=dt.date(2025, 2, 20),
        product_issuer="UBND tỉnh",
    )
    ProgressReport.objects.create(
        task=t1,
        unit=w.xa1,
        period="2025-Q1",
        state="in_progress",
        percent=60,
        narrative="Đã phổ biến đến thôn.",
    )
    ProgressReport.objects.create(
        task=t2,
        unit=w.yte,
        period="2025-Q1",
        state="in_progress",
        percent=50,
        narrative="Đã rà soát 20 thủ tục.",
        difficulties="Thiếu nhân lực chuyên trách.",
    )
    return p


def test_compile_report_content(world, plan):
    report = periodic.compile_report(plan, "2025-Q1", world.coordinator, today=dt.date(2025, 4, 10))
    assert report.status == "draft" and report.period_kind == "quarter"
    assert report.title.startswith("Báo cáo kết quả thực hiện Kế hoạch số 123/KH-UBND ngày 15/03/2025")
    assert report.title.endswith("Quý I/2025")
    c = report.content
    assert "có tổng số 3 nhiệm vụ" in c["overview"]
    assert "đã hoàn thành 1 nhiệm vụ (đạt 33,3%)" in c["overview"]
    assert "đang thực hiện 1 nhiệm vụ" in c["overview"] and "1 nhiệm vụ chậm tiến độ" in c["overview"]
    r1, r2, r3 = c["results"]
    assert (r1["lead"], r1["state_label"], r1["percent"]) == ("Sở Tư pháp", "Đã hoàn thành", 100)
    assert r1["narrative"].startswith("Đã tham mưu UBND tỉnh ban hành quy chế.")
    assert "Xã Đăk Hà (phối hợp): Đã phổ biến đến thôn." in r1["narrative"]
    assert r1["product"] == "Văn bản số 12/QĐ-UBND ngày 20/02/2025 của UBND tỉnh"
    assert (r2["state_label"], r2["percent"]) == ("Đang thực hiện", 50)
    assert r3["state_label"] == "Chưa báo cáo"
    assert [x["text"] for x in c["late"]] == ["Tập huấn kỹ năng tiếp dân"]
    assert c["late"][0]["due"] == "01/02/2025"
    assert c["difficulties"] == "- Sở Y tế: Thiếu nhân lực chuyên trách."
    assert c["proposals"] == ""
    assert report.recipients == ["Bộ Nội vụ (báo cáo)", "Lưu: VT"] and report.signer_name == "Nguyễn Văn A"
    assert report.history.count() == 1


def test_annual_report_uses_quarterly_reports(world, plan):
    report = periodic.compile_report(plan, "2025", world.coordinator)
    assert report.title.endswith("Năm 2025") and report.period_kind == "annual"
    assert report.content["figures"]["done"] == 1


def test_compile_refuses_duplicates_drafts_and_officers(world, plan, make_plan):
    periodic.compile_report(plan, "2025-Q1", world.coordinator)
    with pytest.raises(periodic.PeriodicError, match="Đã có báo cáo Quý I/2025"):
        periodic.compile_report(plan, "2025-Q1", world.coordinator)
    with pytest.raises(periodic.PeriodicError, match="đã ban hành"):
        periodic.compile_report(make_plan(status="draft"), "2025-Q1", world.coordinator)
    with pytest.raises(periodic.PeriodicError):
        periodic.compile_report(plan, "2025-Q7", world.coordinator)
    with pytest.raises(periodic.PeriodicError, match="quyền"):
        periodic.compile_report(plan, "2025-H1", world.officer_tp)
    assert PeriodicReport.objects.filter(plan=plan).count() == 1


def test_new_page_compiles_then_opens_the_editor(client, world, plan):
    client.force_login(world.coordinator)
    r = client.get(f"/ke-hoach/bao-cao-dinh-ky/ke-hoach/{plan.pk}/lap/")
    assert r.status_code == 200 and "Quý I/2025" in r.content.decode()
    r = client.post(f"/ke-hoach/bao-cao-dinh-ky/ke-hoach/{plan.pk}/lap/", {"period": "2025-H1"})
    report = PeriodicReport.objects.get(plan=plan)
    assert r.status_code == 302 and r["Location"] == f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/sua/"
    assert report.period == "2025-H1" and "6 tháng đầu năm 2025" in report.title
    r = client.get(r["Location"])
    assert r.status_code == 200 and "Rà soát thủ tục hành chính" in r.content.decode()
    r = client.get(f"/ke-hoach/bao-cao-dinh-ky/ke-hoach/{plan.pk}/")
    assert report.title in r.content.decode()


def _edit_data(report, **over):
    c = report.content
    data = {
        "title": report.title,
        "place": "Quảng Ngãi",
        "signer_name": "Nguyễn Văn A",
        "recipients": "Bộ Nội vụ (báo cáo)\nLưu: VT",
        "overview": c["overview"],
        "difficulties": c["difficulties"],
        "proposals": "Đề nghị Bộ Nội vụ hướng dẫn.",
    }
    for row in c["results"]:
        data[f"narrative_{row['task_id']}"] = row["narrative"]
    data.update(over)
    return data


def test_edit_saves_and_history_shows_who_and_what(client, world, plan):
    report = periodic.compile_report(plan, "2025-Q1", world.coordinator)
    t2 = report.content["results"][1]["task_id"]
    client.force_login(world.coordinator)
    url = f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/sua/"
    r = client.post(url, _edit_data(report, **{f"narrative_{t2}": "Đã rà soát 35 thủ tục."}))
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.content["proposals"] == "Đề nghị Bộ Nội vụ hướng dẫn."
    assert report.content["results"][1]["narrative"] == "Đã rà soát 35 thủ tục."
    assert report.history.count() == 2
    assert report.history.first().history_user == world.coordinator
    html = client.get(f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/").content.decode()
    history = html.split('id="history"')[1]
    assert "dieuphoi_kh" in history
    assert "đề xuất, kiến nghị" in history and "kết quả thực hiện các nhiệm vụ (nhiệm vụ số 2)" in history
    assert "Đã rà soát 35 thủ tục." in html


def test_bad_edit_changes_nothing(client, world, plan):
    report = periodic.compile_report(plan, "2025-Q1", world.coordinator)
    client.force_login(world.coordinator)
    r = client.post(
        f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/sua/", _edit_data(report, title="  ", proposals="X")
    )
    assert r.status_code == 200 and "Trích yếu" in r.content.decode()
    report.refresh_from_db()
    assert report.content["proposals"] == "" and report.history.count() == 1


def _step(client, report, action, **extra):
    return client.post(
        f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/chuyen-trang-thai/", {"action": action, **extra}
    )


def test_workflow_to_issued_then_locked(client, world, plan):
    report = periodic.compile_report(plan, "2025-Q1", world.coordinator)
    client.force_login(world.coordinator)
    assert _step(client, report, "submit").status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    assert _step(client, report, "approve").status_code == 302  # a coordinator cannot approve
    report.refresh_from_db()
    assert report.status == "submitted"

    client.force_login(world.leader)
    _step(client, report, "approve")
    report.refresh_from_db()
    assert report.status == "approved" and report.locked
    r = _step(client, report, "issue", number="", date="20/04/2025")
    report.refresh_from_db()
    assert report.status == "approved"  # no number: nothing changed
    r = _step(client, report, "issue", number="45", date="20/04/2025")
    report.refresh_from_db()
    assert (report.status, report.number, report.date) == ("issued", "45", dt.date(2025, 4, 20))
    assert report.number_symbol == "45/BC-UBND"
    html = client.get(r["Location"]).content.decode()
    assert 'id="report-number">45/BC-UBND<' in html and 'id="report-date">20/04/2025<' in html
    assert 'id="locked"' in html
    assert [e.action for e in report.events.all()] == ["submit", "approve", "issue"]

    client.force_login(world.coordinator)
    before = report.content
    r = client.post(
        f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/sua/", _edit_data(report, proposals="Sửa sau khi ban hành")
    )
    assert r.status_code == 302 and r["Location"] == f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/"
    report.refresh_from_db()
    assert report.content == before
    with pytest.raises(periodic.PeriodicError, match="không sửa được"):
        periodic.update_report(report, {"proposals": "x"}, world.coordinator)


def test_locked_after_approval_edit_page_redirects(client, world, plan):
    report = periodic.compile_report(plan, "2025-Q1", world.coordinator)
    client.force_login(world.coordinator)
    _step(client, report, "submit")
    client.force_login(world.leader)
    _step(client, report, "approve")
    client.force_login(world.coordinator)
    r = client.get(f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/sua/", follow=True)
    assert "không sửa được" in r.content.decode()


def test_roles(client, world, plan):
    report = periodic.compile_report(plan, "2025-Q1", world.coordinator)
    urls = {
        "list": f"/ke-hoach/bao-cao-dinh-ky/ke-hoach/{plan.pk}/",
        "new": f"/ke-hoach/bao-cao-dinh-ky/ke-hoach/{plan.pk}/lap/",
        "detail": f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/",
        "edit": f"/ke-hoach/bao-cao-dinh-ky/{report.pk}/sua/",
    }
    client.force_login(world.viewer)
    assert client.get(urls["list"]).status_code == 200
    assert client.get(urls["detail"]).status_code == 200
    assert client.get(urls["new"]).status_code == 403
    assert client.get(urls["edit"]).status_code == 403
    assert _step(client, report, "submit").status_code == 403
    client.force_login(world.leader)
    assert client.get(urls["edit"]).status_code == 403
    for officer in (world.officer_tp, world.officer_yt):  # their units lead tasks of the plan: they see it
        client.force_login(officer)
        for url in urls.values():
            assert client.get(url).status_code == 403, url
        assert _step(client, report, "submit").status_code == 403
    client.force_login(world.outsider)
    assert client.get(urls["detail"]).status_code == 403
    report.refresh_from_db()
    assert report.status == "draft"
