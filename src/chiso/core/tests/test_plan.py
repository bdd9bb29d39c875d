import csv
from pathlib import Path

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from chiso.core.gap import group_with, rank_of
from chiso.core.plan import (
    Baseline,
    NodeInput,
    Target,
    baseline_of,
    check_target,
    draft_targets,
    points_up,
)
from chiso.core.stats import GroupBand, GroupRule
from chiso.core.text import format_number

FIXTURE = Path(__file__).parent / "fixtures" / "papi_totals_2019_2023.csv"
EPS = 1e-6
PAPI_MAX = 80.0

PAPI_RULE = GroupRule(
    "quantile",
    (
        GroupBand("Cao", "High", 75),
        GroupBand("Trung bình cao", "High-average", 50),
        GroupBand("Trung bình thấp", "Low-average", 25),
        GroupBand("Thấp", "Low", None),
    ),
)
PAR_RULE = GroupRule(
    "threshold", (GroupBand("A", "A", 90), GroupBand("B", "B", 80), GroupBand("C", "C", 70)), on="percent"
)

# PAPI 2023-like dimensions of Kon Tum (score, rank among 61)
KT_NODES = [
    NodeInput("D1", "Tham gia của người dân ở cấp cơ sở", 4.93, 10, 50, 61, 5.10),
    NodeInput("D2", "Công khai, minh bạch trong việc ra quyết định", 5.02, 10, 42, 61, 5.26),
    NodeInput("D3", "Trách nhiệm giải trình với người dân", 4.31, 10, 48, 61),
    NodeInput("D4", "Kiểm soát tham nhũng trong khu vực công", 6.25, 10, 35, 61, 6.74),
    NodeInput("D5", "Thủ tục hành chính công", 7.12, 10, 45, 61),
    NodeInput("D6", "Cung ứng dịch vụ công", 7.26, 10, 58, 61, 7.60),
    NodeInput("D7", "Quản trị môi trường", 2.71, 10, 57, 61),
    NodeInput("D8", "Quản trị điện tử", 2.36, 10, 55, 61),
]


def papi_2023() -> tuple[float, list[float]]:
    complete: dict[str, float] = {}
    with FIXTURE.open(encoding="utf-8") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            if row["year"] == "2023" and row["complete"] == "True":
                complete[row["province"]] = float(row["total_unweighted"])
    kt = complete.pop("Kon Tum")
    return kt, list(complete.values())


def base(current, others, rule=PAPI_RULE, maximum=PAPI_MAX, year=2023):
    return baseline_of(year, current, others, rule, maximum)


# ------------------------------------------------------------------ examples (Kon Tum PAPI 2023)


def test_kon_tum_places():
    kt, others = papi_2023()
    b = base(kt, others)
    assert (b.rank, b.rank_of, b.group) == (56, 61, "Thấp")
    t = check_target("places", 5, kt, others, PAPI_RULE, PAPI_MAX, b, year=2025)
    assert t.kind == "places" and t.node is None and t.value == 5 and not t.met
    assert t.needed_points == pytest.approx(0.356563, abs=1e-6)
    assert t.label_vi == (
        "Phấn đấu Chỉ số PAPI năm 2025 tăng tối thiểu 05 bậc (từ 56/61 lên 51/61), "
        "tương ứng tăng tối thiểu 0,3566 điểm"
    )
    assert rank_of(kt + t.needed_points, others) <= 51


