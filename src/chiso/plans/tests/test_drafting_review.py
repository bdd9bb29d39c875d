"""A plan states a target for every dimension (baseline score, rank, group) and counts of dimensions per
group; drafting from year Y's results checks the published plan for Y (met / not met with the figures)
on its page, through the API and in the opening paragraph of the new plan, read from its DOCX."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document

from chiso.analysis.services import analyse, same_definition, year_figures
from chiso.core.text import format_number
from chiso.plans import documents
from chiso.plans.models import Plan, Target
from chiso.plans.services.drafting import draft_plan
from chiso.plans.services.plans import save_target
from chiso.plans.services.review import review_plan
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kontum():
    return Unit.objects.get(kind="province", code="62")


def _issued_plan_for_2024(kontum) -> Plan:
    """Kon Tum's own plan for 2024, drafted from its 2023 results and issued (before the merger)."""
    plan = draft_plan("papi", kontum, 2023, {"places": 5}, None, issuing_unit=kontum)
    Plan.objects.filter(pk=plan.pk).update(
        status="issued", number="15", date=dt.date(2024, 3, 1), signer_name="A"
    )
    plan.refresh_from_db()
    return plan


def _docx_text(plan: Plan) -> list[str]:
    return [p.text for p in Document(io.BytesIO(documents.render_plan(plan, "docx"))).paragraphs]


def _met_by_hand(t: Target, a24) -> bool:
    """What the 2024 results say of one target, worked out from the analysis independently."""
    by = {n.code: n for n in a24.nodes}
    if t.kind == "places":
        return a24.rank <= t.baseline_rank - int(t.value)
    if t.kind == "score":
        return by[t.node_code].score >= float(t.value.replace(",", ".")) - 1e-9
    if t.kind == "group":
        order = ["Cao", "Trung bình cao", "Trung bình thấp", "Thấp"]
        return order.index(by[t.node_code].group) <= order.index(t.value)
    if t.kind == "count_max":
        n, label = t.value.split(" ", 1)
        return sum(1 for n_ in a24.nodes if n_.depth == 1 and n_.group == label) <= int(n)
    raise AssertionError(t.kind)


def test_a_new_plan_opens_with_the_verdict_on_the_plan_for_its_results_year(world, kontum):
    previous = _issued_plan_for_2024(kontum)
    a24 = analyse("papi", kontum, 2024)
    expected = [_met_by_hand(t, a24) for t in previous.targets.order_by("order")]
    unmet = expected.count(False)
    assert unmet and len(expected) == 10

    review = review_plan(previous)
    assert review.year == 2024
    assert [r.met for r in review.rows] == expected
    overall = review.rows[0]
    assert f"xếp hạng {a24.rank}/{a24.rank_of}" in overall.review.achieved
    assert format_number(a24.total) in overall.review.achieved

    plan = draft_plan("papi", kontum, 2024, {"places": 3}, world.coordinator)
    opening = plan.purpose.split("\n\n")[0]
    summary = (
        f"đạt {len(expected) - unmet:02d}/{len(expected):02d} mục tiêu, còn {unmet:02d} mục tiêu chưa đạt"
    )
    assert (
        "Kết quả thực hiện Kế hoạch số 15/KH-UBND ngày 01/03/2024 của Ủy ban nhân dân tỉnh Kon Tum" in opening
    )
    assert f"theo kết quả năm 2024: {summary}" in opening

    # the DOCX an official reads: the verdict in the opening, every dimension with its baseline
    paras = _docx_text(plan)
    text = "\n".join(paras)
    assert any(summary in p and "Chỉ số PAPI năm 2024" in p for p in paras)
    for n in a24.nodes:
        if n.depth != 1:
            continue
        line = next(p for p in paras if f"nội dung {n.name} (Chỉ số PAPI) năm 2025" in p)
        assert f"năm 2024 đạt {format_number(n.score)}/{format_number(n.max)} điểm" in line
        assert f"xếp hạng {n.rank}/{n.rank_of}" in line and f"thuộc nhóm {n.group}" in line
    in_low = sum(1 for n in a24.nodes if n.depth == 1 and n.group == "Thấp")
    assert f"thuộc nhóm Thấp (năm 2024: {in_low:02d} chỉ số nội dung thuộc nhóm Thấp)" in text
    # dimensions in the framework's order in the document
    names = [n.name for n in a24.nodes if n.depth == 1]
    positions = [
        next(i for i, p in enumerate(paras) if f"nội dung {name} (Chỉ số PAPI) năm 2025" in p)
        for name in names
    ]
    assert positions == sorted(positions)


