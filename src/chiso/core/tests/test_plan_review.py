"""Count targets ("ít nhất 3 chỉ số nội dung thuộc nhóm Cao"), targets for every dimension with their
group, per-dimension groups computed like the total's, and a plan's targets checked against its year."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiso.core.derive import UnitInput, derive_year
from chiso.core.gap import group_with
from chiso.core.plan import (
    Baseline,
    GroupedNode,
    NodeInput,
    Outcome,
    check_count_target,
    check_target,
    draft_targets,
    parse_count,
    review_summary,
    review_target,
)
from chiso.core.stats import GroupBand, GroupRule, assign_groups
from chiso.core.tree import NodeSpec, Tree

RULE = GroupRule(
    "quantile",
    (
        GroupBand("Cao", "High", 75),
        GroupBand("Trung bình cao", "High-average", 50),
        GroupBand("Trung bình thấp", "Low-average", 25, lower_inclusive=False),
        GroupBand("Thấp", "Low", None),
    ),
    levels=("dimension",),
)
OTHERS = [float(x) for x in range(1, 11)]  # ten other units scoring 1..10 on every node


def node(code: str, score: float, others=OTHERS) -> GroupedNode:
    return GroupedNode(
        code, f"Nội dung {code}", score, others, 10.0, group_with(score, others, RULE, maximum=10)
    )


def test_parse_count():
    assert parse_count("3 Cao", RULE.labels) == (3, "Cao")
    assert parse_count(" 0  trung binh thap ", RULE.labels) == (0, "Trung bình thấp")
    with pytest.raises(ValueError, match="ví dụ «3 Cao»"):
        parse_count("Cao", RULE.labels)
    with pytest.raises(ValueError, match="không có trong quy tắc"):
        parse_count("2 Xuất sắc", RULE.labels)


def test_count_min_and_max_with_the_points_to_move_the_cheapest_nodes():
    nodes = [node("D1", 9.9), node("D2", 8.0), node("D3", 7.5), node("D4", 1.0)]
    assert [n.group for n in nodes] == ["Cao", "Cao", "Trung bình cao", "Thấp"]
    t = check_count_target("count_min", "3 Cao", nodes, RULE, 2023, "PAPI", 2024)
    assert not t.met and t.value == "3 Cao" and t.baseline.score == 2
    # D3 is the cheapest node to move into Cao
    assert t.needed_points == pytest.approx(
        check_target("group", "Cao", 7.5, OTHERS, RULE, 10, Baseline(2023, 7.5)).needed_points
    )
    assert t.label_vi.startswith(
        "Phấn đấu Chỉ số PAPI năm 2024 có ít nhất 03 chỉ số nội dung thuộc nhóm Cao "
        "(năm 2023: 02 chỉ số nội dung thuộc nhóm Cao), tương ứng tăng tối thiểu"
    )
    t = check_count_target("count_max", "0 Thấp", nodes, RULE, 2023, "PAPI", 2024)
    assert not t.met and t.baseline.score == 1
    assert (
        "không có chỉ số nội dung nào thuộc nhóm Thấp (năm 2023: 01 chỉ số nội dung thuộc nhóm Thấp)"
        in t.label_vi
    )
    t = check_count_target("count_max", "2 Trung bình thấp", nodes, RULE, 2023, "PAPI", 2024)
    assert t.met and t.needed_points == 0
    assert "không quá 02 chỉ số nội dung thuộc nhóm Trung bình thấp trở xuống" in t.label_vi
    t = check_count_target("count_min", "2 Trung bình cao", nodes, RULE, 2023)
    assert t.met and "thuộc nhóm Trung bình cao trở lên" in t.label_vi


def test_impossible_count_targets_are_refused():
    nodes = [node("D1", 9.9), node("D2", 1.0)]
    with pytest.raises(ValueError, match="chỉ có 02 chỉ số nội dung"):
        check_count_target("count_min", "3 Cao", nodes, RULE, 2023)
    with pytest.raises(ValueError, match="quy tắc xếp nhóm"):
        check_count_target("count_min", "1 Cao", nodes, None, 2023)
    with pytest.raises(ValueError, match="chọn nhóm thấp hơn"):
        check_count_target("count_max", "1 Cao", nodes, RULE, 2023)
    ungrouped = [GroupedNode("D1", "D1", 5.0, OTHERS, 10.0, None)]
    with pytest.raises(ValueError, match="Chưa xếp nhóm"):
        check_count_target("count_min", "1 Cao", ungrouped, RULE, 2023)
    with pytest.raises(ValueError, match="check_count_target"):
        check_target("count_min", "1 Cao", 5.0, OTHERS, RULE, 10, Baseline(2023, 5.0))  # type: ignore[arg-type]


def test_unreachable_count_has_no_needed_points():
    # the only node outside Cao cannot get there within its maximum: everyone else is at 10
    nodes = [node("D1", 10.0, [10.0] * 9 + [9.0]), GroupedNode("D2", "D2", 2.0, [10.0] * 10, 5.0, "Thấp")]
    t = check_count_target("count_min", "2 Cao", nodes, RULE, 2023)
    assert t.needed_points is None and not t.met and "không thể đạt" in t.label_vi


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=8),
    st.integers(0, 8),
    st.sampled_from(RULE.labels),
    st.sampled_from(["count_min", "count_max"]),
)
def test_count_target_property(scores, n, label, kind):
    """met ⇔ the count holds now; when points are needed, moving that many of the cheapest nodes by their
    own needed points reaches the count."""
    nodes = [node(f"D{i}", s) for i, s in enumerate(scores)]
    if n > len(nodes) or (kind == "count_max" and label == "Cao" and n < len(nodes)):
        with pytest.raises(ValueError):
            check_count_target(kind, f"{n} {label}", nodes, RULE, 2023)
        return
    t = check_count_target(kind, f"{n} {label}", nodes, RULE, 2023)
    groups = [nd.group for nd in nodes]
    if kind == "count_min":
        now = sum(1 for g in groups if RULE.at_least(g, label))
        assert t.met == (now >= n)
    else:
        now = sum(1 for g in groups if RULE.index(g) >= RULE.index(label))
        assert t.met == (now <= n)
    assert t.baseline.score == now
    if t.met:
        assert t.needed_points == 0
    elif t.needed_points is not None:
        assert t.needed_points > 0


def test_draft_states_every_dimension_with_its_group_and_a_count_target():
    scores = {"D1": 9.5, "D2": 6.0, "D3": 2.0, "D4": 1.5}
    nodes = [
        NodeInput(
            c, f"Nội dung {c}", s, 10.0, None, None, None, group_with(s, OTHERS, RULE, maximum=10), OTHERS
        )
        for c, s in scores.items()
    ]
    total = sum(scores.values())
    others = [total + d for d in (-3, -1, 1, 2, 4)]
    b = Baseline(2023, total, 4, 6)
    ts = draft_targets("PAPI", 2024, total, others, nodes, {"places": 1}, RULE, 40, b, 2)
    assert ts[0].node is None
    by = {t.node: t for t in ts[1:] if t.node}
    assert set(by) == set(scores)
    # the two weakest get score targets, the others keep their group; every baseline states its group
    assert by["D4"].kind == by["D3"].kind == "score"
    assert by["D1"].kind == "group" and by["D1"].value == "Cao" and by["D1"].met
    assert "giữ vững nhóm Cao (năm 2023 đạt 9,5/10 điểm, thuộc nhóm Cao)" in by["D1"].label_vi
    assert "thuộc nhóm Thấp" in by["D4"].label_vi
    count = ts[-1]
    assert count.kind == "count_max" and count.value == "1 Thấp"  # two in Thấp now: one fewer
    assert "không quá 01 chỉ số nội dung thuộc nhóm Thấp" in count.label_vi


# ------------------------------------------------------------------ derive: groups per dimension


def test_derive_groups_the_dimensions_the_rule_names_like_the_total():
    tree = Tree(
        [
            NodeSpec("T", None, 20),
            NodeSpec("D1", "T", 10),
            NodeSpec("D2", "T", 10),
        ]
    )
    units = [UnitInput(k, {"D1": float(k), "D2": 10.0 - k}) for k in range(1, 10)]
    y = derive_year(tree, {"T": 20, "D1": 10, "D2": 10}, units, RULE, grouped_nodes=["D1", "D2"])
    assert y.stats["D1"].groups == assign_groups({k: float(k) for k in range(1, 10)}, RULE, maximum=10)
    assert y.stats["D1"].groups[9] == "Cao" and y.stats["D2"].groups[9] == "Thấp"
    assert y.stats["T"].groups == {}  # the total's groups are the units' own
    plain = derive_year(tree, {"T": 20, "D1": 10, "D2": 10}, units, RULE)
    assert plain.stats["D1"].groups == {}
    # a partial year (fewer units than were ranked): no quantile groups for the dimensions either
    partial = derive_year(tree, {"T": 20, "D1": 10, "D2": 10}, units, RULE, grouped_nodes=["D1"], expected=63)
    assert partial.stats["D1"].groups == {}


def test_rule_levels_round_trip():
    d = RULE.to_dict()
    assert d["levels"] == ["dimension"]
    assert GroupRule.from_dict(d) == RULE
    assert "levels" not in GroupRule(RULE.kind, RULE.groups).to_dict()


# ------------------------------------------------------------------ review against the plan's year


def test_review_each_kind():
    b = Baseline(2023, 40.0, 30, 63, "Trung bình thấp")
    o = Outcome(2024, 42.5, 80.0, 26, 63, "Trung bình cao", 53.1)
    r = review_target("places", 5, o, b, RULE, "Phấn đấu tăng tối thiểu 05 bậc.")
    assert r.met is False
    assert r.label_vi == (
        "Phấn đấu tăng tối thiểu 05 bậc — Kết quả năm 2024: đạt 42,5/80 điểm, xếp hạng 26/63, "
        "thuộc nhóm Trung bình cao (tăng 04 bậc so với 30/63): Chưa đạt."
    )
    assert review_target("places", 4, o, b, RULE).met is True
    assert review_target("places", "4", o, b, RULE).met is True  # values as stored: text
    assert review_target("rank", 26, o, b, RULE).met is True
    assert review_target("top", 25, o, b, RULE).met is False
    assert review_target("score", "42,5", o, b, RULE).met is True  # a tie counts as met
    assert review_target("score", 42.51, o, b, RULE).met is False
    assert review_target("percent", 53, o, b, RULE).met is True
    assert review_target("group", "Trung bình cao", o, b, RULE).met is True
    assert review_target("group", "Cao", o, b, RULE).met is False
    groups = Outcome(2024, None, node_groups=("Cao", "Cao", "Thấp", "Trung bình cao"))
    r = review_target("count_min", "3 Cao", groups, b, RULE)
    assert r.met is False and r.achieved == "có 02 chỉ số nội dung thuộc nhóm Cao"
    assert review_target("count_max", "1 Thấp", groups, b, RULE).met is True
    # what cannot be told is not guessed
    assert review_target("rank", 5, Outcome(2024, 40.0), b, RULE).met is None
    changed = Outcome(2024, 6.0, 10.0, comparable=False)
    r = review_target("score", 5, changed, b, RULE)
    assert r.met is None and "bộ chỉ số đã thay đổi" in r.label_vi
    assert review_target("count_min", "1 Cao", Outcome(2024, None), b, RULE).met is None


def test_review_summary():
    def rv(met):
        return (
            review_target("score", 1, Outcome(2024, 2.0 if met else 0.5), Baseline(2023, 0.5), None)
            if met is not None
            else review_target("score", 1, Outcome(2024, 1.0, comparable=False), Baseline(2023, 0.5), None)
        )

    assert review_summary([rv(True), rv(False), rv(False), rv(True), rv(False)]) == (
        "đạt 02/05 mục tiêu, còn 03 mục tiêu chưa đạt"
    )
    assert review_summary([rv(True), rv(True)]) == "đạt 02/02 mục tiêu, hoàn thành toàn bộ mục tiêu"
    assert review_summary([rv(True), rv(None)]) == "đạt 01/02 mục tiêu, 01 mục tiêu chưa đánh giá được"