def test_kon_tum_rank_top_group_score_percent():
    kt, others = papi_2023()
    b = base(kt, others)
    r = check_target("rank", 51, kt, others, PAPI_RULE, PAPI_MAX, b)
    assert r.needed_points == pytest.approx(0.356563, abs=1e-6)
    assert r.label_vi.startswith("Phấn đấu Chỉ số PAPI năm 2024 xếp hạng 51/61 (năm 2023 ")
    assert "xếp hạng 56/61" in r.label_vi

    top = check_target("top", 25, kt, others, PAPI_RULE, PAPI_MAX, b, year=2025)
    assert "xếp trong nhóm 25 tỉnh, thành phố dẫn đầu" in top.label_vi
    assert rank_of(kt + top.needed_points, others) <= 25

    g = check_target("group", "Trung bình cao", kt, others, PAPI_RULE, PAPI_MAX, b, year=2025)
    assert g.label_vi.startswith("Phấn đấu Chỉ số PAPI năm 2025 thuộc nhóm Trung bình cao")
    assert "thuộc nhóm Thấp" in g.label_vi  # the baseline's group
    assert group_with(kt + g.needed_points, others, PAPI_RULE) in ("Cao", "Trung bình cao")

    s = check_target("score", 42.5, kt, others, PAPI_RULE, PAPI_MAX, b, year=2025)
    assert s.label_vi.startswith("Phấn đấu Chỉ số PAPI năm 2025 đạt tối thiểu 42,5 điểm")
    assert s.needed_points == pytest.approx(42.5 - kt)
    assert format_number(points_up(42.5 - kt)) in s.label_vi

    p = check_target("percent", 50, kt, others, PAPI_RULE, PAPI_MAX, b)
    assert p.needed_points == pytest.approx(40 - kt)
    assert "50% số điểm tối đa (40/80 điểm)" in p.label_vi


def test_already_met_is_flagged():
    kt, others = papi_2023()
    b = base(kt, others)
    for kind, value in [
        ("rank", 56),
        ("rank", 60),
        ("places", 0),
        ("group", "Thấp"),
        ("score", 39),
        ("top", 61),
    ]:
        t = check_target(kind, value, kt, others, PAPI_RULE, PAPI_MAX, b)
        assert t.met and t.needed_points == 0, (kind, value)
        assert "(đã đạt)" in t.label_vi
    keep = check_target("places", 0, kt, others, PAPI_RULE, PAPI_MAX, b)
    assert "giữ vững vị trí xếp hạng 56/61" in keep.label_vi


def test_seed_style_node_baseline():
    # "năm 2018 đạt 5,26 điểm, xếp hạng 31/63 … phấn đấu xếp hạng 30/63"
    others = [5.6 - i * 0.01 for i in range(30)] + [5.0 - i * 0.01 for i in range(32)]  # 30 above 5.26
    b = Baseline(2018, 5.26, 31, 63)
    t = check_target("rank", 30, 5.26, others, None, 10, b, node="D2", node_name="Công khai, minh bạch")
    assert t.label_vi.startswith(
        "Phấn đấu nội dung Công khai, minh bạch (Chỉ số PAPI) năm 2019 xếp hạng 30/63"
    )
    assert "(năm 2018 đạt 5,26 điểm, xếp hạng 31/63)" in t.label_vi
    assert t.needed_points == pytest.approx(5.31 - 5.26)  # tie with the 30th best counts as reached
    assert "tương ứng tăng tối thiểu 0,05 điểm" in t.label_vi
    assert rank_of(5.26 + t.needed_points, others) <= 30


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("rank", 0, "Thứ hạng mục tiêu phải từ 1 đến 61"),
        ("rank", 62, "Thứ hạng mục tiêu phải từ 1 đến 61"),
        ("top", 0, "Thứ hạng mục tiêu"),
        ("top", 100, "Thứ hạng mục tiêu"),
        ("places", 56, "Không thể tăng 56 bậc từ hạng 56/61"),
        ("places", -1, "Số bậc"),
        ("places", 2.5, "số nguyên"),
        ("group", "Rất cao", "Nhóm «Rất cao» không có"),
        ("percent", 101, "0–100"),
        ("percent", -5, "0–100"),
        ("score", 80.5, "vượt quá điểm tối đa 80"),
        ("score", "cao", "phải là một số"),
        ("points", 3, "Loại mục tiêu không hợp lệ"),
    ],
)
def test_impossible_targets_are_rejected(kind, value, message):
    kt, others = papi_2023()
    with pytest.raises(ValueError, match=message):
        check_target(kind, value, kt, others, PAPI_RULE, PAPI_MAX, base(kt, others))


def test_group_needs_a_rule_and_percent_a_maximum():
    with pytest.raises(ValueError, match="quy tắc xếp nhóm"):
        check_target("group", "Cao", 10, [20], None, 80, Baseline(2023, 10))
    with pytest.raises(ValueError, match="điểm tối đa"):
        check_target("percent", 50, 10, [20], None, None, Baseline(2023, 10))


