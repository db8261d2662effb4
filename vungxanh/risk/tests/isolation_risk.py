"""Isolation checks of the level pages and API (collected by vungxanh/tests/test_isolation.py).

The levels of ``test_views.build_levels`` are computed once per test, lazily. An Hòa's ward
official must not see Cái Khế's or Cái Răng's levels; Ninh Kiều's steering committee must
not see Cái Răng's, nor publish or decide there; the public map shows levels only.
"""

from __future__ import annotations

from django.urls import reverse

from vungxanh.risk import services
from vungxanh.risk.models import Assessment
from vungxanh.risk.tests.test_views import GREEN_DAY, build_levels

GREEN = "vn-green-zone-14d"


def _levels(tc) -> None:
    """Compute the levels and publish Cần Thơ's for 20/09/2021 (once per test)."""
    if getattr(tc, "_risk_ready", False):
        return
    build_levels(tc)
    services.publish(tc.green, tc.series, GREEN_DAY, tc.cantho, actor=tc.admin)
    tc.foreign_assessment = Assessment.objects.get(area=tc.hungphu, ruleset=tc.green)
    tc.own_assessment = Assessment.objects.get(area=tc.anhoa, ruleset=tc.green)
    tc._risk_ready = True


def _query(area: str, **extra) -> str:
    params = {"area": area, "date": "20/09/2021", "rules": GREEN, **extra}
    return "?" + "&".join(f"{k}={v}" for k, v in params.items())


def check_map(tc, name: str) -> None:
    """Pages and exports of a map: another area's map is not found; one's own hides others."""
    _levels(tc)
    tc.client.force_login(tc.district_steering)
    for area in ("919", "92", "31189"):
        tc.assert_refused(tc.client.get(reverse(name) + _query(area)))
    response = tc.client.get(reverse(name) + _query("916"))
    tc.assertEqual(response.status_code, 200)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if name != "risk:map_xlsx":
        text = body.decode()
        tc.assertNotIn("Hưng Phú", text)
        tc.assertNotIn("31189", text)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name) + _query("916")))
    tc.assert_refused(tc.client.get(reverse(name) + _query("31117")))
    if name == "risk:map":
        tc.assert_hides(reverse(name), ["Cái Khế", "Hưng Phú"], ["An Hòa"])


def check_area_page(tc, name: str) -> None:
    _levels(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name, args=["31117"]) + _query("31117")))
    tc.assert_refused(tc.client.get(reverse(name, args=["31189"]) + _query("31189")))
    tc.assert_hides(
        reverse(name, args=["31120"]) + _query("31120"),
        ["Cái Khế", "Hưng Phú", "foreign-official-marker"],
        ["An Hòa"],
    )


def check_publish(tc, name: str) -> None:
    _levels(tc)
    before = Assessment.objects.count()
    data = {"date": "21/09/2021", "rules": GREEN, "series": "reported"}
    tc.client.force_login(tc.district_steering)
    tc.assert_refused(tc.client.post(reverse(name, args=["919"]), data))
    tc.as_ward()
    tc.assert_refused(tc.client.post(reverse(name, args=["31117"]), data))
    tc.assert_refused(tc.client.post(reverse(name, args=["31120"]), data))  # not steering
    tc.assertEqual(Assessment.objects.count(), before)


def check_decide(tc, name: str) -> None:
    _levels(tc)

    def post(assessment):
        prefix = f"a{assessment.pk}"
        return tc.client.post(
            reverse(name, args=[assessment.pk]),
            {f"{prefix}-level": "not_green", f"{prefix}-reason": "isolation"},
        )

    tc.client.force_login(tc.district_steering)
    tc.assert_refused(post(tc.foreign_assessment))
    tc.as_ward()
    tc.assert_refused(post(tc.own_assessment))
    for assessment in (tc.foreign_assessment, tc.own_assessment):
        assessment.refresh_from_db()
        tc.assertFalse(assessment.overridden)


