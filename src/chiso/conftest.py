"""Every database test starts from the real reference data: provinces before and after the 2025
merger (no communes: they are tested on their own), the shipped frameworks, and the real published
results (PAPI 2011–2024, PAR INDEX, SIPAS). Loaded once per test database.

Fixtures of the plan cycle (plans, tracking, notifications, API tests): `world` — the merged Quảng Ngãi
(code 51) with three departments and two communes and one user per role — and `make_plan(status=...,
tasks=[...])`, a plan in a chosen workflow state."""

from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", no_wards=True, no_users=True, verbosity=0, stdout=open("/dev/null", "w"))


def _user(username, role=None, unit_code="51"):
    from chiso.accounts.models import Membership
    from chiso.units.models import Unit

    user = get_user_model().objects.create_user(username=username, password="mat-khau-thu-nghiem")
    if role:
        unit = (
            Unit.objects.filter(kind="province", code=unit_code)
            .order_by(F("valid_from").desc(nulls_last=True))
            .first()
        )
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def coordinator(db):
    return _user("dieuphoi", "coordinator")


@pytest.fixture
def viewer(db):
    return _user("nguoixem", "viewer")


@pytest.fixture
def admin_user(db):
    return _user("quantri", "admin")


@pytest.fixture
def outsider(db):
    """Signed in, but with no role on any unit."""
    return _user("nguoingoai")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def admin_member_client(client, admin_user):
    """Signed in as an administrator (national data: frameworks and published results are theirs)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture(autouse=True)
def _vietnamese_after_each_test():
    """The test client leaves the last request's language active in the process: every test starts
    and ends in the default language, so test order never matters."""
    from django.conf import settings

    if not settings.configured:  # the pure-Python core runs without Django
        yield
        return
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.activate("vi")


# --- the plan cycle -------------------------------------------------------------------------------


def _member(username: str, role: str | None, unit):
    from chiso.accounts.models import Membership

    user = get_user_model().objects.create_user(
        username=username, password="mat-khau-thu-nghiem", email=f"{username}@example.vn"
    )
    if role and unit:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def world(db):
    from chiso.units.models import Unit

    province = (
        Unit.objects.filter(kind="province", code="51")
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )
    noivu = Unit.objects.create(kind="department", code="QNG-SNV", name="Sở Nội vụ", parent=province)
    tuphap = Unit.objects.create(kind="department", code="QNG-STP", name="Sở Tư pháp", parent=province)
    yte = Unit.objects.create(kind="department", code="QNG-SYT", name="Sở Y tế", parent=province)
    xa1 = Unit.objects.create(kind="ward", code="QNG-X1", name="Xã Đăk Hà", parent=province, subtype="Xã")
    xa2 = Unit.objects.create(
        kind="ward", code="QNG-X2", name="Phường Kon Tum", parent=province, subtype="Phường"
    )
    w = SimpleNamespace(
        province=province,
        noivu=noivu,
        tuphap=tuphap,
        yte=yte,
        xa1=xa1,
        xa2=xa2,
        coordinator=_member("dieuphoi_kh", "coordinator", province),
        leader=_member("lanhdao", "leader", province),
        viewer=_member("xem_kh", "viewer", province),
        admin=_member("quantri_kh", "admin", province),
        officer_tp=_member("canbo_tuphap", "officer", tuphap),
        officer_yt=_member("canbo_yte", "officer", yte),
        officer_xa=_member("canbo_xa1", "officer", xa1),
        outsider=_member("nguoingoai_kh", None, None),
    )
    return w


@pytest.fixture
def make_plan(world):
    """make_plan(status="issued", tasks=[dict(text=..., lead_unit=..., coordinating=[...], deadline=...)])"""

    from chiso.plans.models import Plan, Target, Task

    def build(status: str = "draft", tasks=(), targets=(), **fields) -> Plan:
        plan = Plan.objects.create(
            issuing_unit=fields.pop("issuing_unit", world.province),
            title=fields.pop("title", "Kế hoạch cải thiện, nâng cao Chỉ số PAPI năm 2025"),
            year=fields.pop("year", 2025),
            results_year=fields.pop("results_year", 2024),
            indices=fields.pop("indices", ["papi"]),
            place=fields.pop("place", "Quảng Ngãi"),
            status=status,
            number=fields.pop("number", "123" if status in ("issued", "closed") else ""),
            date=fields.pop("date", dt.date(2025, 3, 15) if status in ("issued", "closed") else None),
            signer_name=fields.pop("signer_name", "Nguyễn Văn An" if status in ("issued", "closed") else ""),
            created_by=world.coordinator,
            **fields,
        )
        for i, spec in enumerate(tasks, start=1):
            spec = dict(spec)
            coordinating = spec.pop("coordinating", [])
            task = Task.objects.create(plan=plan, order=i, index=spec.pop("index", "papi"), **spec)
            task.coordinating_units.set(coordinating)
        for i, spec in enumerate(targets, start=1):
            Target.objects.create(plan=plan, order=i, **spec)
        return plan

    return build


# --- several writers at once (PostgreSQL) ---------------------------------------------------------


@pytest.fixture
def concurrent_db(transactional_db):
    """A database whose commits other connections see (for tests running writers in threads). A
    transactional test empties the database when it ends (pytest-django runs such tests after all the
    others): the reference data (units, indices; not the demo results) are loaded again when an earlier
    one emptied them."""
    from chiso.units.models import Unit

    if not Unit.objects.filter(kind="province", code="51").exists():  # units and indices, no results
        call_command("load_reference", no_wards=True, verbosity=0, stdout=open("/dev/null", "w"))


def run_together(*calls):
    """Run the calls in threads released at the same moment, each on its own database connection;
    each call's result, or the exception it raised."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — the test inspects it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


# --- under CI nothing required may skip ------------------------------------------------------------------

PG_ONLY = "concurrent writers need a server database"


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.postgresql``: a test of concurrent writers (real row locks, one connection per
    thread) is skipped on SQLite with the one reason the CI check below allows there."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=f"{PG_ONLY} (run on PostgreSQL)")
    for item in items:
        if item.get_closest_marker("postgresql"):
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    """With CI=true a skipped test fails the run, except the PostgreSQL-only concurrency tests in the
    SQLite run (the PostgreSQL run of the same command executes them, and there nothing may skip)."""
    if os.environ.get("CI") != "true" or hasattr(session.config, "workerinput"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    on_pg = os.environ.get("CHISO_EXPECT_DB") == "postgresql"
    bad = [r for r in skipped if on_pg or PG_ONLY not in str(r.longrepr)]
    if bad:
        reporter.write_line(f"CI=true: {len(bad)} kiểm thử bị bỏ qua — không được phép:", red=True)
        for r in bad[:20]:
            reporter.write_line(f"  {r.nodeid}: {r.longrepr}")
        session.exitstatus = 1