def test_unreachable_within_maximum():
    # a threshold group above what the maximum allows, and a rank behind units at the maximum
    strict = GroupRule(
        "threshold", (GroupBand("A", "A", 100, False), GroupBand("B", "B", None)), on="percent"
    )
    t = check_target("group", "A", 50, [], strict, 80, Baseline(2023, 50))
    assert t.needed_points is None and not t.met
    assert "không thể đạt" in t.label_vi
    t = check_target("rank", 1, 70, [80, 80.5], None, 80, Baseline(2023, 70))
    assert t.needed_points is None and not t.met


def test_par_index_percent_group():
    b = Baseline(2022, 80.91, 57, 63, "B", 80.91)
    t = check_target("group", "A", 80.91, [], PAR_RULE, 100, b, index_name="PAR INDEX")
    assert t.needed_points == pytest.approx(90 - 80.91)
    assert t.label_vi.startswith("Phấn đấu Chỉ số PAR INDEX năm 2023 thuộc nhóm A (năm 2022 đạt 80,91 điểm")


def test_kon_tum_draft():
    kt, others = papi_2023()
    b = base(kt, others)
    ts = draft_targets("PAPI", 2025, kt, others, KT_NODES, {"places": 5}, PAPI_RULE, PAPI_MAX, b)
    overall, nodes, kept = ts[0], ts[1:6], ts[6:]
    assert overall.label_vi.startswith(
        "Phấn đấu Chỉ số PAPI năm 2025 tăng tối thiểu 05 bậc (từ 56/61 lên 51/61)"
    )
    # every other dimension keeps its score (no groups given here), in the framework's order
    assert [t.node for t in kept] == ["D2", "D4", "D5"]
    assert all(t.kind == "score" and t.met and "giữ vững tối thiểu" in t.label_vi for t in kept)
    # the five lowest ranks: D6 58, D7 57, D8 55, D1 50, D3 48
    assert [t.node for t in nodes] == ["D6", "D7", "D8", "D1", "D3"]
    assert sum(t.needed_points for t in nodes) >= overall.needed_points
    by = {n.code: n for n in KT_NODES}
    for t in nodes:
        n = by[t.node]
        assert t.kind == "score" and t.value <= n.max
        assert t.value == pytest.approx(n.score + t.needed_points)
        assert t.baseline.score == n.score and t.baseline.rank == n.rank
        assert n.name in t.label_vi
        assert f"năm 2023 đạt {format_number(n.score)}/10 điểm, xếp hạng {n.rank}/61" in t.label_vi
        assert f"tương ứng tăng tối thiểu {format_number(points_up(t.needed_points))} điểm" in t.label_vi
        if n.best_past is not None and n.best_past > n.score:
            assert t.value >= n.best_past
    d6 = nodes[0]
    assert d6.value >= 7.60  # its best past score is higher than the share it would be asked
    # without a best past to recover, the share follows the points at stake: D8 > D7 > D3
    shares = {t.node: t.needed_points for t in nodes if by[t.node].best_past is None}
    assert shares["D8"] >= shares["D7"] >= shares["D3"] > 0


def test_draft_group_and_score_ambitions():
    kt, others = papi_2023()
    b = base(kt, others)
    ts = draft_targets(
        "PAPI", 2025, kt, others, KT_NODES, {"group": "Trung bình thấp"}, PAPI_RULE, PAPI_MAX, b, 3
    )
    assert ts[0].kind == "group" and len(ts) == 1 + len(KT_NODES)
    assert sum(t.needed_points for t in ts[1:]) >= ts[0].needed_points
    ts = draft_targets("PAPI", 2025, kt, others, KT_NODES, {"score": 39.0}, PAPI_RULE, PAPI_MAX, b, 2)
    assert ts[0].met
    for t in ts[1:3]:  # nothing needed: the two weakest only asked to get back to their best past
        n = next(n for n in KT_NODES if n.code == t.node)
        assert t.needed_points == pytest.approx(max(0.0, (n.best_past or 0) - n.score), abs=1e-4)
    with pytest.raises(ValueError, match="đúng một"):
        draft_targets("PAPI", 2025, kt, others, KT_NODES, {"places": 5, "top": 3}, PAPI_RULE, PAPI_MAX, b)
    with pytest.raises(ValueError, match="đúng một"):
        draft_targets("PAPI", 2025, kt, others, KT_NODES, {"bậc": 5}, PAPI_RULE, PAPI_MAX, b)


