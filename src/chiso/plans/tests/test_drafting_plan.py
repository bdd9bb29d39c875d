"""Drafting a plan from real results: targets with baselines that add up to the points needed, library
tasks per weak node with units from the responsibility map, the shortcomings appendix; errors change
nothing; the page drafts and lands on the plan."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.analysis.services import analyse
from chiso.core.plan import POINT_DECIMALS, points_up
from chiso.plans.models import Plan, Shortcoming, Target, Task
from chiso.plans.services.drafting import DraftError, draft_plan, drafting_units, shortcomings_rows
from chiso.plans.services.library import load_shipped_library, save_responsibilities
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kontum():
    return Unit.objects.get(kind="province", code="62")


@pytest.fixture
def library():
    load_shipped_library()


def test_the_coordinator_drafts_from_her_province_or_the_provinces_merged_into_it(world, kontum):
    units = [u for u, _p in drafting_units(world.coordinator)]
    assert units[0] == world.province
    assert kontum in units
    assert all(p == world.province for _u, p in drafting_units(world.coordinator))
    assert drafting_units(world.officer_tp) == []
    assert drafting_units(world.viewer) == []


def test_draft_plan_on_real_results(world, kontum, library):
    save_responsibilities(
        world.province,
        "papi",
        {"D3": {"lead": world.tuphap.pk, "coordinating": [world.noivu.pk, world.xa1.pk]}},
        world.coordinator,
    )
    plan = draft_plan("papi", kontum, 2024, {"places": 5}, world.coordinator)
    a = analyse("papi", kontum, 2024)

    assert plan.status == "draft"
    assert plan.title == "Cải thiện, nâng cao Chỉ số PAPI tỉnh Quảng Ngãi năm 2025"
    assert plan.issuing_unit == world.province  # Kon Tum was merged into the new Quảng Ngãi
    assert (plan.year, plan.results_year, plan.indices) == (2025, 2024, ["papi"])
    assert plan.created_by == world.coordinator
    assert "Chỉ số PAPI năm 2024" in plan.purpose and "xếp thứ 60/61" in plan.purpose
    assert plan.requirements and plan.history.count() == 1

    targets = list(plan.targets.order_by("order"))
    overall, nodes, others, count = targets[0], targets[1:6], targets[6:-1], targets[-1]
    assert overall.node_code == "" and overall.kind == "places" and overall.value == "5"
    assert overall.baseline_score == pytest.approx(a.total)
    assert (overall.baseline_rank, overall.baseline_rank_of) == (a.rank, a.rank_of)
    assert overall.baseline_max == a.max and overall.baseline_year == 2024
    assert overall.needed_points > 0 and not overall.met
    assert "tăng tối thiểu 05 bậc" in overall.label
    # the five weakest dimensions (lowest rank first), their asks add up to the needed increase
    assert len(nodes) == 5
    by_code = {n.code: n for n in a.nodes}
    assert nodes[0].node_code == "D3" and nodes[0].baseline_rank == 61
    for t in nodes:
        assert t.kind == "score"
        assert t.baseline_score == pytest.approx(by_code[t.node_code].score)
        assert t.baseline_max == by_code[t.node_code].max
        assert t.node_name == by_code[t.node_code].name
        assert float(t.value) == pytest.approx(t.baseline_score + t.needed_points, abs=1e-3)
    assert sum(t.needed_points for t in nodes) >= overall.needed_points - 1e-9
    # every other dimension has a target too, by its group among the provinces (PAPI groups dimensions)
    dims = [n for n in a.nodes if n.depth == 1]
    assert {t.node_code for t in nodes + others} == {n.code for n in dims}
    for t in nodes + others:
        line = by_code[t.node_code]
        assert t.baseline_group and t.baseline_group == line.group
        assert (t.baseline_rank, t.baseline_rank_of) == (line.rank, line.rank_of)
        assert f"xếp hạng {line.rank}/61" in t.label and f"thuộc nhóm {line.group}" in t.label
    assert all(t.kind == "group" for t in others), [(t.kind, t.label) for t in others]
    # a count target on the dimensions in the worst group
    in_low = sum(1 for n in dims if n.group == "Thấp")
    assert count.kind == "count_max" and count.value == f"{max(0, in_low - 1)} Thấp"
    assert count.baseline_score is None and "chỉ số nội dung" in count.label

    # tasks from the library for each target node, with the map's units for D3
    tasks = list(plan.tasks.order_by("order"))
    assert tasks
    target_codes = {t.node_code for t in nodes + others if not t.met}  # kept nodes get no new tasks
    assert all(t.nodes and t.nodes[0] in target_codes and t.library_key for t in tasks)
    assert {t.nodes[0] for t in tasks} >= {t.node_code for t in nodes}
    d3 = [t for t in tasks if t.nodes[0] == "D3"]
    assert d3 and all(t.lead_unit == world.tuphap for t in d3)
    assert set(d3[0].coordinating_units.all()) == {world.noivu, world.xa1}
    others = [t for t in tasks if t.nodes[0] != "D3"]
    assert others and all(t.lead_text for t in others)  # the library's own words
    # without a map entry, the library's lead text is matched against the province's units
    for t in others:
        if t.lead_text == "Sở Nội vụ":
            assert t.lead_unit == world.noivu
        elif t.lead_unit is None:
            assert t.lead_text not in ("Sở Tư pháp", "Sở Y tế")
    for t in tasks:
        if t.recurrence == "none":
            assert t.deadline.isoformat() == "2025-12-31" and t.first_due is None
        else:
            assert t.first_due is not None and t.first_due.year == 2025

    # the shortcomings appendix: every node with lost points, D3.* with the map's units
    rows = list(plan.shortcomings.order_by("order"))
    assert len(rows) == len(a.lost)
    for r in rows:
        assert r.lost == pytest.approx(r.maximum - r.achieved)
        assert r.lost > 0
    d32 = next(r for r in rows if r.node_code == "D3.2")
    assert set(d32.responsible_units.all()) == {world.tuphap, world.noivu, world.xa1}
    # D1 is not in the province's map: the shipped default map names the body that usually leads it
    d1 = next(r for r in rows if r.node_code.startswith("D1"))
    assert list(d1.responsible_units.all()) == [world.noivu]
    assert d1.responsible_text == "UBND các xã, phường, đặc khu"


def test_shortcomings_rows_is_reusable(world, kontum):
    rows = shortcomings_rows("papi", kontum, 2024, world.province)
    a = analyse("papi", kontum, 2024)
    assert {r["node_code"] for r in rows} == {n.code for n in a.lost}
    first = rows[0]
    assert set(first) >= {"node_code", "node_name", "achieved", "maximum", "lost", "responsible_units"}


def test_other_ambitions(world, kontum, library):
    plan = draft_plan("papi", kontum, 2024, {"group": "trung bình thấp"}, world.coordinator, weakest=3)
    overall = plan.targets.order_by("order").first()
    assert overall.kind == "group" and overall.value == "Trung bình thấp"
    assert plan.targets.count() >= 4
    plan = draft_plan("papi", kontum, 2024, {"score": 41.0}, world.coordinator, weakest=2)
    # stored as the plan prints it: rounded up (a "tối thiểu" figure must not understate)
    needed = 41.0 - analyse("papi", kontum, 2024).total
    stored = plan.targets.order_by("order").first().needed_points
    assert stored == pytest.approx(points_up(needed)) and needed <= stored < needed + 10**-POINT_DECIMALS


@pytest.mark.parametrize(
    "args, message",
    [
        (("papi", "merged", 2024, {"places": 5}), "Chưa có kết quả"),
        (("papi", "kontum", 2030, {"places": 5}), ""),
        (("papi", "kontum", 2024, {"places": 80}), "Không thể tăng"),
        (("papi", "kontum", 2024, {"score": 99}), "vượt quá điểm tối đa"),
        (("papi", "kontum", 2024, {"group": "Xuất sắc"}), "không có"),
        (("xyz", "kontum", 2024, {"places": 5}), "Không có chỉ số"),
    ],
)
def test_errors_change_nothing(world, kontum, library, args, message):
    index, which, year, ambition = args
    unit = world.province if which == "merged" else kontum
    before = (Plan.objects.count(), Target.objects.count(), Task.objects.count(), Shortcoming.objects.count())
    with pytest.raises(DraftError) as exc:
        draft_plan(index, unit, year, ambition, world.coordinator)
    assert message in str(exc.value)
    after = (Plan.objects.count(), Target.objects.count(), Task.objects.count(), Shortcoming.objects.count())
    assert after == before


def test_only_coordinators_draft(world, kontum):
    for user in (world.officer_tp, world.viewer, world.leader):
        with pytest.raises(DraftError):
            draft_plan("papi", kontum, 2024, {"places": 5}, user)
    assert not Plan.objects.exists()


# ------------------------------------------------------------------ the page


def test_page_takes_the_analysis_link_and_drafts(client, world, kontum, library):
    client.force_login(world.coordinator)
    url = reverse("plans:draft")
    r = client.get(url, {"index": "papi", "unit": kontum.pk, "year": 2024})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Lập kế hoạch từ kết quả phân tích" in html
    assert f'<option value="{kontum.pk}" selected' in html
    assert 'value="2024"' in html
    assert "Kon Tum (tỉnh cũ, trước 01/07/2025)" in html
    assert "Quảng Ngãi (tỉnh cũ, trước 01/07/2025)" in html
    assert "Quảng Ngãi (từ 01/07/2025)" in html
    assert "trước sắp xếp, nay thuộc" not in html

    r = client.post(
        url,
        {"index": "papi", "unit": kontum.pk, "year": 2024, "ambition": "places", "value": "3", "weakest": 4},
    )
    plan = Plan.objects.get()
    assert r.status_code == 302 and r.url == reverse("plans:detail", args=[plan.pk])
    assert plan.targets.count() == 1 + 8 + 1  # the whole index, every dimension, a count target
    assert plan.targets.filter(kind="score").exclude(node_code="").count() == 4  # the 4 weakest
    assert plan.history.first().history_user == world.coordinator


def test_page_errors_create_nothing(client, world, kontum, library):
    client.force_login(world.coordinator)
    url = reverse("plans:draft")
    r = client.post(
        url,
        {"index": "papi", "unit": kontum.pk, "year": 2024, "ambition": "places", "value": "90", "weakest": 5},
    )
    assert r.status_code == 400 and "Không thể tăng" in r.content.decode()
    r = client.post(
        url,
        {
            "index": "papi",
            "unit": world.province.pk,
            "year": 2024,
            "ambition": "places",
            "value": "2",
            "weakest": 5,
        },
    )
    assert r.status_code == 400 and "Chưa có kết quả" in r.content.decode()
    r = client.post(
        url,
        {
            "index": "papi",
            "unit": kontum.pk,
            "year": 2024,
            "ambition": "places",
            "value": "hai",
            "weakest": 5,
        },
    )
    assert r.status_code == 400 and "không phải là số" in r.content.decode()
    other = Unit.objects.get(kind="province", code="01", valid_to__isnull=True)  # Hà Nội: not hers
    r = client.post(
        url,
        {"index": "papi", "unit": other.pk, "year": 2024, "ambition": "places", "value": "2", "weakest": 5},
    )
    assert r.status_code == 400
    assert not Plan.objects.exists()


@pytest.mark.parametrize("who", ["officer_tp", "viewer", "leader", "outsider"])
def test_page_is_for_coordinators(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("plans:draft")).status_code == 403
    assert client.post(reverse("plans:draft"), {"index": "papi"}).status_code == 403
    assert not Plan.objects.exists()
