"""``vungxanh activities``: the matrix cell of a VSIC code at a level, offline, no Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vungxanh import activitiescli, cli, riskcli

SHIPPED = Path(activitiescli.__file__).resolve().parent / "economy" / "activities"


def run(*argv: str) -> int:
    return activitiescli.main(list(argv))


def test_a_cell_prints_group_status_conditions_flag_and_source(capsys):
    assert run("--rules", "vn-nq128-activities", "--vsic", "56101", "--level", "4") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("vn-nq128-activities (version 1): Hoạt động được phép")
    assert lines[1] == (
        "VSIC 56101: Nhà hàng, quán ăn, hàng ăn uống "
        "(trừ cửa hàng ăn uống thuộc chuỗi cửa hàng ăn nhanh)"
    )
    assert lines[2].startswith("Group: Nhà hàng, quán ăn, quán giải khát (restaurants: ")
    assert lines[2].endswith("; matched 56")
    assert lines[3] == "Level: 4 (Cấp 4) [vn-4800-2021]"
    assert lines[4] == "Status: limited (hạn chế)"
    assert lines[5] == "Conditions: Hạn chế; thường chỉ bán mang về — UBND tỉnh quy định."
    assert lines[6].startswith("Verified: yes: [V] row 7 Cấp 4")
    assert lines[7].startswith("Source: Nghị quyết 128/NQ-CP ngày 11/10/2021")
    assert lines[7].endswith("(2021-10-11) [vn-nq128-activities]")
    assert lines[8].strip().startswith("https://")


def test_an_unverified_cell_says_so_with_what_is_unknown(capsys):
    assert run("--rules", "vn-nq128-activities", "--vsic", "96310", "--level", "3") == 0
    out = capsys.readouterr().out
    assert "Status: suspended (tạm dừng)" in out
    assert "Verified: NO (UNVERIFIED): [P] row 9 Cấp 3" in out


def test_a_derived_cell_prints_its_terms_and_the_provinces_source(capsys):
    assert run("--rules", "vn-nq128-activities-hanoi", "--vsic", "5610", "--level", "2") == 0
    out = capsys.readouterr().out
    assert "Terms: tối đa 50% công suất; đóng cửa trước 21:00" in out
    assert "Source: UBND TP. Hà Nội: Kế hoạch 243/KH-UBND" in out
    assert "[vn-nq128-activities-hanoi]" in out
    assert "EXAMPLE" in out


def test_the_green_zone_levels(capsys):
    assert run("--rules", "cantho-2021-09-green-zone", "--vsic", "47112", "--level", "green") == 0
    out = capsys.readouterr().out
    assert "Level: green (Vùng xanh) [vn-green-zone-14d]" in out
    assert "Terms: tối đa 10 người cùng lúc" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("--rules", "nope", "--vsic", "56", "--level", "1"),
            "error: --rules nope: no such activity matrix; known: cantho-2021-09-green-zone, ",
        ),
        (
            ("--rules", "vn-nq128-activities", "--vsic", "9999", "--level", "1"),
            "error: --vsic 9999: '9999' is not a VSIC 2018 code",
        ),
        (
            ("--rules", "vn-nq128-activities", "--vsic", "1110", "--level", "1"),
            "did you mean 01110?",
        ),
        (
            ("--rules", "vn-nq128-activities", "--vsic", "5610", "--level", "5"),
            "error: --level 5: not a level of vn-nq128-activities; "
            "levels: 1 (Cấp 1), 2 (Cấp 2), 3 (Cấp 3), 4 (Cấp 4)",
        ),
        (("--vsic", "56"), "error: --rules, --level required"),
        (
            ("--rules-dir", "/no/such/dir", "list"),
            "error: --rules-dir /no/such/dir: no such folder",
        ),
    ],
)
def test_bad_arguments_are_named_without_a_traceback(capsys, argv, message):
    assert run(*argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_list_shows_every_activity_file(capsys):
    assert run("list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "id",
        "version",
        "derives_from",
        "levels",
        "unverified",
        "status",
        "title",
    ]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == {p.stem for p in SHIPPED.glob("*.toml")}
    assert rows["vn-nq128-activities"][1:6] == [
        "1",
        "-",
        "vn-4800-2021:1,2,3,4",
        "36/72",
        "unverified",
    ]
    assert rows["vn-nq128-activities-hanoi"][2] == "vn-nq128-activities"


def test_rules_list_of_kind_activities_lists_them_in_the_catalogue(capsys):
    assert riskcli.main(["rules", "list", "--kind", "activities"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert {row[1] for row in rows} == {p.stem for p in SHIPPED.glob("*.toml")}
    assert all(row[0] == "activities" for row in rows)
    nq128 = next(row for row in rows if row[1] == "vn-nq128-activities")
    assert nq128[2:8] == ["1", "2021-10-11", "–", "…", "36", "unverified"]


PROVINCE = """\
id = "vn-nq128-activities-tinh-x"
derives_from = "vn-nq128-activities"
title = "Province X"

