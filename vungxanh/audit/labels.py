"""Audit entries in words: what was done, to what, through what — never the stored keys.

The trail stores stable keys (``create``, ``lockdowns.lockdownzone``, ``cli:demo``) so that
filters and exports keep working across languages; the pages show these words instead. An action
or source not listed here falls back to a generic phrase that still names the key, so a new
service never shows a bare key and never breaks the page.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "create": pgettext_lazy("audit action", "created"),
    "update": pgettext_lazy("audit action", "changed"),
    "delete": pgettext_lazy("audit action", "deleted"),
    "bulk_load": _("loaded in bulk"),
    "token": _("API token"),
    "import": _("imported a file"),
    "undo": _("undid an import"),
    "correct": _("corrected"),
    "publish": _("published levels"),
    "recompute": _("recomputed"),
    "submit": _("queued a job"),
    "designate_series": _("chose the official series"),
    "export_personal": _("exported personal data"),
    "link_case": _("linked a case to a zone"),
    "check_in": _("checked in at a shift"),
    "acknowledge": _("acknowledged a notice"),
    "activate": _("put a lockdown in force"),
    "partly_lift": _("lifted a lockdown in part"),
    "lift": pgettext_lazy("lockdown", "lifted a lockdown"),
    # Permit applications: one action per state an application is moved to.
    "permit_submitted": _("submitted a permit application"),
    "permit_under_review": _("took a permit application for review"),
    "permit_approved": _("approved a permit application"),
    "permit_changes_requested": _("asked for changes to a permit application"),
    "permit_rejected": _("rejected a permit application"),
}

# Object types that are not models (or read better than the model's name).
OBJECT_TYPES = {
    "loop": _("automatic update (indicators, Rt, levels)"),
}

SOURCES = {
    "web": _("web page"),
    "api": _("API"),
    "system": _("the system itself"),
    "job": _("background job"),
}
CLI_SOURCES = {
    "demo": _("command line (demo)"),
    "import": _("command line (import)"),
    "export": _("command line (export)"),
    "publish_levels": _("command line (publishing levels)"),
    "compute_levels": _("command line (computing levels)"),
    "load_official_decisions": _("command line (loading official decisions)"),
    "load-units": _("command line (loading units)"),
    "areas upload-boundaries": _("command line (uploading boundaries)"),
}

SYSTEM_ACTOR = "system"


def action_label(action: str) -> str:
    """The action in words; an unknown one reads "other change (key)"."""
    label = ACTIONS.get(action)
    if label is not None:
        return str(label)
    return gettext("other change (%(key)s)") % {"key": action}


def object_type_label(object_type: str) -> str:
    """The kind of object in words: the model's own name, else a generic "record (key)"."""
    label = OBJECT_TYPES.get(object_type)
    if label is not None:
        return str(label)
    if "." in object_type:
        app_label, _dot, model_name = object_type.partition(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            pass
        else:
            return str(model._meta.verbose_name)
    return gettext("record (%(key)s)") % {"key": object_type}


def source_label(source: str) -> str:
    """Through what the change came: a page, the API, a command, a job."""
    if source in SOURCES:
        return str(SOURCES[source])
    if source.startswith("cli:"):
        command = source.removeprefix("cli:")
        label = CLI_SOURCES.get(command)
        if label is not None:
            return str(label)
        return gettext("command line (%(command)s)") % {"command": command.replace("_", " ")}
    return gettext("other (%(key)s)") % {"key": source}


def actor_label(name: str) -> str:
    return gettext("the system itself") if name == SYSTEM_ACTOR else name


def action_choices() -> list[tuple[str, object]]:
    """Filter choices: every action the services record, in words."""
    return [(key, label) for key, label in ACTIONS.items()]


_LEVEL_KEY = re.compile(r": ([a-z][a-z0-9_]*)$")


def object_text(text: str, vocabulary: dict[str, str]) -> str:
    """``text`` (a stored object description) with rule-set codes and level keys in words."""
    if not vocabulary:
        return text
    pattern = re.compile(
        r"\b("
        + "|".join(re.escape(code) for code in sorted(vocabulary, key=len, reverse=True))
        + r")\b"
    )
    text = pattern.sub(lambda m: vocabulary[m.group(1)], text)
    return _LEVEL_KEY.sub(lambda m: ": " + vocabulary.get("level:" + m.group(1), m.group(1)), text)


def vocabulary() -> dict[str, str]:
    """Rule-set codes (risk levels and lockdown lift rules) and level keys → Vietnamese words."""
    from vungxanh.domain.rules import RuleSetError
    from vungxanh.risk.models import RuleSetRecord
    from vungxanh.risk.services import ruleset_of

    words: dict[str, str] = {}
    for record in RuleSetRecord.objects.filter(current=True):
        words[record.code] = record.title_vi or record.title
        try:
            levels = ruleset_of(record).levels
        except RuleSetError:  # a file that no longer parses: keep the code
            continue
        for level in levels:
            if not level.key.isdigit():
                words.setdefault("level:" + level.key, level.label_vi)
    LiftRule = apps.get_model("lockdowns", "LiftRuleRecord")
    for record in LiftRule.objects.filter(current=True):
        words[record.code] = record.title_vi or record.title
    return words
