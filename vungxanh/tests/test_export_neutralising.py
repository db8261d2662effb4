"""Nothing planted comes back out as a formula (issue 9, finding 5).

Users plant formulas and markup the way they would: a health officer imports a line list
whose case codes, names, phones and addresses start with = + - @, and daily counts whose
source is a formula; a ward official (whose user name starts with "+") adds a smaller unit
and a lockdown zone named and decided that way. Then every export is read back: the web
downloads (found from the URL configuration, so a new one fails here until it is swept),
the management commands that write files (found from their options), and the standalone
``assess`` and ``rt`` commands. No cell may start with = + - @, tab or CR unless it is a
number, and no XLSX cell may be a formula. The readable value stays: "'=1+1".
"""

from __future__ import annotations

import argparse
import ast
import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.core.management import call_command, get_commands, load_command_class
from django.test import SimpleTestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

import vungxanh
from vungxanh import riskcli, rtcli
from vungxanh.accounts.roles import Role
from vungxanh.areas import services as areas
from vungxanh.lib.spreadsheet import FORMULA_PREFIXES, safe_cell
from vungxanh.lib.workbook import Book
from vungxanh.lockdowns import services as lockdowns
from vungxanh.risk.models import OfficialDecision
from vungxanh.risk.tests.test_views import build_levels
from vungxanh.surveillance import exports, services
from vungxanh.testing import BaseTestCase, make_user

FORMULA = '=HYPERLINK("http://evil.example","x")'
MARKUP = "<b>x</b><img src=x onerror=alert(1)>"
ZONE_DAY = dt.date(2021, 7, 12)
PLANTED_CASES = (
    "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện,Khu phong tỏa,Họ tên,Số điện thoại,"
    "Số CCCD/CMND,Địa chỉ\n"
    '"=HYPERLINK(""http://evil.example"",""x"")",31120,10/07/2021,cộng đồng,=1+1,'
    "=cmd|' /C calc'!A0,+84901234567,092000000001,-2+3\n"
    f"+BN2,31120,11/07/2021,khu phong tỏa,@SUM(1+1),{MARKUP},,,@nhà\n"
    "-BN3,31117,11/07/2021,cộng đồng,,-Lê Thị Ba,,,\n"
    "@BN4,31117,12/07/2021,cộng đồng,,,,,\n"
)
PLANTED_DAILY = (
    "Địa bàn,Ngày,Ca cộng đồng,Nguồn\n31120,13/07/2021,2,=1+1\n31117,13/07/2021,1,@báo\n"
)
# The web downloads and the file-writing commands are found by these words.
EXPORT_WORDS = re.compile(r"export|download|report|csv|xlsx", re.IGNORECASE)
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


# -- reading outputs back ------------------------------------------------------------------
def csv_cells(text: str) -> Iterator[str]:
    for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))):
        yield from row


def xlsx_cells(data: bytes) -> Iterator:
    book = load_workbook(io.BytesIO(data))  # not read-only: every cell's data type is kept
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def live_formulas(output: bytes | str) -> list[str]:
    """The cells of a CSV or XLSX output a spreadsheet would run as formulas."""
    if isinstance(output, bytes) and output[:2] == b"PK":
        found = []
        for cell in xlsx_cells(output):
            if cell.data_type == "f":
                found.append(f"{cell.coordinate}: formula {cell.value!r}")
            elif isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                found.append(f"{cell.coordinate}: {cell.value!r}")
        return found
    text = output.decode("utf-8") if isinstance(output, bytes) else output
    return [
        repr(cell)
        for cell in csv_cells(text)
        if cell.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(cell)
    ]


def all_text(output: bytes | str) -> str:
    """Every cell of an output as one string, to check the planted values reached it."""
    if isinstance(output, bytes) and output[:2] == b"PK":
        return "\n".join(str(c.value) for c in xlsx_cells(output) if c.value is not None)
    text = output.decode("utf-8") if isinstance(output, bytes) else output
    return "\n".join(csv_cells(text))


# -- what the configuration offers ---------------------------------------------------------
def export_routes() -> set[str]:
    """Names of the URL patterns whose name or route says it is a download."""
    found = set()

    def walk(patterns, namespace: str, route: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                if namespace.startswith("admin:"):
                    continue
                if EXPORT_WORDS.search(pattern.name) or EXPORT_WORDS.search(
                    route + str(pattern.pattern)
                ):
                    found.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "", "")
    return found


def file_writing_commands() -> set[str]:
    """Our management commands that can print or write a table (--format or --output)."""
    found = set()
    for name, app in get_commands().items():
        if not app.startswith("vungxanh"):
            continue
        parser = load_command_class(app, name).create_parser("vungxanh", name)
        if {"--format", "--output"} & _options(parser):
            found.add(name)
    return found