def test_no_verdict_without_a_published_plan_for_that_year(world, kontum):
    draft = draft_plan("papi", kontum, 2023, {"places": 5}, None, issuing_unit=kontum)  # never issued
    plan = draft_plan("papi", kontum, 2024, {"places": 3}, world.coordinator)
    assert "Kết quả thực hiện Kế hoạch" not in plan.purpose
    assert review_plan(plan) is None  # no 2025 results yet
    assert review_plan(draft).year == 2024  # a draft can still be checked on its page


def test_count_and_dimension_group_targets_by_hand(world, make_plan):
    plan = make_plan(status="draft", indices=["papi"], year=2025, results_year=2024)
    # the plan's province is the merged Quảng Ngãi: its baseline comes from the province it carries
    t = save_target(plan, world.coordinator, {"index": "papi", "kind": "count_min", "value": "3 cao"})
    assert t.value == "3 Cao" and t.kind == "count_min" and t.baseline_year == 2024
    assert "có ít nhất 03 chỉ số nội dung thuộc nhóm Cao" in t.label
    assert "(năm 2024: " in t.label
    t2 = save_target(plan, world.coordinator, {"index": "papi", "kind": "count_max", "value": "0 Thấp"})
    assert "không có chỉ số nội dung nào thuộc nhóm Thấp" in t2.label
    g = save_target(
        plan, world.coordinator, {"index": "papi", "node_code": "D1", "kind": "group", "value": "Cao"}
    )
    assert g.baseline_group in ("Cao", "Trung bình cao", "Trung bình thấp", "Thấp")
    assert f"thuộc nhóm {g.baseline_group}" in g.label
    before = plan.targets.count()
    for bad, field in [
        ({"index": "papi", "kind": "count_min", "value": "Cao"}, "value"),
        ({"index": "papi", "kind": "count_min", "value": "9 Cao"}, None),
        ({"index": "papi", "kind": "count_min", "value": "2 Xuất sắc"}, None),
        ({"index": "papi", "kind": "count_max", "value": "1 Cao"}, None),
        ({"index": "papi", "node_code": "D1", "kind": "count_min", "value": "1 Cao"}, None),
        ({"index": "papi", "node_code": "D1.1", "kind": "group", "value": "Cao"}, None),
    ]:
        with pytest.raises(ValidationError) as exc:
            save_target(plan, world.coordinator, bad)
        assert (field or "__all__") in exc.value.message_dict, bad
    assert plan.targets.count() == before


def test_the_plan_page_and_the_api_show_the_verdict(client, world, kontum):
    previous = _issued_plan_for_2024(kontum)
    Plan.objects.filter(pk=previous.pk).update(issuing_unit=world.province)  # a plan the coordinator sees
    previous.refresh_from_db()
    client.force_login(world.coordinator)
    page = client.get(reverse("plans:detail", args=[previous.pk])).content.decode()
    review = review_plan(previous)
    assert "Kết quả thực hiện mục tiêu (theo kết quả năm 2024)" in page
    assert review.summary[:1].upper() + review.summary[1:] in page
    assert page.count("✗ Chưa đạt") == len(review.unmet)
    r = client.get(f"/api/plans/{previous.pk}/target-review/")
    assert r.status_code == 200
    data = r.json()
    assert data["year"] == 2024 and data["summary"] == review.summary
    assert [row["met"] for row in data["rows"]] == [x.met for x in review.rows]
    assert client.get(f"/api/plans/{previous.pk}/target-review/?year=abc").status_code == 400
    assert client.get(f"/api/plans/{previous.pk}/target-review/?year=2030").status_code == 404
    client.force_login(world.outsider)  # no role on the plan's province: refused
    assert client.get(f"/api/plans/{previous.pk}/target-review/").status_code == 403


def test_a_floor_never_comes_from_another_framework_version(kontum):
    """PAPI's D2 gained "Access to information" in 2018: a 2012 D2 score is not a 2024 floor."""
    c2012, c2024 = year_figures("papi", 2012), year_figures("papi", 2024)
    assert not same_definition(c2012, c2024, "D2")
    assert same_definition(year_figures("papi", 2022), c2024, "D2")
    assert not same_definition(
        year_figures("papi", 2019), c2024, "D5"
    )  # construction permits dropped in 2021
    a = analyse("papi", kontum, 2024)
    d2 = next(n for n in a.nodes if n.code == "D2")
    assert d2.best_past_year is None or d2.best_past_year >= 2018
    d5 = next(n for n in a.nodes if n.code == "D5")
    assert d5.best_past_year is None or d5.best_past_year >= 2021
