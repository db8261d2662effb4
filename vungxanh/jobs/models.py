"""Jobs (work done in the background) and the outbox (what changed, for the loop to drain)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vungxanh.accounts.scoping import ScopedQuerySet


class JobQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> JobQuerySet:
        """The jobs ``user`` started, and those of their areas their role may see."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.for_user(user, "view") | self.filter(actor=user)


class Job(models.Model):
    """One piece of background work: who asked for it, how far it is, how it ended.

    The state lives here, not in a cache or a thread, so it survives a restart of the web
    process and is the same for every web process. ``task`` is the dotted path of the
    function that does the work (registered in ``vungxanh.jobs.registry``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=200)
    label = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    progress = models.FloatField(default=0.0)
    phase = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(max_length=150, blank=True)
    area = models.ForeignKey("areas.Area", null=True, blank=True, on_delete=models.SET_NULL)
    source = models.CharField(max_length=40, blank=True)  # web, api, cli:…, loop
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)  # host:pid of the runner
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="jobs_status_created")]

    def __str__(self) -> str:
        return f"{self.label or self.task} ({self.get_status_display()})"

    @property
    def title(self) -> str:
        """What the job does, in the reader's language, then what it worked on."""
        from vungxanh.jobs.registry import title

        kind = title(self.task)
        if kind and self.label and self.label != self.task:
            return f"{kind}: {self.label}"
        return kind or self.label or self.task

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class Change(models.Model):
    """An outbox row: some data changed; the loop must recompute what depends on it.

    Written by the app that changed the data, in the same transaction, so a change is
    never lost and never announced without its data. ``area_path`` is the subtree that
    changed (the nation's path means everything); ``series`` the surveillance series,
    when the change concerns one; the dates bound what changed, when known.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=40)  # import, undo, edit, merge, rules, decision, …
    series_code = models.CharField(max_length=40, blank=True)
    area_path = models.CharField(max_length=255)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [
            # The loop's work queue: rows not yet processed.
            models.Index(
                fields=["created_at"],
                name="jobs_change_pending",
                condition=models.Q(processed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.what} {self.series_code} {self.area_path}"
