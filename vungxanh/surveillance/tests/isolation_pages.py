"""Isolation checks of the epidemic pages, the case list and the surveillance API.

Every check signs in as An Hòa's ward official: facts of Cái Khế (the other ward) must
be neither shown, exported nor changed; An Hòa's own facts are shown. Collected by
``vungxanh/tests/test_isolation.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.urls import reverse

from vungxanh.surveillance import services
from vungxanh.surveillance.models import CaseRecord, DailyCount
from vungxanh.surveillance.schemas import KIND_SCHEMAS

OWN_CASE, FOREIGN_CASE = "ISO-HOA-1", "ISO-KHE-1"
FOREIGN_NAME = "Foreign Person Marker"
CASES = (
    "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện,Họ tên\n"
    f"{OWN_CASE},31120,20/09/2021,community,Own Person Marker\n"
    f"{FOREIGN_CASE},31117,20/09/2021,community,{FOREIGN_NAME}\n"
)
FACTS = {
    "daily": "Địa bàn,Ngày,Ca cộng đồng\n{area},20/09/2021,1\n",
    "tests": "Địa bàn,Ngày,Nhóm mẫu,Số mẫu xét nghiệm,Số mẫu dương tính\n{area},20/09/2021,f1,9,1\n",
    "vaccination": (
        "Địa bàn,Ngày,Dân số từ 18 tuổi,Người ≥18 tuổi đã tiêm ≥1 liều,"
        "Người ≥18 tuổi tiêm đủ liều\n{area},20/09/2021,100,80,40\n"
    ),
    "capacity": "Địa bàn,Ngày,Giường hồi sức tích cực\n{area},20/09/2021,4\n",
}


def facts(tc) -> dict[str, dict[str, int]]:
    """Create (once) one fact of each kind in each ward; return kind -> ward code -> id.

    Other checks may add facts too: the id kept for a ward is one of its facts.
    """
    if not CaseRecord.objects.filter(case_code=FOREIGN_CASE).exists():
        services.import_file("cases", CASES.encode(), "iso.csv", actor=tc.admin)
        for kind, template in FACTS.items():
            text = template.format(area="31120") + template.format(area="31117").split("\n", 1)[1]
            result = services.import_file(kind, text.encode(), f"{kind}.csv", actor=tc.admin)
            assert result.written, result.check.errors
    found = {}
    for kind, model in services.MODELS.items():
        found[kind] = {
            code: pk for pk, code in model.objects.current().values_list("pk", "area__code")
        }
    found["cases"] = {
        code: pk
        for pk, code in CaseRecord.objects.current()
        .filter(case_code__in=[OWN_CASE, FOREIGN_CASE])
        .values_list("pk", "area__code")
    }
    return found


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="ignore")


# -- pages ---------------------------------------------------------------------------------
def check_index(tc, name: str) -> None:
    facts(tc)
    tc.as_ward()
    response = tc.client.get(reverse(name))
    tc.assertRedirects(response, reverse("surveillance:area", args=["31120"]))


def check_area_page(tc, name: str) -> None:
    """The other ward's and the district's pages are refused; the ward's own is shown."""
    facts(tc)
    tc.as_ward()
    args = [] if name.endswith("_export") else None
    for code in ("31117", "916"):
        url = reverse(name, args=[code, "csv"] if args is not None else [code])
        tc.assert_refused(tc.client.get(url))
    own = reverse(name, args=["31120", "csv"] if args is not None else ["31120"])
    tc.assert_hides(own, ["Cái Khế", FOREIGN_CASE, FOREIGN_NAME])


def check_case_list(tc, name: str) -> None:
    facts(tc)
    tc.as_ward()
    args = ["csv"] if name.endswith("_export") else []
    url = reverse(name, args=args)
    tc.assert_hides(url, [FOREIGN_CASE, FOREIGN_NAME, "Own Person Marker"], [OWN_CASE])
    # A search is posted (it may name a person) and reaches the list by an opaque key.
    searched = tc.client.post(reverse("surveillance:cases"), {"q": "ISO"})["Location"]
    query = searched.split("?", 1)[1]
    tc.assert_hides(f"{url}?include_personal=1&{query}", [FOREIGN_CASE, "Own Person Marker"])
    tc.assert_refused(tc.client.get(url, {"area": "31117"}))
    tc.assert_refused(tc.client.get(url, {"area": "916"}))