def _options(parser: argparse.ArgumentParser) -> set[str]:
    options = set()
    for action in parser._actions:
        options.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                options |= _options(sub)
    return options


class PlantedWorld(BaseTestCase):
    """Formulas and markup planted through the services, as users would type them."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_levels(cls)  # levels of Ninh Kiều's wards, for the level map's export
        cls.plus_official = make_user("+phuong", Role.WARD_OFFICIAL, cls.anhoa)
        imported = services.import_file(
            "cases", PLANTED_CASES.encode(), "planted.csv", actor=cls.health_officer
        )
        assert imported.written, imported.check.errors
        daily = services.import_file(
            "daily", PLANTED_DAILY.encode(), "planted-daily.csv", actor=cls.health_officer
        )
        assert daily.written, daily.check.errors
        cls.unit = areas.create_subunit(
            cls.anhoa,
            actor=cls.plus_official,
            name=f"=1+2 {MARKUP}",
            unit_type="Hẻm",
            reason="@lý do",
        )
        lockdowns.sync_lift_rules()
        zone = lockdowns.create_zone(
            cls.anhoa,
            actor=cls.plus_official,
            code="+PT01",
            name=f"=2+3 {MARKUP}",
            scope_type="alley",
            scope_description="@SUM(1)",
            households=26,
            residents=108,
            reason="-vì",
            index_cases=[FORMULA],
        )
        lockdowns.transition(
            zone,
            actor=cls.plus_official,
            to="active",
            decision_number="=1+1",
            effective_on=dt.date(2021, 7, 10),
            reason="=SUM(9)",
        )
        # Official decisions are loaded by an administrator from a list (no form).
        OfficialDecision.objects.create(
            area=cls.anhoa,
            announced_on=dt.date(2021, 10, 1),
            effective_on=dt.date(2021, 10, 2),
            label="=1+1 Chỉ thị",
            rank=2,
        )


class EveryExportIsNeutralisedTestCase(PlantedWorld):
    def web(self, user, name: str, *args, **query) -> bytes:
        self.client.force_login(user)
        response = self.client.get(reverse(name, args=args), query)
        self.assertEqual(response.status_code, 200, f"{name} {args} {query}")
        return b"".join(response.streaming_content) if response.streaming else response.content

    # Each route: the outputs it gives (every format, every reader that matters) and a
    # planted value that must reach at least one of them, neutralised.
    def route_outputs(self) -> dict[str, Callable[[], tuple[list[bytes], str]]]:
        def cases():
            return [
                self.web(
                    self.health_officer,
                    "surveillance:cases_export",
                    fmt,
                    area="916",
                    include_personal="1",
                )
                for fmt in ("csv", "xlsx")
            ] + [
                self.web(self.viewer, "surveillance:cases_export", fmt, area="916")
                for fmt in ("csv", "xlsx")
            ], "'" + FORMULA

        def indicators():
            return [
                self.web(
                    self.district_steering,
                    "surveillance:area_export",
                    "31120",
                    fmt,
                    **{"from": "01/07/2021", "to": "20/07/2021"},
                )
                for fmt in ("csv", "xlsx")
            ], "31120"

        def overview():
            return [
                self.web(
                    self.anhoa_official,
                    "surveillance:overview_export",
                    "31120",
                    fmt,
                    on="13/07/2021",
                )
                for fmt in ("csv", "xlsx")
            ], "'=1+2"

        def audit():
            return [self.web(self.admin, "audit:export")], "'+phuong"

        def lockdown_report():
            return [
                self.web(
                    self.anhoa_official,
                    "lockdowns:report",
                    area="31120",
                    date=ZONE_DAY.strftime("%d/%m/%Y"),
                )
            ], "'=2+3"

        def level_map():
            return [
                self.web(
                    self.district_steering,
                    "risk:map_xlsx",
                    area="916",
                    date="20/10/2021",
                    rules="vn-4800-2021",
                )
            ], "'=1+1 Chỉ thị"

        def templates(kind_format: str):
            def run():
                return [
                    self.web(self.anhoa_official, f"imports:template_{kind_format}", kind)
                    for kind in exports.FACT_KINDS
                ], "'=1+2" if kind_format == "xlsx" else ""

            return run

        return {
            "surveillance:cases_export": cases,
            "surveillance:area_export": indicators,
            "surveillance:overview_export": overview,
            "audit:export": audit,
            "lockdowns:report": lockdown_report,
            "risk:map_xlsx": level_map,
            "reopening:changes_export": self.reopening_changes,
            "reopening:indicators_export": self.reopening_indicators,
            "imports:template_xlsx": templates("xlsx"),
            "imports:template_csv": templates("csv"),
        }

    # Downloads that are not spreadsheets: nothing in them is ever run as a formula.
    NOT_SPREADSHEETS = {"risk:map_geojson": "GeoJSON for GIS tools"}

    def assertNeutralised(self, label: str, outputs: list[bytes | str], planted: str) -> None:
        for number, output in enumerate(outputs):
            with self.subTest(export=label, output=number):
                self.assertEqual(live_formulas(output), [])
        if planted:
            self.assertIn(planted, "\n".join(all_text(o) for o in outputs), label)

    def test_every_web_download_is_swept(self):
        sweeps = self.route_outputs()
        self.assertEqual(export_routes(), set(sweeps) | set(self.NOT_SPREADSHEETS))
        for name, sweep in sweeps.items():
            outputs, planted = sweep()
            self.assertNeutralised(name, outputs, planted)

    def test_every_file_writing_command_is_swept(self):
        sweeps = {
            "export": self.export_command,
            "areas": self.areas_command,
            "levels": self.levels_command,
            "establishments": self.establishments_command,
        }
        self.assertEqual(file_writing_commands(), set(sweeps))
        for name, sweep in sweeps.items():
            outputs, planted = sweep()
            self.assertNeutralised(name, outputs, planted)

    def export_command(self) -> tuple[list[bytes | str], str]:
        outputs: list[bytes | str] = []
        with tempfile.TemporaryDirectory() as folder:
            for kind in exports.EXPORT_KINDS:
                for fmt in ("csv", "xlsx"):
                    path = Path(folder) / f"{kind}.{fmt}"
                    personal = {"include_personal": True} if kind == "cases" else {}
                    call_command(
                        "export",
                        kind,
                        area="916",
                        fmt=fmt,
                        output=str(path),
                        stderr=io.StringIO(),
                        **personal,
                    )
                    outputs.append(path.read_bytes())
            out = io.StringIO()
            call_command("export", "cases", area="916", stdout=out, stderr=io.StringIO())
            outputs.append(out.getvalue())
        return outputs, "'+84901234567"

    def areas_command(self) -> tuple[list[bytes | str], str]:
        out = io.StringIO()
        call_command("areas", "list", parent="31120", format="csv", stdout=out)
        return [out.getvalue()], "'=1+2"

    def levels_command(self) -> tuple[list[bytes | str], str]:
        out = io.StringIO()
        call_command(
            "levels",
            area="916",
            rules="vn-4800-2021",
            date="20/10/2021",
            format="csv",
            stdout=out,
        )
        self.assertIn("31120", out.getvalue())  # An Hòa's row: the sweep read real output
        return [out.getvalue()], ""

    def plant_establishment(self) -> None:
        """A restaurant of An Hòa named like a formula, with its statuses computed."""
        from vungxanh.economy.models import Establishment
        from vungxanh.economy.tests.world import tax_code
        from vungxanh.reopening import services as reopening

        if not Establishment.objects.filter(tax_code=tax_code(1)).exists():
            Establishment.objects.create(
                name="=1+4 Quán", tax_code=tax_code(1), kind="household", vsic_code="56101",
                section="I", ward=self.anhoa,
            )  # fmt: skip
            reopening.recompute(self.series, [self.cantho])

    def reopening_changes(self) -> tuple[list[bytes | str], str]:
        # An Hòa leaves Cần Thơ's green-zone regime on 24/9: its restaurant changes status.
        self.plant_establishment()
        return [
            self.web(
                self.anhoa_official, "reopening:changes_export", area="31120", date="24/09/2021"
            )
        ], "'=1+4 Quán"

    def reopening_indicators(self) -> tuple[list[bytes | str], str]:
        # Figures and the names of wards, sectors and departments: nothing a user typed, but
        # the workbook goes through the same writer, which must leave no live formula.
        self.plant_establishment()
        output = self.web(
            self.anhoa_official,
            "reopening:indicators_export",
            area="31120",
            **{"from": "15/09/2021", "to": "30/09/2021"},
        )
        return [output], ""

    def establishments_command(self) -> tuple[list[bytes | str], str]:
        self.plant_establishment()
        out = io.StringIO()
        call_command("establishments", "status", area="916", date="24/09/2021", stdout=out)
        return [out.getvalue()], "'=1+4 Quán"

    def test_the_assess_and_rt_commands_neutralise_what_they_echo(self):
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "in.csv"
            source.write_text(
                "area,date,days_since_community_case\n=1+1,20/09/2021,20\n@x,20/09/2021,3\n"
            )
            assessed = Path(folder) / "assessed.csv"
            code = riskcli.main(
                [
                    "assess",
                    "--rules",
                    "vn-green-zone-14d",
                    "--input",
                    str(source),
                    "--output",
                    str(assessed),
                ]
            )
            self.assertEqual(code, 0)
            source.write_text("area,t,local\n" + "".join(f"-a,{t},{t % 4}\n" for t in range(1, 30)))
            estimated = Path(folder) / "rt.csv"
            code = rtcli.main(
                [
                    "--input",
                    str(source),
                    "--output",
                    str(estimated),
                    "--si-mean",
                    "4.7",
                    "--si-sd",
                    "2.9",
                ]
            )
            self.assertEqual(code, 0)
            self.assertNeutralised("assess", [assessed.read_text()], "'=1+1")
            self.assertNeutralised("rt", [estimated.read_text()], "'-a")

    def test_an_export_imports_again_unchanged(self):
        # The quote that neutralises a cell is the one Excel hides: the importer drops it.
        out = io.StringIO()
        call_command(
            "export", "cases", area="916", include_personal=True, stdout=out, stderr=io.StringIO()
        )
        self.assertIn("'=cmd|' /C calc'!A0", out.getvalue())
        again = services.import_file(
            "cases", out.getvalue().encode(), "again.csv", actor=self.health_officer
        )
        self.assertEqual(again.check.errors, [])
        self.assertFalse(again.written)


# The only modules that may write spreadsheet cells: they apply safe_cell to every one.
WRITERS = {"lib/spreadsheet.py", "lib/workbook.py"}
WRITING_CALLS = {"csv.writer", "csv.DictWriter"}
WRITING_NAMES = {"Workbook", "WriteOnlyCell"}  # from openpyxl


def direct_writes(source: str) -> set[str]:
    """The spreadsheet writers ``source`` uses directly instead of through vungxanh.lib."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and ast.unparse(node.func) in WRITING_CALLS:
            found.add(ast.unparse(node.func))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
            found |= {alias.name for alias in node.names} & WRITING_NAMES
        elif isinstance(node, ast.Attribute) and node.attr in WRITING_NAMES:
            found.add(ast.unparse(node))
    return found


