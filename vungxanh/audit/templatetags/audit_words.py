"""Audit keys in words on any page: ``{{ batch.source|source_words }}`` → "dòng lệnh (demo)"."""

from __future__ import annotations

from django import template

from vungxanh.audit import labels

register = template.Library()


@register.filter
def source_words(source: str) -> str:
    return labels.source_label(source or "")


@register.filter
def action_words(action: str) -> str:
    return labels.action_label(action or "")


@register.filter
def object_type_words(object_type: str) -> str:
    return labels.object_type_label(object_type or "")