def test_draft_adds_nodes_when_the_weakest_cannot_cover():
    nodes = [
        NodeInput("A", "A", 9.9, 10, 60, 61),
        NodeInput("B", "B", 9.8, 10, 59, 61),
        NodeInput("C", "C", 2.0, 10, 10, 61),
        NodeInput("D", "D", 10, 10, 61, 61),  # nothing at stake: never asked
    ]
    total = sum(n.score for n in nodes)
    others = [total + 3.0, total + 1.0]
    ts = draft_targets("PAPI", 2025, total, others, nodes, {"top": 1}, None, 40, Baseline(2024, total), 2)
    assert [t.node for t in ts[1:]] == ["A", "B", "C", "D"]
    assert ts[4].met and ts[4].needed_points == 0
    assert sum(t.needed_points for t in ts[1:]) >= ts[0].needed_points - 1e-9


def test_draft_rejects_unreachable():
    nodes = [NodeInput("A", "A", 5, 10)]
    with pytest.raises(ValueError, match="không thể đạt"):
        draft_targets("PAPI", 2025, 5, [10, 10], nodes, {"top": 1}, None, 8, Baseline(2024, 5))


def test_points_up():
    assert points_up(0.356563) == 0.3566
    assert points_up(0.35) == 0.35
    assert points_up(0.1 + 0.2) == 0.3


# ------------------------------------------------------------------ properties

score = st.one_of(st.integers(100, 800).map(lambda i: i / 10), st.floats(10, 80, allow_nan=False))
scores = st.lists(score, min_size=1, max_size=64)


@settings(max_examples=200, deadline=None)
@given(score, scores, st.data())
def test_rank_targets_property(current, others, data):
    n = len(others) + 1
    b = base(current, others)
    now = rank_of(current, others)
    kind = data.draw(st.sampled_from(["rank", "top", "places"]))
    if kind == "places":
        value = data.draw(st.integers(0, now - 1))
        target_rank = now - value
    else:
        value = data.draw(st.integers(1, n))
        target_rank = value
    t = check_target(kind, value, current, others, PAPI_RULE, PAPI_MAX, b, year=2025)
    assert isinstance(t, Target) and t.needed_points is not None
    d = t.needed_points
    assert d >= 0
    assert rank_of(current + d, others) <= target_rank
    if d > 0:
        assert not t.met
        assert rank_of(current + d - EPS, others) > target_rank
        assert format_number(points_up(d)) in t.label_vi
    else:
        assert t.met and target_rank >= now
    if target_rank >= now:  # already there
        assert t.met and d == 0
    if kind == "places":
        assert f"{value:02d} bậc" in t.label_vi or value == 0
        assert f"{target_rank}/{n}" in t.label_vi


@settings(max_examples=150, deadline=None)
@given(score, scores, st.sampled_from(PAPI_RULE.labels))
def test_group_target_property(current, others, target):
    b = base(current, others)
    t = check_target("group", target, current, others, PAPI_RULE, PAPI_MAX, b)
    d = t.needed_points
    assert d is not None  # quantile groups are reachable below the maximum of 80 here
    assert PAPI_RULE.at_least(group_with(current + d, others, PAPI_RULE), target)
    if d > 0:
        assert not t.met
        assert not PAPI_RULE.at_least(group_with(current + d - EPS, others, PAPI_RULE), target)
        assert format_number(points_up(d)) in t.label_vi
    else:
        assert t.met
    if PAPI_RULE.at_least(b.group, target):
        assert t.met and d == 0


@settings(max_examples=150, deadline=None)
@given(score, st.floats(0, 80, allow_nan=False), st.floats(0, 100, allow_nan=False))
def test_score_and_percent_targets_property(current, goal, percent):
    b = Baseline(2024, current)
    s = check_target("score", goal, current, [], None, PAPI_MAX, b)
    assert current + s.needed_points >= goal - 1e-9
    assert s.met == (current >= goal - 1e-9)
    assert format_number(goal) in s.label_vi
    p = check_target("percent", percent, current, [], None, PAPI_MAX, b)
    assert 100 * (current + p.needed_points) / PAPI_MAX >= percent - 1e-9
    assert p.met == (p.needed_points == 0)