[source]
document = "Quyết định của UBND tỉnh X"

[cells.restaurants]
4 = { status = "suspended", verified = false, note = "[U] example" }
"""


def test_a_provinces_folder_derives_from_a_shipped_file(tmp_path, capsys):
    (tmp_path / "vn-nq128-activities-tinh-x.toml").write_text(PROVINCE, encoding="utf-8")
    argv = ["--rules-dir", str(tmp_path), "--rules", "vn-nq128-activities-tinh-x"]
    assert run(*argv, "--vsic", "56101", "--level", "4") == 0
    out = capsys.readouterr().out
    assert "Status: suspended" in out and "Source: Quyết định của UBND tỉnh X [" in out
    assert run(*argv, "--vsic", "56101", "--level", "3") == 0
    assert "Source: Nghị quyết 128/NQ-CP" in capsys.readouterr().out
    assert run("--rules-dir", str(tmp_path), "list") == 0
    assert "vn-nq128-activities-tinh-x" in capsys.readouterr().out


def test_a_broken_file_is_reported_as_file_line_key(tmp_path, capsys):
    broken = PROVINCE.replace('verified = false, note = "[U] example"', "verified = false")
    (tmp_path / "vn-nq128-activities-tinh-x.toml").write_text(broken, encoding="utf-8")
    argv = ["--rules-dir", str(tmp_path), "--rules", "vn-nq128-activities-tinh-x"]
    assert run(*argv, "--vsic", "56101", "--level", "4") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: vn-nq128-activities-tinh-x.toml:9: cells.restaurants.4.note: ")
    assert "Traceback" not in err
    assert run("--rules-dir", str(tmp_path), "list") == 2
    assert "cells.restaurants.4.note" in capsys.readouterr().err


def test_the_vungxanh_command_dispatches_without_django():
    code = (
        "import sys\n"
        "from vungxanh import cli\n"
        "try:\n"
        "    cli.main(['vungxanh', 'activities', '--rules', 'vn-nq128-activities',"
        " '--vsic', '01110', '--level', '2'])\n"
        "except SystemExit as exit_:\n"
        "    print('exit', exit_.code)\n"
        "print('django loaded' if any(m.startswith('django') for m in sys.modules) else 'no django')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=SHIPPED.parents[2],
    )
    assert "Status: allowed" in result.stdout
    assert result.stdout.splitlines()[-2:] == ["exit 0", "no django"]


def test_cli_main_exits_with_the_code(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["vungxanh", "activities", "--rules", "nope", "--vsic", "56", "--level", "1"])
    assert exit_.value.code == 2
    assert "--rules nope" in capsys.readouterr().err


def test_check_validates_a_provinces_file(tmp_path, capsys):
    path = tmp_path / "vn-nq128-activities-tinh-x.toml"
    path.write_text(PROVINCE, encoding="utf-8")
    assert run("check", str(path)) == 0
    assert capsys.readouterr().out == (
        "vn-nq128-activities-tinh-x.toml: OK: vn-nq128-activities-tinh-x, "
        "18 groups × 4 levels, 37 unverified cells\n"
    )
    path.write_text(PROVINCE.replace("[cells.restaurants]", "[cells.pubs]"), encoding="utf-8")
    assert run("check", str(path)) == 2
    assert "vn-nq128-activities-tinh-x.toml:8: cells.pubs: unknown group 'pubs'" in (
        capsys.readouterr().err
    )
    assert run("check", str(tmp_path / "nope.toml")) == 2
    assert "nope.toml: no such file" in capsys.readouterr().err
    assert run("check") == 2
    assert "check needs the path of a .toml file" in capsys.readouterr().err
