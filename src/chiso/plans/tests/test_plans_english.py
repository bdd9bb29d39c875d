"""A plan read in English names its criteria and dimensions in English (the framework's ``name_en``) in
its targets, its shortcomings appendix and the pickers that fill them, while what the plan stores — and
its documents quote — stays the official Vietnamese name. A name a row keeps from elsewhere is shown as
stored. The plan's steps list a step whose author's account was deleted."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from chiso.plans.models import Shortcoming
from chiso.workflows.models import WorkflowEvent

pytestmark = pytest.mark.django_db

D2_VI = "Công khai, minh bạch trong việc ra quyết định ở địa phương"
D2_EN = "Transparency in Local Decision-making"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _in(client, language: str):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_a_shortcoming_added_in_english_stores_the_vietnamese_name_and_reads_in_english(
    client, world, make_plan
):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    new_url = reverse("plans:shortcoming_new", args=[plan.pk])
    form = _in(client, "en").get(new_url).content.decode()
    assert f"D2 {D2_EN}</option>" in form and D2_VI not in form
    r = client.post(new_url, {"node": "papi|D2", "achieved": "4,25", "maximum": "6,355"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert plan.shortcomings.get().node_name == D2_VI  # the appendix of the document quotes it

    detail = reverse("plans:detail", args=[plan.pk])
    english = _in(client, "en").get(detail).content.decode()
    assert f"D2 {D2_EN}</td>" in english and D2_VI not in english
    assert f"D2 {D2_VI}</td>" in _in(client, "vi").get(detail).content.decode()


def test_a_target_and_its_picker_read_in_english(client, world, make_plan):
    plan = make_plan(status="draft", targets=[{"index": "papi", "node_code": "D2", "node_name": D2_VI}])
    client.force_login(world.coordinator)
    english = _in(client, "en").get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert f"PAPI · D2 {D2_EN}</td>" in english and D2_VI not in english
    picker = client.get(reverse("plans:target_new", args=[plan.pk])).content.decode()
    assert f"D2 {D2_EN}</option>" in picker and D2_VI not in picker
    tasks = client.get(reverse("plans:task_new", args=[plan.pk])).content.decode()
    assert f"D2 {D2_EN}</option>" in tasks and D2_VI not in tasks


def test_a_name_the_row_keeps_from_elsewhere_is_shown_as_stored(client, world, make_plan):
    plan = make_plan(status="draft")
    Shortcoming.objects.create(
        plan=plan, index="papi", node_code="D2", node_name="Công khai, minh bạch (tên năm 2016)", order=1
    )
    client.force_login(world.coordinator)
    english = _in(client, "en").get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "D2 Công khai, minh bạch (tên năm 2016)</td>" in english


def test_the_plan_lists_a_step_whose_author_was_deleted(client, world, make_plan):
    plan = make_plan(status="draft")
    gone = get_user_model().objects.create_user("da_nghi_viec")
    WorkflowEvent.objects.create(
        content_type=ContentType.objects.get_for_model(plan),
        object_id=plan.pk,
        action="submit",
        from_status="draft",
        to_status="review",
        user=gone,
    )
    gone.delete()
    client.force_login(world.coordinator)
    response = client.get(reverse("plans:detail", args=[plan.pk]))
    assert response.status_code == 200
    assert "— –: " in response.content.decode()
