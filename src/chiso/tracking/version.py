"""A version of the plans data, changed by every change to plans, tasks, reports and units, so the
dashboard can be cached safely (the key includes it; see chiso.results.version for why a random token).

Bumped by signals in the same transaction as the change: a request that reads the old token also
reads the old data, and a rolled-back change restores the old token.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from chiso.results.version import bump_version, read_version

KEY = "plans"


def bump_plans_version(**_kwargs) -> int:
    return bump_version(KEY)


def plans_version() -> int:
    """Read at most once per web request (``chiso.results.version.DataVersionMiddleware``)."""
    return read_version(KEY)


def connect() -> None:
    from chiso.plans.models import Plan, Task
    from chiso.units.models import Unit

    from .models import ProgressReport

    for model in (Plan, Task, ProgressReport, Unit):
        post_save.connect(
            bump_plans_version, sender=model, dispatch_uid=f"plans-version-save-{model.__name__}"
        )
        post_delete.connect(
            bump_plans_version, sender=model, dispatch_uid=f"plans-version-del-{model.__name__}"
        )
    m2m_changed.connect(
        bump_plans_version, sender=Task.coordinating_units.through, dispatch_uid="plans-version-m2m"
    )