node_st = st.builds(
    lambda code, mx, frac, rank, past: NodeInput(
        code,
        f"Nội dung {code}",
        round(mx * frac, 2),
        mx,
        rank,
        61,
        None if past is None else round(mx * past, 2),
    ),
    st.text("ABCDEFGH", min_size=1, max_size=3),
    st.sampled_from([1.0, 2.5, 10.0]),
    st.floats(0, 1),
    st.one_of(st.none(), st.integers(1, 61)),
    st.one_of(st.none(), st.floats(0, 1)),
)


@settings(max_examples=400, deadline=None)
@given(
    score,
    st.lists(
        st.one_of(st.integers(-30, 30).map(lambda i: i / 10), st.floats(-3, 3)), min_size=1, max_size=64
    ),
    st.lists(node_st, min_size=0, max_size=10, unique_by=lambda n: n.code),
    st.one_of(
        st.integers(0, 20).map(lambda k: {"places": k}),
        st.integers(1, 64).map(lambda k: {"top": k}),
        st.sampled_from(PAPI_RULE.labels).map(lambda g: {"group": g}),
        st.floats(0, 80).map(lambda x: {"score": x}),
    ),
    st.integers(0, 8),
)
def test_draft_targets_property(current, offsets, nodes, ambition, weakest):
    others = [min(80.0, max(0.0, current + o)) for o in offsets]  # a close race: needs of a few points
    n = len(others) + 1
    now = rank_of(current, others)
    if "places" in ambition:
        assume(now - ambition["places"] >= 1)
    if "top" in ambition:
        assume(ambition["top"] <= n)
    b = base(current, others)
    ts = draft_targets("PAPI", 2025, current, others, nodes, ambition, PAPI_RULE, PAPI_MAX, b, weakest)
    overall, node_targets = ts[0], ts[1:]
    assert overall.node is None
    needed = overall.needed_points
    assert needed is not None
    usable = [nd for nd in nodes if nd.max - nd.score > 1e-12]
    available = sum(nd.max - nd.score for nd in usable)
    by = {nd.code: nd for nd in nodes}
    assert len({t.node for t in node_targets}) == len(node_targets)
    assert {t.node for t in node_targets} == {nd.code for nd in nodes}  # every node has a target
    assert len(node_targets) >= min(weakest, len(usable))
    asked = 0.0
    for i, t in enumerate(node_targets):
        nd = by[t.node]
        assert t.kind == "score"
        assert nd.score - 1e-9 <= t.value <= nd.max + 1e-9
        assert t.needed_points == pytest.approx(max(0.0, t.value - nd.score), abs=1e-9)
        # a chosen weak node gets back at least to its best past; the others keep their score
        if i < min(weakest, len(usable)) and nd.best_past is not None and nd.best_past > nd.score:
            assert t.value >= min(nd.best_past, nd.max) - 1e-9
        assert t.baseline.score == nd.score and t.baseline.rank == nd.rank
        assert format_number(nd.score) in t.label_vi
        if t.needed_points > 0:
            assert format_number(points_up(t.needed_points)) in t.label_vi
        asked += t.needed_points
    event("needed 0" if needed == 0 else "covered" if needed <= available + 1e-9 else "not coverable")
    event(f"{len(node_targets)} node targets vs weakest {min(weakest, len(usable))}")
    if needed <= available + 1e-9:
        assert asked >= needed - 1e-9
    else:  # cannot be covered: every usable node is asked everything it has at stake
        assert {t.node for t in node_targets if t.needed_points > 0} == {nd.code for nd in usable}
        assert asked == pytest.approx(available)
    # the weakest come first: lowest rank, then most points lost
    ranked = [by[t.node] for t in node_targets[: min(weakest, len(usable))]]
    keys = [(0 if nd.rank is not None else 1, -(nd.rank or 0), -(nd.max - nd.score)) for nd in ranked]
    assert keys == sorted(keys)


