"""Audit API.

GET /api/v1/audit/    the audit entries the caller may read (administrators), newest first
"""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from vungxanh.audit.queries import filtered_entries
from vungxanh.audit.schemas import AuditEntryOut, AuditFilter
from vungxanh.lib.apischema import Pagination, errors

router = Router(tags=["audit"])


@router.get("", response={200: list[AuditEntryOut], **errors(401, 422)}, url_name="audit_list")
@paginate(Pagination)
def audit_list(request: HttpRequest, filters: Query[AuditFilter]):
    return filtered_entries(request.user, **filters.dict())