def check_public_map(tc, name: str) -> None:
    """No login; levels only: no inputs, no published or decided level, no decisions."""
    _levels(tc)
    services.decide_level(
        tc.foreign_assessment, actor=tc.admin, level_key="not_green", reason="secret-reason"
    )
    tc.client.logout()
    response = tc.client.get(reverse(name) + _query("919"))
    tc.assertEqual(response.status_code, 200)
    text = response.content.decode()
    tc.assertIn("Hưng Phú", text)  # public: every area's level
    for marker in ("secret-reason", "foreign-official-marker", "csrf", "data-input"):
        tc.assertNotIn(marker, text)
    tc.assertEqual(tc.client.get(reverse(name) + _query("31120")).status_code, 404)
    tc.assertNotIn("sessionid", response.cookies)


def check_explain(tc, name: str) -> None:
    _levels(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name, args=["31117"]) + _query("31117")))
    tc.assert_refused(tc.client.get(reverse(name, args=["31189"]) + _query("31189")))
    ok = tc.client.get(reverse(name, args=["31120"]) + _query("31120"))
    tc.assertEqual(ok.status_code, 200)


def check_api_rulesets(tc, name: str) -> None:
    """Rule sets are public documents: any signed-in user reads them, no area data in them."""
    _levels(tc)
    tc.as_ward()
    url = reverse(name, args=[GREEN]) if name == "api:risk_ruleset" else reverse(name)
    response = tc.client.get(url)
    tc.assertEqual(response.status_code, 200)
    tc.assertNotIn("Cái Khế", response.content.decode())
    tc.client.logout()
    tc.assertEqual(tc.client.get(url).status_code, 401)


def check_api_levels(tc, name: str) -> None:
    _levels(tc)
    tc.client.force_login(tc.district_steering)
    tc.assert_refused(tc.client.get(reverse(name) + _query("919")))
    codes = {r["code"] for r in tc.client.get(reverse(name) + _query("916")).json()["levels"]}
    tc.assertEqual(codes, {"31117", "31120"})
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name) + _query("916")))


def check_api_explain(tc, name: str) -> None:
    _levels(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name, args=["31117"]) + _query("31117")))
    tc.assertEqual(tc.client.get(reverse(name, args=["31120"]) + _query("31120")).status_code, 200)


def check_api_published(tc, name: str) -> None:
    """Assessments and changes: only the caller's subtree."""
    _levels(tc)
    tc.as_ward()
    items = tc.client.get(reverse(name)).json()["items"]
    tc.assertEqual({row["area"] for row in items}, {"31120"})
    tc.assert_refused(tc.client.get(reverse(name) + "?area=916"))
    tc.client.force_login(tc.district_steering)
    items = tc.client.get(reverse(name)).json()["items"]
    tc.assertEqual({row["area"] for row in items}, {"916", "31120", "31117"})


def check_api_decide(tc, name: str) -> None:
    _levels(tc)
    body = {"level": "not_green", "reason": "isolation"}
    tc.client.force_login(tc.district_steering)
    response = tc.client.post(
        reverse(name, args=[tc.foreign_assessment.pk]), body, content_type="application/json"
    )
    tc.assert_refused(response)
    tc.as_ward()
    response = tc.client.post(
        reverse(name, args=[tc.own_assessment.pk]), body, content_type="application/json"
    )
    tc.assert_refused(response)
    for assessment in (tc.foreign_assessment, tc.own_assessment):
        assessment.refresh_from_db()
        tc.assertFalse(assessment.overridden)


CHECKS = {
    "risk:map": check_map,
    "risk:map_levels": check_map,
    "risk:map_table": check_map,
    "risk:map_geojson": check_map,
    "risk:map_xlsx": check_map,
    "risk:area": check_area_page,
    "risk:explain": check_explain,
    "risk:publish": check_publish,
    "risk:decide": check_decide,
    "public:map": check_public_map,
    "api:risk_rulesets": check_api_rulesets,
    "api:risk_ruleset": check_api_rulesets,
    "api:risk_levels": check_api_levels,
    "api:risk_explain": check_api_explain,
    "api:risk_assessments": check_api_published,
    "api:risk_changes": check_api_published,
    "api:risk_decide": check_api_decide,
}


# The write leg (vungxanh/tests/test_isolation.py, EveryWriteTestCase).
WRITE_CHECKS = {
    "risk:publish": check_publish,
    "risk:decide": check_decide,
    "POST /api/v1/risk/assessments/{assessment_id}/decide": (
        lambda tc, key: check_api_decide(tc, "api:risk_decide")
    ),
}
