"""The workflow of plans and reports is data: the shipped file, its checks, and who may take a step."""

from __future__ import annotations

import pytest

from chiso.core.workflow import WorkflowError, load_workflow, shipped_workflow


def test_shipped_workflow_goes_from_draft_to_closed_and_locks_once_approved():
    wf = shipped_workflow()
    assert wf.initial == "draft"
    state = "draft"
    path = [("submit", "coordinator"), ("approve", "leader"), ("issue", "leader"), ("close", "coordinator")]
    for action, role in path:
        state = wf.check(state, action, [role]).target
    assert state == "closed"
    assert [wf.is_locked(s) for s in ("draft", "submitted", "approved", "issued", "closed")] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert wf.label("issued") == "Đã ban hành"


def test_roles_and_states_limit_each_step():
    wf = shipped_workflow()
    with pytest.raises(WorkflowError, match="không có quyền «Phê duyệt»"):
        wf.check("submitted", "approve", ["coordinator"])
    with pytest.raises(WorkflowError, match="Không thể «Ban hành» khi văn bản đang ở trạng thái «Dự thảo»"):
        wf.check("draft", "issue", ["leader"])
    with pytest.raises(WorkflowError, match="Không có bước"):
        wf.check("draft", "publish", ["admin"])
    assert [t.name for t in wf.available("submitted", ["leader"])] == ["return", "approve"]
    assert [t.name for t in wf.available("submitted", ["viewer", "officer"])] == []
    assert wf.transition("return").needs_comment and wf.transition("issue").needs_number


def test_a_broken_workflow_file_lists_every_problem():
    with pytest.raises(WorkflowError) as err:
        load_workflow(
            {
                "initial": "start",
                "states": {"draft": {"label": "Dự thảo"}, "done": {}},
                "transitions": [
                    {"name": "go", "from": ["draft"], "to": "nowhere", "roles": ["boss"]},
                    {"name": "go", "from": "draft", "to": "done"},
                ],
            }
        )
    message = str(err.value)
    for part in (
        "Trạng thái 'done' thiếu nhãn",
        "Trạng thái ban đầu 'start'",
        "trạng thái 'nowhere'",
        "vai trò không hợp lệ 'boss'",
        "Tên bước «go» bị trùng",
        "Bước «go» thiếu vai trò",
    ):
        assert part in message


def test_a_province_may_add_its_own_step():
    wf = load_workflow(
        {
            "initial": "draft",
            "states": {"draft": {"label": "Dự thảo"}, "checked": {"label": "Đã thẩm định", "locked": True}},
            "transitions": [
                {"name": "check", "label": "Thẩm định", "from": "draft", "to": "checked", "roles": ["leader"]}
            ],
        }
    )
    assert wf.check("draft", "check", ["leader"]).target == "checked"
    assert wf.is_locked("checked")
