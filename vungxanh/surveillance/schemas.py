"""Schemas of the surveillance API: facts in and out, filters, pages, indicator series.

Incoming values are kept raw (text or numbers) on purpose: they are checked by the import
template's rules (``vungxanh.surveillance.services_edits.validate``), so the API accepts what a
spreadsheet would ("23/09/2021", "Khu phong tỏa", "Có") and reports errors per field.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from vungxanh.lib.apischema import LONG_TEXT, Choice, Text
from vungxanh.surveillance.models import Detection

# Texts are bounded by the model field they end in; a label ("Khu phong tỏa", "Có") by
# LABEL, as long as the longest word the import template accepts, with room to spare.
Raw = Text(150) | int | None
LABEL = 40
DATE_HELP = "dd/mm/yyyy or yyyy-mm-dd"
AreaCode = Text(40)
SeriesCode = Text(40)
DayText = Text(LABEL)
# The ``next`` of a page: ``yyyy-mm-dd.id``; the id fits a BigAutoField (18 digits).
Cursor = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}\.\d{1,18}$")]


# -- out -----------------------------------------------------------------------------------
class FactOut(Schema):
    id: int
    area: str = Field(description="Area code")
    area_name: str
    series: str = Field(description="Series code: figures of different series never mix")
    source: str
    batch_id: int | None = Field(description="The import (or single edit) that wrote it")
    recorded_at: dt.datetime
    superseded_at: dt.datetime | None = Field(description="Set once a correction replaced it")
    superseded_by_id: int | None = Field(description="The import that replaced it")
    current: bool

    @staticmethod
    def resolve_area(obj) -> str:
        return obj.area.code

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_series(obj) -> str:
        return obj.series.code

    @staticmethod
    def resolve_current(obj) -> bool:
        return obj.superseded_at is None


class PersonOut(Schema):
    full_name: str
    phone: str
    id_number: str
    address: str


class CaseOut(FactOut):
    case_code: str
    confirmed_date: dt.date
    onset_date: dt.date | None
    sample_date: dt.date | None
    report_date: dt.date | None
    detection: str
    age_band: str
    sex: str
    vaccination: str
    outcome: str
    zone_ref: str
    person: PersonOut | None = Field(
        None,
        description="Personal identifiers: only with include_personal=true, and only for "
        "the roles that may read them (health officers of the area)",
    )

    @staticmethod
    def resolve_person(obj) -> PersonOut | None:
        return getattr(obj, "person", None)


class DailyOut(FactOut):
    date: dt.date
    community: int
    quarantine: int
    home_isolation: int
    lockdown: int
    imported: int
    unknown: int
    deaths: int


class TestsOut(FactOut):
    date: dt.date
    sample_group: str
    performed: int
    positive: int


class VaccinationOut(FactOut):
    date: dt.date
    adults: int
    adults_one_dose: int
    adults_full: int
    aged_50_plus: int | None
    aged_50_plus_full: int | None
    aged_65_plus: int | None
    aged_65_plus_full: int | None


class CapacityOut(FactOut):
    date: dt.date
    treatment_beds: int | None
    treatment_beds_occupied: int | None
    icu_beds: int | None
    station_oxygen: bool | None
    mobile_stations: int | None


NEXT = Field(None, description="Pass as ``cursor`` for the next page; null on the last page")


class CasePage(Schema):
    items: list[CaseOut]
    next: str | None = NEXT


class DailyPage(Schema):
    items: list[DailyOut]
    next: str | None = NEXT


class TestsPage(Schema):
    items: list[TestsOut]
    next: str | None = NEXT


class VaccinationPage(Schema):
    items: list[VaccinationOut]
    next: str | None = NEXT


class CapacityPage(Schema):
    items: list[CapacityOut]
    next: str | None = NEXT


# -- filters -------------------------------------------------------------------------------
class FactFilter(Schema):
    area: AreaCode | None = Field(None, description="Area code: that area and every unit under it")
    from_: DayText | None = Field(None, alias="from", description=f"First day ({DATE_HELP})")
    to: DayText | None = Field(None, description=f"Last day ({DATE_HELP})")
    series: SeriesCode | None = Field(None, description="Series code (all series if empty)")
    history: bool = Field(False, description="Include the versions replaced by corrections")
    cursor: Cursor | None = Field(None, description="The ``next`` of the previous page")
    limit: int = Field(100, ge=1, le=1000)


class CaseFilter(FactFilter):
    detection: Choice(Detection) | None = Field(None, description="Where the case was found")
    include_personal: bool = Field(
        False, description="Add names, phones, ID numbers, addresses (health officers only)"
    )


class IndicatorFilter(Schema):
    series: SeriesCode | None = Field(None, description="Series code (the first by priority)")
    from_: DayText | None = Field(None, alias="from", description=f"First day ({DATE_HELP})")
    to: DayText | None = Field(None, description=f"Last day ({DATE_HELP})")


class IndicatorsOut(Schema):
    area: str
    area_name: str
    series: str
    series_name: str
    simulated: bool
    source: str
    dates: list[dt.date]
    indicators: dict[str, list[float | None]] = Field(
        description="Each indicator's value per date (null: undefined or not reported)"
    )
    data_until: dt.datetime | None = Field(
        None, description="The last change of the facts counted here (import, edit, undo…)"
    )
    last_day: dt.date | None = Field(None, description="The last day the stored figures count")
    levels_computed_at: dt.datetime | None = Field(
        None, description="When the levels of the area and its units were last computed"
    )
    recompute_pending: bool = Field(
        False, description="A change waits for the loop: indicators and levels may be behind"
    )


# -- in ------------------------------------------------------------------------------------
class EditIn(Schema):
    reason: Text(LONG_TEXT) = Field(
        "", description="Why (kept in the audit trail); corrections only"
    )


class CreateIn(EditIn):
    series: SeriesCode = Field("reported", description="Series code of the new fact")


class CaseFields(Schema):
    case_code: Text(40) | None = None
    area: Raw = Field(None, description="Area code or name")
    confirmed_date: DayText | None = Field(None, description=DATE_HELP)
    onset_date: DayText | None = Field(None, description=DATE_HELP)
    sample_date: DayText | None = Field(None, description=DATE_HELP)
    report_date: DayText | None = Field(None, description=DATE_HELP)
    detection: Text(LABEL) | None = Field(
        None, description="community, quarantine, … or the Vietnamese"
    )
    age_band: Text(LABEL) | None = None
    sex: Text(LABEL) | None = None
    vaccination: Text(LABEL) | None = None
    outcome: Text(LABEL) | None = None
    zone_ref: Text(80) | None = None
    full_name: Text(150) | None = None
    phone: Text(30) | None = None
    id_number: Text(30) | None = None
    address: Text(300) | None = None


class DailyFields(Schema):
    area: Raw = Field(None, description="Area code or name")
    date: DayText | None = Field(None, description=DATE_HELP)
    community: Raw = None
    quarantine: Raw = None
    home_isolation: Raw = None
    lockdown: Raw = None
    imported: Raw = None
    unknown: Raw = None
    deaths: Raw = None
    source: Text(300) | None = None


class TestsFields(Schema):
    area: Raw = Field(None, description="Area code or name")
    date: DayText | None = Field(None, description=DATE_HELP)
    sample_group: Text(LABEL) | None = None
    performed: Raw = None
    positive: Raw = None


class VaccinationFields(Schema):
    area: Raw = Field(None, description="Area code or name")
    date: DayText | None = Field(None, description=DATE_HELP)
    adults: Raw = None
    adults_one_dose: Raw = None
    adults_full: Raw = None
    aged_50_plus: Raw = None
    aged_50_plus_full: Raw = None
    aged_65_plus: Raw = None
    aged_65_plus_full: Raw = None


class CapacityFields(Schema):
    area: Raw = Field(None, description="Area code or name")
    date: DayText | None = Field(None, description=DATE_HELP)
    treatment_beds: Raw = None
    treatment_beds_occupied: Raw = None
    icu_beds: Raw = None
    station_oxygen: bool | Text(LABEL) | None = None
    mobile_stations: Raw = None


class CaseIn(CaseFields, CreateIn):
    pass


class CaseCorrectionIn(CaseFields, EditIn):
    pass


class DailyIn(DailyFields, CreateIn):
    pass


class DailyCorrectionIn(DailyFields, EditIn):
    pass


class TestsIn(TestsFields, CreateIn):
    pass


class TestsCorrectionIn(TestsFields, EditIn):
    pass


class VaccinationIn(VaccinationFields, CreateIn):
    pass


class VaccinationCorrectionIn(VaccinationFields, EditIn):
    pass


class CapacityIn(CapacityFields, CreateIn):
    pass


class CapacityCorrectionIn(CapacityFields, EditIn):
    pass


# kind -> (route name stem, out, page, create in, correction in)
KIND_SCHEMAS = {
    "cases": ("case", CaseOut, CasePage, CaseIn, CaseCorrectionIn),
    "daily": ("daily_count", DailyOut, DailyPage, DailyIn, DailyCorrectionIn),
    "tests": ("test_count", TestsOut, TestsPage, TestsIn, TestsCorrectionIn),
    "vaccination": (
        "vaccination",
        VaccinationOut,
        VaccinationPage,
        VaccinationIn,
        VaccinationCorrectionIn,
    ),
    "capacity": ("capacity", CapacityOut, CapacityPage, CapacityIn, CapacityCorrectionIn),
}
