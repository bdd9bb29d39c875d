"""A plan arranged by activity shows its tasks on its page in the sections of its document (the activity
sections first, then the specialist tasks by content, then the common tasks), numbered in that order —
the same sections, with the same titles, as the DOCX/PDF body; a plan arranged by content keeps one
table in the plan's order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from django.urls import reverse

from chiso.documents.model import Heading, load_layout
from chiso.plans import documents
from chiso.plans.models import TaskLayout

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


DUE = dt.date(2025, 10, 31)


@pytest.fixture
def plan(world, make_plan):
    # in the plan's order: a content task, a common one, a training task on a content, then direction
    # and training tasks of no content
    return make_plan(
        task_layout=TaskLayout.ACTIVITY,
        tasks=[
            dict(text="Công khai thu chi ngân sách xã", nodes=["D4"], lead_unit=world.tuphap, deadline=DUE),
            dict(text="Rà soát thủ tục hành chính", index="", lead_unit=world.noivu, deadline=DUE),
            dict(
                text="Tập huấn về công khai ngân sách",
                nodes=["D4"],
                activity="training",
                lead_unit=world.tuphap,
                deadline=DUE,
            ),
            dict(
                text="Quán triệt kế hoạch tại hội nghị",
                index="",
                activity="direction",
                lead_unit=world.noivu,
                deadline=DUE,
            ),
            dict(
                text="Bồi dưỡng kỹ năng tiếp dân",
                index="",
                activity="training",
                lead_unit=world.yte,
                deadline=DUE,
            ),
        ],
    )


def _page(client, world, plan) -> str:
    client.force_login(world.coordinator)
    return client.get(reverse("plans:detail", args=[plan.pk])).content.decode()


def _table(html: str) -> str:
    start = html.index('id="nhiem-vu"')
    return html[start : html.index("</table>", start)]


def test_the_page_shows_the_sections_of_the_document(client, world, plan):
    table = _table(_page(client, world, plan))
    heads = re.findall(r'<tr class="task-(?:group|part)"><th[^>]*>([^<]+)</th>', table)
    heads = [h.replace("&ldquo;", "“").replace("&rdquo;", "”") for h in heads]
    body = documents.plan_document(plan, dataclasses.replace(load_layout(), plan_tasks_in_appendix=False))
    docx_heads = [b.text for b in body.blocks if isinstance(b, Heading) and b.level in (2, 3)]
    first = docx_heads.index(heads[0])
    assert heads == docx_heads[first : first + len(heads)]
    assert heads[0] == "1. Lãnh đạo, chỉ đạo và thông tin, tuyên truyền"
    assert heads[1] == "2. Tập huấn, bồi dưỡng"
    assert heads[2] == "3. Cải thiện, nâng cao Chỉ số PAPI"
    assert heads[-1] == "4. Nhiệm vụ chung"
    # rows under their sections, numbered in the sections' order
    order = [
        "Quán triệt kế hoạch tại hội nghị",
        "Tập huấn về công khai ngân sách",
        "Bồi dưỡng kỹ năng tiếp dân",
        "Công khai thu chi ngân sách xã",
        "Rà soát thủ tục hành chính",
    ]
    positions = [table.index(text) for text in order]
    assert positions == sorted(positions)
    assert table.index(heads[1]) < positions[1] < positions[2] < table.index(heads[2])
    numbers = re.findall(r'<tr>\s*<td class="num">(\d+)</td>', table)
    assert numbers == ["1", "2", "3", "4", "5"]


def test_a_plan_arranged_by_content_keeps_one_table(client, world, plan):
    plan.task_layout = TaskLayout.DIMENSION
    plan.save()
    table = _table(_page(client, world, plan))
    assert "task-group" not in table
    positions = [table.index(t.text) for t in plan.tasks.order_by("order")]
    assert positions == sorted(positions)