# ------------------------------------------------------------------ a partial year (issue 11)


def test_a_partial_year_counts_ranks_on_the_published_ranking_and_says_the_points_are_unknown():
    """PAR INDEX 2023 as chiso has it: 28 provinces' scores, 63 ranked. Kon Tum published 43/63: a rank
    among the 28 ("23/28") is no rank at all, and the points three places need are not computable."""
    known_others = [80.0 + i * 0.4 for i in range(27)]
    b = Baseline(2023, 86.14, 43, 63, "B", 86.14)
    t = check_target("places", 3, 86.14, known_others, PAR_RULE, 100.0, b, index_name="PAR INDEX", year=2024)
    assert t.label_vi == (
        "Phấn đấu Chỉ số PAR INDEX năm 2024 tăng tối thiểu 03 bậc (từ 43/63 lên 40/63), "
        "chưa tính được số điểm cần tăng vì năm 2023 mới có điểm của 28/63 tỉnh, thành phố"
    )
    assert t.needed_points is None and not t.needed_known and not t.met
    r = check_target("rank", 10, 86.14, known_others, PAR_RULE, 100.0, b, index_name="PAR INDEX")
    assert "xếp hạng 10/63" in r.label_vi and "xếp hạng 43/63" in r.label_vi and not r.needed_known
    with pytest.raises(ValueError, match="từ 1 đến 63"):
        check_target("rank", 64, 86.14, known_others, PAR_RULE, 100.0, b)
    with pytest.raises(ValueError, match="cao nhất chỉ tăng được 42 bậc"):
        check_target("places", 43, 86.14, known_others, PAR_RULE, 100.0, b)
    kept = check_target("places", 0, 86.14, known_others, PAR_RULE, 100.0, b)
    assert kept.met and kept.needed_known and "giữ vững vị trí xếp hạng 43/63" in kept.label_vi
    # a full year is unchanged: the rank is the one among every unit
    kt, others = papi_2023()
    full = check_target("places", 5, kt, others, PAPI_RULE, PAPI_MAX, base(kt, others), year=2025)
    assert full.needed_known and "(từ 56/61 lên 51/61)" in full.label_vi


def test_a_partial_year_draft_asks_no_points_it_cannot_justify():
    known_others = [80.0 + i * 0.4 for i in range(27)]
    b = Baseline(2023, 86.14, 43, 63, "B", 86.14)
    nodes = [
        NodeInput("F1", "Điểm thẩm định", 54.95, 61.5, best_past=55.2),
        NodeInput("F2", "SIPAS", 8.5, 10),
    ]
    out = draft_targets("PAR INDEX", 2024, 86.14, known_others, nodes, {"places": 3}, PAR_RULE, 100.0, b, 2)
    assert not out[0].needed_known and "(từ 43/63 lên 40/63)" in out[0].label_vi
    # the weakest parts aim at their best past, never at a share of an unknown figure
    assert out[1].value == pytest.approx(55.2) and "đạt tối thiểu 55,2 điểm" in out[1].label_vi
    assert "giữ vững tối thiểu 8,5 điểm" in out[2].label_vi


def test_points_are_printed_at_the_framework_precision():
    """Issue 11 point 12: points as officials write them — PAR INDEX publishes two decimals, PAPI four."""
    b = Baseline(2023, 54.95, None, None, None, None)
    t = check_target("score", 55.123, 54.95, (), None, 61.5, b, "F1", "PAR INDEX", 2024, decimals=2)
    assert "tương ứng tăng tối thiểu 0,18 điểm" in t.label_vi  # 0,173 rounded up at two decimals
    nodes = [NodeInput("F1", "Điểm thẩm định", 54.95, 61.5), NodeInput("F2", "Điểm khảo sát", 18.33, 22)]
    kt = 54.95 + 18.33
    others = [60.0, 70.0, 75.0, 80.0]
    full = Baseline(2023, kt, 4, 5, None, None)
    out = draft_targets("PAR INDEX", 2024, kt, others, nodes, {"places": 1}, None, 83.5, full, 2, decimals=2)
    for t in out[1:]:
        assert t.value == round(t.value, 2)  # asked at the published precision, rounded up
