"""Documents that follow a workflow kept as data (``chiso/data/workflows/<name>.yaml``), and the log of
every step taken on any of them.

A model under a workflow subclasses :class:`WorkflowDocument`, names its workflow file in ``WORKFLOW``,
declares ``status = models.CharField(..., default=InitialState(WORKFLOW))`` and says which unit's roles
decide who may take a step (``workflow_unit_id``). Code asks the workflow what a state means
(``locked``, ``live``, ``public``) instead of naming states; the steps are taken only through
:func:`chiso.workflows.services.transition`, which records a :class:`WorkflowEvent`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from chiso.core.text import nfc_attrs
from chiso.core.workflow import Workflow, shipped_workflow


@deconstructible
class InitialState:
    """Default of a ``status`` field: the initial state of the named workflow (read from its file)."""

    def __init__(self, workflow: str):
        self.workflow = workflow

    def __call__(self) -> str:
        return shipped_workflow(self.workflow).initial

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InitialState) and other.workflow == self.workflow

    def __hash__(self) -> int:
        return hash(("InitialState", self.workflow))


class WorkflowEvent(models.Model):
    """One workflow step taken on a document (who, when, from, to, comment)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    comment = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("bước quy trình")
        verbose_name_plural = _("các bước quy trình")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class WorkflowDocument(models.Model):
    """A document whose ``status`` follows the workflow named by ``WORKFLOW``."""

    WORKFLOW = "plan"

    events = GenericRelation(WorkflowEvent)

    class Meta:
        abstract = True

    @classmethod
    def workflow(cls) -> Workflow:
        return shipped_workflow(cls.WORKFLOW)

    @property
    def status_label(self) -> str:
        """The state's label in the reader's language (the workflow file's ``label_en`` in English)."""
        from django.utils.translation import get_language

        wf = self.workflow()
        return wf.states[self.status].label_for(get_language()) if self.status in wf.states else self.status

    @property
    def locked(self) -> bool:
        return self.workflow().is_locked(self.status)

    @property
    def is_live(self) -> bool:
        return self.workflow().is_live(self.status)

    @property
    def is_public(self) -> bool:
        return self.workflow().is_public(self.status)

    def issue_blocked(self, date=None) -> str | None:
        """Why this document cannot be issued yet (a Vietnamese sentence), checked by the step that
        gives it its number; None: nothing missing."""
        return None

    @property
    def workflow_unit_id(self) -> int | None:
        """The unit on which a user's roles decide which steps she may take."""
        raise NotImplementedError

    def workflow_blocked(self) -> str | None:
        """Why no step may be taken on this document now (None: the workflow decides)."""
        return None

    def step_blocked(self, step) -> str | None:
        """Why this step (a chiso.core.workflow.Transition) may not be taken now (a Vietnamese sentence),
        checked before every step; None: nothing against it."""
        return None


class ProvinceExercise(WorkflowDocument):
    """A province's exercise of one year under a workflow (an assessment round, a survey): who opened it
    and when, when it closed. A subclass declares its ``province`` (with its own related name), ``year``,
    ``title``, ``status`` and ``history``, and the text fields normalised on save (``NFC_FIELDS``)."""

    NFC_FIELDS: tuple[str, ...] = ("title",)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        nfc_attrs(self, self.NFC_FIELDS)
        super().save(*args, **kwargs)

    @property
    def workflow_unit_id(self) -> int | None:
        return self.province_id