class OnlyTheLibraryWritesSpreadsheetsTestCase(SimpleTestCase):
    def test_no_module_writes_a_spreadsheet_around_the_library(self):
        package = Path(vungxanh.__file__).resolve().parent
        offenders = {}
        for path in package.rglob("*.py"):
            name = path.relative_to(package).as_posix()
            if name in WRITERS or "/tests/" in f"/{name}":
                continue
            found = direct_writes(path.read_text(encoding="utf-8"))
            if found:
                offenders[name] = found
        self.assertEqual(offenders, {})

    def test_the_check_sees_a_direct_writer(self):
        self.assertEqual(direct_writes("import csv\ncsv.writer(out)"), {"csv.writer"})
        self.assertEqual(direct_writes("from openpyxl import Workbook"), {"Workbook"})
        self.assertEqual(
            direct_writes("import openpyxl\nopenpyxl.Workbook()"), {"openpyxl.Workbook"}
        )


class SafeCellTestCase(SimpleTestCase):
    def test_strings_starting_a_formula_are_quoted(self):
        for text in ("=1+1", "+84901234567", "-5", "@SUM(A1)", "\t=1", "\r=1", FORMULA):
            with self.subTest(text=text):
                self.assertEqual(safe_cell(text), "'" + text)

    def test_everything_else_is_left_as_it_is(self):
        for value in ("a=b", "BN1", "", " =1", "'=1", "Phường An Hòa", -5, -1.5, 0, None, True):
            with self.subTest(value=value):
                self.assertEqual(safe_cell(value), value)
        self.assertIsInstance(safe_cell(-5), int)
        self.assertEqual(safe_cell(dt.date(2021, 9, 23)), dt.date(2021, 9, 23))


class WorkbookCellsTestCase(SimpleTestCase):
    def written(self, *values) -> list:
        book = Book(streaming=True)
        book.sheet("s").append(values)
        return list(load_workbook(io.BytesIO(book.content())).active.iter_rows())[0]

    def test_texts_stay_texts_and_numbers_stay_numbers(self):
        cells = self.written("=1+1", "#N/A", "tên\x01", -5, dt.date(2021, 9, 23))
        self.assertEqual([c.value for c in cells[:4]], ["'=1+1", "#N/A", "tên\ufffd", -5])
        self.assertEqual([c.data_type for c in cells[:4]], ["s", "s", "s", "n"])
        self.assertEqual(cells[4].number_format, "DD/MM/YYYY")
