"""Targets checked against the real results: baselines, points needed, met flag, impossible targets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.analysis.services import analyse
from chiso.plans.models import Target
from chiso.plans.services.plans import check_and_fill_target, refresh_targets, results_unit
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _old_quang_ngai():
    return Unit.objects.filter(kind="province", code="51", valid_from__isnull=True).get()


def test_merged_province_uses_its_predecessor_of_same_code(world):
    old = _old_quang_ngai()
    assert old.pk != world.province.pk
    assert results_unit(world.province, "papi", 2024) == old
    assert results_unit(world.noivu, "papi", 2024) == old  # a department's plan: its province


def test_whole_index_rank_target_against_real_results(world, make_plan):
    plan = make_plan(status="draft")
    a = analyse("papi", _old_quang_ngai(), 2024)
    t = check_and_fill_target(Target(plan=plan, index="papi", kind="places", value="2"))
    assert t.baseline_year == 2024
    assert t.baseline_score == pytest.approx(a.total)
    assert t.baseline_rank == a.rank and t.baseline_rank_of == a.rank_of
    assert t.baseline_group == (a.group or "")
    if a.rank > 2:
        assert t.needed_points is not None and t.needed_points > 0 and not t.met
        assert "tăng tối thiểu 02 bậc" in t.label
    # a score already reached is flagged met, needing 0 points
    t2 = check_and_fill_target(Target(plan=plan, index="papi", kind="score", value="10"))
    assert t2.met and t2.needed_points == 0
    assert "(đã đạt)" in t2.label


def test_node_target_and_impossible_targets(world, make_plan):
    plan = make_plan(status="draft")
    a = analyse("papi", _old_quang_ngai(), 2024)
    d1 = next(n for n in a.nodes if n.code == "D1")
    t = check_and_fill_target(Target(plan=plan, index="papi", node_code="D1", kind="score", value="10"))
    assert t.node_name == d1.name and t.baseline_score == pytest.approx(d1.score) and t.baseline_max == 10
    assert t.needed_points == pytest.approx(10 - d1.score, abs=1e-3)
    with pytest.raises(ValueError, match="vượt quá điểm tối đa"):
        check_and_fill_target(Target(plan=plan, index="papi", node_code="D1", kind="score", value="11"))
    with pytest.raises(ValueError, match="Không có nội dung"):
        check_and_fill_target(Target(plan=plan, index="papi", node_code="D99", kind="score", value="5"))
    with pytest.raises(ValueError, match="phải từ 1 đến"):
        check_and_fill_target(Target(plan=plan, index="papi", kind="rank", value="99"))


def test_target_form_saves_checked_target(client, world, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    url = reverse("plans:target_new", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "D2.3" in page and "toàn chỉ số" in page
    r = client.post(url, {"node": "papi|", "kind": "group", "value": "cao"})
    assert r.status_code == 302
    t = plan.targets.get()
    assert t.value == "Cao" and t.kind == "group" and t.baseline_score is not None
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "thuộc nhóm Cao" in html
    # edit it into a node score target
    r = client.post(
        reverse("plans:target_edit", args=[plan.pk, t.pk]),
        {"node": "papi|D2", "kind": "score", "value": "6,5"},
    )
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.node_code == "D2" and t.value == "6,5" and "6,5 điểm" in t.label


def test_impossible_target_is_refused_and_nothing_saved(client, world, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    url = reverse("plans:target_new", args=[plan.pk])
    r = client.post(url, {"node": "papi|", "kind": "score", "value": "95"})
    assert r.status_code == 400
    assert "vượt quá điểm tối đa" in r.content.decode()
    r = client.post(url, {"node": "papi|", "kind": "score", "value": "abc"})
    assert r.status_code == 400 and "không phải là một số" in r.content.decode()
    r = client.post(url, {"node": "papi|D1.1", "kind": "group", "value": "Cao"})  # sub-dimensions: no groups
    assert r.status_code == 400 and "toàn chỉ số" in r.content.decode()
    assert not plan.targets.exists()


def test_targets_locked_and_forbidden(client, world, make_plan):
    issued = make_plan(status="issued")
    draft = make_plan(status="draft", tasks=[{"text": "Việc", "lead_unit": world.yte}])
    client.force_login(world.coordinator)
    r = client.post(
        reverse("plans:target_new", args=[issued.pk]), {"node": "papi|", "kind": "places", "value": "1"}
    )
    assert r.status_code == 403
    client.force_login(world.officer_yt)
    r = client.post(
        reverse("plans:target_new", args=[draft.pk]), {"node": "papi|", "kind": "places", "value": "1"}
    )
    assert r.status_code == 404  # a unit officer does not see plans before they are issued
    assert not Target.objects.exists()


def test_delete_and_refresh_targets(client, world, make_plan):
    plan = make_plan(status="draft")
    t = check_and_fill_target(Target(plan=plan, index="papi", kind="places", value="1"))
    t.save()
    Target.objects.filter(pk=t.pk).update(baseline_score=1.0, label="cũ")
    assert refresh_targets(plan) == []
    t.refresh_from_db()
    assert t.baseline_score > 1 and t.label != "cũ"
    client.force_login(world.coordinator)
    r = client.post(reverse("plans:target_delete", args=[plan.pk, t.pk]))
    assert r.status_code == 302 and not plan.targets.exists()
