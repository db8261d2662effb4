"""What the permit and the plan say, for ``documents.render`` (Vietnamese: official papers)."""

from __future__ import annotations

from django.utils import timezone

from vungxanh.areas.models import Area
from vungxanh.domain import workplace
from vungxanh.permits import config
from vungxanh.permits.documents import Letter
from vungxanh.permits.models import PermitApplication, PermitKind, ProductionModel, SafetyPlan
from vungxanh.permits.queries import permit_number

KIND_VI = {
    PermitKind.REOPEN: "hoạt động trở lại",
    PermitKind.CONSTRUCTION_SITE: "thi công xây dựng trên công trường",
    PermitKind.BEYOND_DEFAULT: "hoạt động ngoài mức mặc định của cấp độ dịch",
}
PRODUCTION_VI = {
    ProductionModel.ON_SITE: "“3 tại chỗ” (sản xuất tại chỗ, ăn tại chỗ, nghỉ tại chỗ)",
    ProductionModel.ONE_ROUTE: "“1 cung đường 2 điểm đến”",
    ProductionModel.NONE: "người lao động đi về hằng ngày",
}
DECISION_VI = {
    workplace.OPERATE: "được hoạt động",
    workplace.OPERATE_WITH_CHECKS: "được hoạt động, kiểm tra định kỳ",
    workplace.REDUCE_FIRST: "phải thực hiện biện pháp giảm nguy cơ trước khi hoạt động",
    workplace.NOT_ALLOWED: "không được hoạt động",
}


def _province(ward: Area) -> Area | None:
    """The province (second level of the path: VN/92/…) the ward belongs to."""
    parts = [p for p in ward.path.split("/") if p]
    if len(parts) < 2:
        return None
    return Area.objects.filter(path=f"{parts[0]}/{parts[1]}/").first()


def _place(province: Area | None) -> str:
    name = province.name if province else ""
    for prefix in ("Thành phố ", "Tỉnh "):
        name = name.removeprefix(prefix)
    return name


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def permit_letter(application: PermitApplication) -> Letter:
    rules = config.load()
    department = rules.departments[application.department]
    establishment = application.establishment
    ward = establishment.ward
    province = _province(ward)
    period = f"từ ngày {_day(application.first_day)}"
    if application.last_day:
        period += f" đến ngày {_day(application.last_day)}"
    else:
        period += " cho đến khi có thông báo khác"
    paragraphs = [
        f"Xét đề nghị của {establishment.name} (mã số thuế {establishment.tax_code}), "
        f"địa chỉ {establishment.address or ward.name}, {ward.name}, nộp ngày "
        f"{_day(timezone.localtime(application.submitted_at))}, kèm phương án phòng, chống "
        f"dịch COVID-19 theo mô hình {PRODUCTION_VI[application.plan.production_model]}.",
        f"{department.title_vi} chấp thuận cho {establishment.name} được "
        f"{KIND_VI[application.kind]} {period}.",
    ]
    if application.max_people:
        paragraphs.append(f"Số người làm việc đồng thời không quá {application.max_people} người.")
    if application.reason:
        paragraphs.append(f"Điều kiện kèm theo: {application.reason}")
    paragraphs.append(
        "Cơ sở thực hiện đúng phương án đã được chấp thuận, xét nghiệm định kỳ "
        f"{application.plan.test_every_days} ngày một lần theo Quyết định số 2787/QĐ-BYT, "
        "và tạm dừng hoạt động khi địa bàn bị phong tỏa hoặc có trường hợp mắc COVID-19 tại cơ sở"
    )
    signer = application.decided_by
    decided = timezone.localtime(application.decided_at or timezone.now()).date()
    return Letter(
        governing_body=f"UBND {province.name.upper()}" if province else "",
        issuing_body=department.name_vi,
        number=f"Số: {permit_number(application)}",
        place=_place(province),
        day=decided,
        type_name="THÔNG BÁO",
        summary=f"Chấp thuận cho {establishment.name} {KIND_VI[application.kind]}",
        paragraphs=tuple(paragraphs),
        recipients=(establishment.name, f"UBND {ward.name}"),
        archive=f"VT, {department.abbreviation}",
        authority=rules.authority_vi,
        signer_title=rules.signer_title_vi,
        signer_name=(signer.get_full_name() or signer.get_username()) if signer else "",
    )


def plan_letter(plan: SafetyPlan) -> Letter:
    establishment = plan.establishment
    scheme = config.schemes().get(plan.scheme)
    band = scheme.band(plan.band).name_vi if scheme else plan.band
    title = scheme.title_vi if scheme else plan.scheme
    created = timezone.localtime(plan.created_at).date()
    number = SafetyPlan.objects.filter(
        establishment=establishment, created_at__year=created.year, pk__lte=plan.pk
    ).count()
    province = _province(establishment.ward)
    return Letter(
        governing_body="",
        issuing_body=establishment.name,
        number=f"Số: {number:02d}/PA",
        place=_place(province),
        day=created,
        type_name="PHƯƠNG ÁN",
        summary="Phòng, chống dịch COVID-19 tại cơ sở sản xuất, kinh doanh",
        paragraphs=(
            f"Cơ sở: {establishment.name}, mã số thuế {establishment.tax_code}, "
            f"{establishment.address or ''} {establishment.ward.name}.".replace("  ", " "),
            f"Mô hình sản xuất: {PRODUCTION_VI[plan.production_model]}; số người lao động "
            f"làm việc tại cơ sở: {plan.workers_on_site}.",
            f"Tự đánh giá nguy cơ ({title}): {plan.score}/{plan.maximum} điểm, "
            f"{plan.percent}%, mức “{band}”: {DECISION_VI.get(plan.decision, plan.decision)}.",
            f"Xét nghiệm sàng lọc định kỳ {plan.test_every_days} ngày một lần "
            "(Quyết định số 2787/QĐ-BYT: 5 – 7 ngày).",
            f"Người chịu trách nhiệm: {plan.responsible_person}"
            + (f", điện thoại {plan.responsible_phone}" if plan.responsible_phone else ""),
        ),
        recipients=(f"UBND {establishment.ward.name}",),
        archive="VT",
        authority="",
        signer_title="NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT",
        signer_name="",
    )