# -- API -----------------------------------------------------------------------------------
def _api_list(kind: str) -> Callable:
    def check(tc, name: str) -> None:
        ids = facts(tc)[kind]
        tc.as_ward()
        items = tc.client.get(reverse(name), {"limit": 1000, "include_personal": "true"}).json()
        tc.assertEqual({row["area"] for row in items["items"]}, {"31120"})
        tc.assertIn(ids["31120"], {row["id"] for row in items["items"]})
        tc.assertNotIn(FOREIGN_NAME, json.dumps(items))
        tc.assert_refused(tc.client.get(reverse(name), {"area": "31117"}))

    return check


def _api_detail(kind: str) -> Callable:
    def check(tc, name: str) -> None:
        ids = facts(tc)[kind]
        tc.as_ward()
        tc.assert_refused(tc.client.get(reverse(name, args=[ids["31117"]])))
        tc.assertEqual(tc.client.get(reverse(name, args=[ids["31120"]])).status_code, 200)

    return check


def _api_create(kind: str) -> Callable:
    def check(tc, name: str) -> None:
        facts(tc)
        model = services.MODELS[kind]
        before = model.objects.count()
        tc.as_ward()
        payload = (
            {"case_code": "ISO-NEW", "confirmed_date": "21/09/2021", "detection": "community"}
            if kind == "cases"
            else {"date": "21/09/2021"}
        )
        response = tc.client.post(
            reverse(name), {**payload, "area": "31117"}, content_type="application/json"
        )
        tc.assertIn(response.status_code, {403, 404, 422}, response.content[:300])
        tc.assertEqual(model.objects.count(), before)

    return check


def _api_correct(kind: str) -> Callable:
    def check(tc, name: str) -> None:
        ids = facts(tc)[kind]
        model = services.MODELS[kind]
        before = model.objects.count()
        tc.as_ward()
        response = tc.client.put(
            reverse(name, args=[ids["31117"]]), {"source": "x"}, content_type="application/json"
        )
        tc.assert_refused(response)
        tc.assertEqual(model.objects.count(), before)
        tc.assertIsNone(model.objects.get(pk=ids["31117"]).superseded_at)

    return check


def check_api_indicators(tc, name: str) -> None:
    facts(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name, args=["31117"])))
    tc.assert_refused(tc.client.get(reverse(name, args=["916"])))
    own = tc.client.get(reverse(name, args=["31120"]))
    tc.assertEqual(own.status_code, 200)
    tc.assertTrue(DailyCount.objects.filter(area=tc.caikhe).exists())


def check_official_series(tc, name: str) -> None:
    """Another area's official series is neither shown nor set; the own ward's is shown."""
    from vungxanh.surveillance.models import OfficialSeries, Series

    tc.as_ward()
    for code in ("31117", "916"):
        url = reverse(name, args=[code])
        tc.assert_refused(tc.client.get(url))
        tc.assert_refused(tc.client.post(url, {"series": "reported"}))
    tc.assertFalse(OfficialSeries.objects.exists())
    tc.assertEqual(tc.client.get(reverse(name, args=["31120"])).status_code, 200)
    # A ward official reads the ward's official series but does not set it.
    tc.assert_refused(tc.client.post(reverse(name, args=["31120"]), {"series": "reported"}))
    tc.assertFalse(OfficialSeries.objects.exists())
    tc.assertTrue(Series.objects.filter(code="reported").exists())


CHECKS: dict[str, Callable] = {
    "surveillance:official_series": check_official_series,
    "surveillance:index": check_index,
    "surveillance:area": check_area_page,
    "surveillance:area_export": check_area_page,
    "surveillance:overview": check_area_page,
    "surveillance:overview_export": check_area_page,
    "surveillance:cases": check_case_list,
    "surveillance:cases_export": check_case_list,
    "api:indicator_series": check_api_indicators,
}
for _kind, (_stem, *_schemas) in KIND_SCHEMAS.items():
    CHECKS[f"api:{_stem}_list"] = _api_list(_kind)
    CHECKS[f"api:{_stem}_detail"] = _api_detail(_kind)
    CHECKS[f"api:{_stem}_create"] = _api_create(_kind)
    CHECKS[f"api:{_stem}_correct"] = _api_correct(_kind)

# Pages that write: the official series (the steering committee's) is refused elsewhere.
WRITE_CHECKS: dict[str, Callable] = {"surveillance:official_series": check_official_series}
