"""Audit API.

GET /api/v1/audit/    the audit entries the caller may read (administrators), newest first
"""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from vungxanh.audit.queries import filtered_entries
from vungxanh.audit.schemas import AuditEntryOut, AuditFilter

router = Router(tags=["audit"])


@router.get("", response=list[AuditEntryOut], url_name="audit_list")
@paginate(LimitOffsetPagination)
def audit_list(request: HttpRequest, filters: Query[AuditFilter]):
    return filtered_entries(request.user, **filters.dict())
