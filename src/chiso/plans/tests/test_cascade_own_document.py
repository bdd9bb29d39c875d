"""Issue 11 point 6: a city's plan derived from the province's is its own document — its issuing body,
place ("TP. …") and signer (the city's leader approves and issues it), the province's plan cited in its
opening, its own offices as lead units, its reporting chain (offices → its home-affairs office → the
province's department) and the province's targets only as its contribution. Read from the DOCX."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from docx import Document

from chiso.conftest import _member
from chiso.plans import documents
from chiso.plans.services import cascade
from chiso.plans.services.plans import save_task
from chiso.units.models import Unit
from chiso.workflows.services import WorkflowError, transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city(world):
    return Unit.objects.create(
        kind="district",
        code="QNG-TP",
        name="Thành phố Quảng Ngãi",
        parent=world.province,
        subtype="Thành phố",
    )


@pytest.fixture
def issued(world, make_plan, city):
    return make_plan(
        status="issued",
        report_deadlines=["2025-06-15", "2025-11-15"],
        tasks=[
            dict(
                text="Công khai quy hoạch sử dụng đất",
                nodes=["D2"],
                lead_unit=city,
                deadline=dt.date(2025, 9, 30),
            ),
            dict(text="Việc riêng của Sở Nội vụ", lead_unit=world.noivu, deadline=dt.date(2025, 5, 1)),
        ],
        targets=[
            dict(
                index="papi",
                kind="places",
                value="5",
                label="Chỉ số PAPI năm 2025 của tỉnh tăng tối thiểu 5 bậc so với năm 2024",
            )
        ],
    )


def _text(plan) -> list[str]:
    doc = Document(io.BytesIO(documents.render_plan(plan, "docx")))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            out.append(" | ".join(c.text for c in row.cells))
    return out


def test_the_city_plan_is_its_own_document(world, issued, city):
    derived = cascade.derive_plan(issued, city, world.coordinator)
    assert derived.issuing_unit == city and derived.place == "TP. Quảng Ngãi"
    assert (derived.signer_authority, derived.signer_title) == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    assert not derived.targets.exists()  # no copy of the province's figures as its own
    text = _text(derived)
    joined = "\n".join(text)
    # its issuer and place
    assert "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ QUẢNG NGÃI" in joined.upper()
    assert "TP. Quảng Ngãi, ngày" in joined
    # the province's plan cited in the opening, before section I
    cite = "Thực hiện Kế hoạch số 123/KH-UBND ngày 15 tháng 3 năm 2025 của Ủy ban nhân dân tỉnh Quảng Ngãi;"
    assert text.index(cite) < text.index("I. MỤC ĐÍCH, YÊU CẦU")
    # the province's target as the city's contribution
    assert "Góp phần cùng UBND tỉnh Quảng Ngãi thực hiện các mục tiêu" in joined
    assert "- Chỉ số PAPI năm 2025 của tỉnh tăng tối thiểu 5 bậc so với năm 2024." in text
    # the reporting chain: offices → Phòng Nội vụ (five days earlier) → the province's Sở Nội vụ
    chain = next(t for t in text if t.startswith("- Thủ trưởng các phòng, ban chuyên môn"))
    assert "về Phòng Nội vụ trước ngày 10/06/2025 và 10/11/2025" in chain
    up = next(t for t in text if t.startswith("- Phòng Nội vụ theo dõi"))
    assert "về Sở Nội vụ trước ngày 15/06/2025 và 15/11/2025" in up
    assert any(t.startswith("- Sở Nội vụ (để theo dõi)") or "Sở Nội vụ (để theo dõi)" in t for t in text)


def test_the_citys_leader_approves_and_issues_it(world, issued, city):
    derived = cascade.derive_plan(issued, city, world.coordinator)
    city_coordinator = _member("dieuphoi_tp", "coordinator", city)
    city_leader = _member("chutich_tp", "leader", city)
    derived.signer_name = "Trần Văn Bình"
    derived.save()
    transition(derived, "submit", city_coordinator)
    transition(derived, "approve", city_leader)
    derived = transition(derived, "issue", city_leader, number="45", date=dt.date(2025, 4, 2))
    assert derived.status == "issued"
    text = "\n".join(_text(derived))
    assert "Trần Văn Bình" in text and "DỰ THẢO" not in text
    # the city's leader takes no step on another unit's plan
    draft = cascade.derive_plan(issued, world.xa1, world.coordinator)
    transition(draft, "submit", world.coordinator)
    with pytest.raises((WorkflowError, PermissionDenied)):
        transition(draft, "approve", city_leader)


def test_offices_are_added_from_the_plan_page_and_lead_its_tasks(client, world, issued, city):
    derived = cascade.derive_plan(issued, city, world.coordinator)
    client.force_login(world.coordinator)
    page = client.get(reverse("plans:detail", args=[derived.pk])).content.decode()
    assert 'id="phong-ban"' in page
    r = client.post(reverse("plans:office_add", args=[derived.pk]), {"name": "Phòng Nội vụ"})
    assert r.status_code == 302
    office = Unit.objects.get(parent=city, name="Phòng Nội vụ")
    # twice: refused with a message, nothing added
    r = client.post(reverse("plans:office_add", args=[derived.pk]), {"name": "phòng nội vụ"}, follow=True)
    assert "đã có" in r.content.decode()
    assert Unit.objects.filter(parent=city).count() == 1
    r = client.post(reverse("plans:office_add", args=[derived.pk]), {"name": "  "}, follow=True)
    assert "Nhập tên phòng, ban" in r.content.decode()
    # the office now leads the city's task
    task = derived.tasks.get()
    save_task(derived, world.coordinator, {"lead_unit": office}, task)
    assert "Phòng Nội vụ" in "\n".join(_text(derived))
    # another unit's officer cannot add offices
    client.force_login(world.officer_yt)
    before = Unit.objects.filter(parent=city).count()
    r = client.post(reverse("plans:office_add", args=[derived.pk]), {"name": "Phòng Tư pháp"})
    assert r.status_code in (403, 404)
    assert Unit.objects.filter(parent=city).count() == before


def test_a_commune_plan_is_placed_at_the_commune(world, issued):
    derived = cascade.derive_plan(issued, world.xa1, world.coordinator)
    assert derived.place == "Đăk Hà"
    assert "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân" in derived.body
