"""The offline rule-set CLI: rules list/show/check and assess, without Django or a database."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from vungxanh import cli, riskcli

VN_HEADER = "area,date,cases_per_100k_week,vacc_1dose_18plus_pct,vacc_full_elderly_pct,capacity_met,previous_level"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run(*argv: str) -> int:
    return riskcli.main(list(argv))


# -- rules list / show / check -------------------------------------------------------------


def test_rules_list_shows_every_rule_file_of_every_app_with_its_kind(capsys):
    assert run("rules", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "kind",
        "id",
        "version",
        "effective",
        "unverified",
        "status",
        "title",
    ]
    package = Path(riskcli.__file__).parent
    folders = {
        "levels": riskcli.RULES_DIR,
        "lift": package / "lockdowns" / "rules",
        "activities": package / "economy" / "activities",
        "workplace": package / "permits" / "workplace",
        "inputs": package / "risk" / "feeds",
        "disease": package / "surveillance" / "diseases",
    }
    expected = {(kind, p.stem) for kind, folder in folders.items() for p in folder.glob("*.toml")}
    assert {tuple(line.split()[:2]) for line in lines[1:]} == expected
    assert len(lines) == 1 + len(expected)
    row = next(line for line in lines if line.split()[:2] == ["levels", "vn-4800-2021"])
    assert "2021-10-11 – 2022-01-26" in row
    assert row.split()[6:8] == ["6", "unverified"]  # unverified cells, status
    assert "Level assessment under Resolution 128/NQ-CP" in row
    disease = next(line for line in lines if line.startswith("disease"))
    assert disease.split()[1:6] == ["covid-19", "1", "-", "0", "verified"]


def test_rules_list_of_one_kind_lists_the_lockdown_lift_rules(capsys):
    assert run("rules", "list", "--kind", "lift") == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert {(r[0], r[1]) for r in rows} == {
        ("lift", "vn-lockdown-14d"),
        ("lift", "vn-lockdown-14d-3r"),
    }
    by_id = {r[1]: r for r in rows}
    assert by_id["vn-lockdown-14d"][4:6] == ["3", "unverified"]
    assert by_id["vn-lockdown-14d"][-1] == "(default)"  # the rule a new zone gets
    assert by_id["vn-lockdown-14d-3r"][-1] != "(default)"


def test_rules_list_of_a_kind_without_files_says_so(capsys):
    assert run("rules", "list", "--kind", "support") == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["kind  id  version  effective  unverified  status  title"]
    assert "no rule files of kind support yet" in captured.err
    assert run("rules", "list", "--kind", "nonsense") == 2
    assert "invalid choice: 'nonsense'" in capsys.readouterr().err


def test_rules_list_of_the_indicator_sources_counts_their_judgements(capsys):
    assert run("rules", "list", "--kind", "inputs") == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[:6] == ["inputs", "vn-indicator-inputs", "1", "-", "3", "unverified"]


def test_rules_show_dumps_source_levels_and_flags(capsys):
    assert run("rules", "show", "vn-4800-2021") == 0
    out = capsys.readouterr().out
    for text in (
        "Legal source: Quyết định 4800/QĐ-BYT",
        "Effective: 2021-10-11 – 2022-01-26",
        "1  Cấp 1  [key 1]",
        "cases_per_100k_week: ca cộng đồng/100.000 dân/tuần",
        "tc1 on cases_per_100k_week (1: < 20; 2: 20 – < 50; 3: 50 – < 150; 4: ≥ 150) [verified]",
        "tc2 ≥ 70 × tc1 ≥ 150 → Cấp 3 [verified] HCMC 15/10/2021",
        "tc2 < 70 × tc1 < 20 → Cấp 1 [UNVERIFIED] [U] possibly 2",
        "treatment capacity not met (no downgrade): not below previous_level",
        "Timing: raise after 1 day(s), effective 2 later",
    ):
        assert text in out, text


def test_rules_show_of_rules_and_children_scales(capsys):
    assert run("rules", "show", "vn-2686-2021") == 0
    out = capsys.readouterr().out
    assert "Scale district: children" in out
    assert "when: share(nguy_co_rat_cao) >= 0.3 and children_scattered == 1" in out
    assert "[UNVERIFIED] [U] the district 'Nguy cơ' row was not found" in out


def test_rules_show_of_max_of_bands(capsys):
    assert run("rules", "show", "de-ifsg-28b-2021") == 0
    out = capsys.readouterr().out
    assert "max of: incidence: ≤ 100 → ≤ 100, > 100 – ≤ 150 → > 100" in out
    assert "lower after 5 working day(s), effective 2 later" in out


def test_an_unknown_rule_set_lists_the_known_ones(capsys):
    assert run("rules", "show", "vn-4800") == 2
    err = capsys.readouterr().err
    assert "unknown rule set 'vn-4800'; known: de-ifsg-28b-2021, " in err
    assert "vn-green-zone-14d" in err


def test_rules_check_accepts_a_shipped_file(capsys):
    assert run("rules", "check", str(riskcli.RULES_DIR / "eu-2022-107.toml")) == 0
    assert (
        "eu-2022-107.toml: OK: eu-2022-107, 6 levels, 1 unverified cells" in capsys.readouterr().out
    )


def test_rules_check_prints_file_line_key_and_message(tmp_path, capsys):
    text = (riskcli.RULES_DIR / "harvard-ghi-2020.toml").read_text(encoding="utf-8")
    bad = text.replace("edges = [1, 10, 25]", "edges = [1, 25, 10]")
    path = write(tmp_path / "harvard-ghi-2020.toml", bad)
    assert run("rules", "check", str(path)) == 2
    line = bad[: bad.index("edges = [1, 25")].count("\n") + 1
    err = capsys.readouterr().err.strip()
    assert (
        err == f"harvard-ghi-2020.toml:{line}: bands.incidence.edges: must be strictly increasing"
    )


def test_rules_check_wants_the_file_named_after_its_id(tmp_path, capsys):
    text = (riskcli.RULES_DIR / "harvard-ghi-2020.toml").read_text(encoding="utf-8")
    assert run("rules", "check", str(write(tmp_path / "harvard.toml", text))) == 2
    assert "name the file harvard-ghi-2020.toml" in capsys.readouterr().err


def test_rules_check_of_a_missing_file(capsys):
    assert run("rules", "check", "/nonexistent/x.toml") == 2
    assert capsys.readouterr().err == "error: /nonexistent/x.toml: no such file\n"


# -- a province's own folder --------------------------------------------------------------------

PROVINCE_FILE = """\
id = "vn-4800-2021-tinh-x"
parent = "vn-4800-2021"
title = "Tỉnh X: TC2 at 75 %"
verified = false

[bands.tc2]
edges = [75]
verified = false
note = "provincial decision (test)"
"""


def test_a_provinces_folder_derives_from_a_shipped_parent(tmp_path, capsys):
    folder = tmp_path / "province"
    folder.mkdir()
    write(folder / "vn-4800-2021-tinh-x.toml", PROVINCE_FILE)
    assert run("rules", "list", "--rules-dir", str(folder)) == 0
    assert "vn-4800-2021-tinh-x" in capsys.readouterr().out
    assert run("rules", "check", str(folder / "vn-4800-2021-tinh-x.toml")) == 0
    source = write(tmp_path / "in.csv", VN_HEADER + "\nXã A,,60,72,90,có,\n")
    out = tmp_path / "out.csv"
    args = [
        "assess",
        "--rules",
        "vn-4800-2021-tinh-x",
        "--input",
        str(source),
        "--output",
        str(out),
    ]
    assert run(*args, "--rules-dir", str(folder)) == 0
    assert read(out)[0]["level"] == "Cấp 3"  # 72 % is below the province's 75 %
    assert (
        run("assess", "--rules", "vn-4800-2021", "--input", str(source), "--output", str(out)) == 0
    )
    assert read(out)[0]["level"] == "Cấp 2"


def test_a_broken_province_file_is_reported_by_list(tmp_path, capsys):
    folder = tmp_path / "province"
    folder.mkdir()
    write(folder / "broken.toml", 'id = "broken"\nparent = "nowhere"\n')
    assert run("rules", "list", "--rules-dir", str(folder)) == 2
    captured = capsys.readouterr()
    assert "vn-4800-2021" in captured.out
    assert "error: broken.toml:2: parent: no rule set 'nowhere'" in captured.err


def test_an_unknown_rules_dir(capsys):
    assert run("rules", "list", "--rules-dir", "/nonexistent") == 2
    assert "no such folder" in capsys.readouterr().err


# -- assess --------------------------------------------------------------------------------------


def test_assess_writes_level_rank_and_explanations(tmp_path, capsys):
    source = write(
        tmp_path / "in.csv",
        VN_HEADER
        + "\n"
        + "\n".join(
            [
                'Phường X,2021-11-01,"8,3",96,85,có,',
                "Xã Y,2021-11-01,155.6,98,75,,",
                "Xã W,2021-11-01,20,90,,không,2",
                "Xã V,2021-11-01,,90,,,",
            ]
        )
        + "\n",
    )
    out = tmp_path / "out.csv"
    assert (
        run("assess", "--rules", "vn-4800-2021", "--input", str(source), "--output", str(out)) == 0
    )
    rows = read(out)
    assert list(rows[0]) == [
        *VN_HEADER.split(","),
        "level",
        "level_rank",
        "explanation",
        "explanation_en",
    ]
    assert [(r["area"], r["level"], r["level_rank"]) for r in rows] == [
        ("Phường X", "Cấp 1", "1"),
        ("Xã Y", "Cấp 4", "4"),
        ("Xã W", "Cấp 2", "2"),
        ("Xã V", "Chưa đủ số liệu", "0"),
    ]
    assert rows[0]["cases_per_100k_week"] == "8,3"  # the input is repeated as written
    assert rows[1]["explanation"].startswith("Cấp 4 – nguy cơ rất cao vì 155,6 ca cộng đồng")
    assert "nâng 1 cấp" in rows[1]["explanation"]
    assert "may not be lowered" in rows[2]["explanation_en"]
    assert "4 rows assessed with vn-4800-2021" in capsys.readouterr().out


def test_assess_warns_about_rows_outside_the_effective_dates(tmp_path, capsys):
    source = write(tmp_path / "in.csv", VN_HEADER + "\nXã A,01/03/2022,10,90,90,có,\n")
    args = [
        "assess",
        "--rules",
        "vn-4800-2021",
        "--input",
        str(source),
        "--output",
        str(tmp_path / "o.csv"),
    ]
    assert run(*args) == 0
    assert "1 row(s) are dated outside it (first: row 2)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("table", "rules_id", "message"),
    [
        (
            "area,cases_per_100k_week\nA,10\n",
            "vn-4800-2021",
            "missing input column(s) vacc_1dose_18plus_pct, vacc_full_elderly_pct, capacity_met, previous_level",
        ),
        ("name,cases_per_100k_7d\nA,10\n", "us-cdc-community-2022", "no column 'area'"),
        (
            VN_HEADER + "\nA,,12x,90,90,có,\n",
            "vn-4800-2021",
            "row 2, column cases_per_100k_week: '12x' is not a number",
        ),
        (
            VN_HEADER + "\nA,,12,90,90,có,\nB,,12,90,90,có,7\n",
            "vn-4800-2021",
            "row 3, column previous_level: '7' is not a level rank (1, 2, 3, 4)",
        ),
        (
            VN_HEADER + "\nA,,12,90,90,maybe,\n",
            "vn-4800-2021",
            "row 2, column capacity_met: 'maybe' is not a number",
        ),
        (
            VN_HEADER + "\nA,31/02/2021,12,90,90,có,\n",
            "vn-4800-2021",
            "row 2, column date: '31/02/2021' is not a date",
        ),
        (
            VN_HEADER + ",level\nA,,12,90,90,có,,x\n",
            "vn-4800-2021",
            "column 'level' is written by the assessment",
        ),
        ("", "vn-4800-2021", "empty file"),
        ("area,x\nA,1\n", "vn-4900", "unknown rule set 'vn-4900'; known: "),
    ],
)
def test_assess_refuses_bad_input_clearly(tmp_path, capsys, table, rules_id, message):
    source = write(tmp_path / "in.csv", table)
    code = run(
        "assess", "--rules", rules_id, "--input", str(source), "--output", str(tmp_path / "o.csv")
    )
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_assess_of_a_missing_input_file(tmp_path, capsys):
    code = run(
        "assess",
        "--rules",
        "vn-4800-2021",
        "--input",
        str(tmp_path / "no.csv"),
        "--output",
        str(tmp_path / "o.csv"),
    )
    assert code == 2 and "no.csv: no such file" in capsys.readouterr().err


def test_assess_reads_semicolons_and_a_byte_order_mark(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes("\ufeffarea;cases_per_100k_7d;positivity_pct\nA;9,99;10\nB;;\n".encode())
    out = tmp_path / "out.csv"
    assert (
        run(
            "assess",
            "--rules",
            "us-cdc-transmission-2021",
            "--input",
            str(source),
            "--output",
            str(out),
        )
        == 0
    )
    assert [(r["level"], r["level_rank"]) for r in read(out)] == [("High", "4"), ("N/A", "0")]


def test_assess_eu_sentinel_and_grey_rank(tmp_path):
    source = write(
        tmp_path / "in.csv",
        "area,notification_rate_14d,vaccine_uptake_pct,testing_rate_7d\nBE1,100,60,1000\nBE2,100,999999,1000\nBE3,100,60,500\n",
    )
    out = tmp_path / "out.csv"
    assert (
        run("assess", "--rules", "eu-2022-107", "--input", str(source), "--output", str(out)) == 0
    )
    assert [(r["level"], r["level_rank"]) for r in read(out)] == [
        ("Orange", "2"),
        ("Grey", "0"),
        ("Dark Grey", "0"),
    ]


def test_assess_a_district_from_its_communes(tmp_path):
    header = "area,children_binh_thuong_moi,children_nguy_co,children_nguy_co_cao,children_nguy_co_rat_cao,children_scattered,hard_source_spread_over_50pct,hard_source_spread_over_20pct,key_iz_adjacent_uncontrolled"
    source = write(tmp_path / "in.csv", header + "\nHuyện H,7,6,7,0,có,không,không,không\n")
    out = tmp_path / "out.csv"
    args = ["assess", "--rules", "vn-2686-2021", "--scale", "district"]
    assert run(*args, "--input", str(source), "--output", str(out)) == 0
    row = read(out)[0]
    assert (row["level"], row["level_rank"]) == ("Nguy cơ cao", "3")
    assert "35% đơn vị cấp dưới ở mức Nguy cơ cao (cam) trở lên" in row["explanation"]


def test_assess_a_district_needs_the_children_counts(tmp_path, capsys):
    source = write(tmp_path / "in.csv", "area,children_scattered\nH,có\n")
    args = ["assess", "--rules", "vn-2686-2021", "--scale", "district"]
    assert run(*args, "--input", str(source), "--output", str(tmp_path / "o.csv")) == 2
    assert "children_binh_thuong_moi" in capsys.readouterr().err
    assert (
        run(
            "assess",
            "--rules",
            "vn-2686-2021",
            "--scale",
            "country",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "o.csv"),
        )
        == 2
    )
    assert "scale 'country' is not one of commune, district, province" in capsys.readouterr().err


def test_assess_with_timing_gives_the_decided_level(tmp_path):
    rows = ["area,date,days_since_community_case"]
    for day in range(14, 22):  # 14/9 … 21/9/2021, last case on 2/9
        rows.append(f"Phường A,2021-09-{day:02d},{day - 2}")
    source = write(tmp_path / "in.csv", "\n".join(rows) + "\n")
    out = tmp_path / "out.csv"
    args = ["assess", "--rules", "vn-green-zone-14d", "--timing"]
    assert run(*args, "--input", str(source), "--output", str(out)) == 0
    got = {r["date"]: r for r in read(out)}
    assert got["2021-09-17"]["level"] == "Chưa là vùng xanh"
    assert got["2021-09-17"]["computed_level"] == "Vùng xanh"
    assert "theo quy tắc thời gian" in got["2021-09-17"]["explanation"]
    assert (got["2021-09-18"]["level"], got["2021-09-18"]["level_rank"]) == ("Vùng xanh", "1")


def test_assess_with_timing_needs_consecutive_days(tmp_path, capsys):
    source = write(
        tmp_path / "in.csv", "area,date,incidence_7d\nA,2021-05-03,120\nA,2021-05-05,130\n"
    )
    args = ["assess", "--rules", "de-ifsg-28b-2021", "--timing", "--input", str(source)]
    assert run(*args, "--output", str(tmp_path / "o.csv")) == 2
    assert "goes from 2021-05-03 to 2021-05-05" in capsys.readouterr().err


def test_assess_with_timing_and_a_holiday(tmp_path):
    rows = ["area,date,incidence_7d", "K,2021-05-09,120"]
    rows += [f"K,2021-05-{d:02d},80" for d in range(10, 20)]
    source = write(tmp_path / "in.csv", "\n".join(rows) + "\n")
    out = tmp_path / "out.csv"
    base = [
        "assess",
        "--rules",
        "de-ifsg-28b-2021",
        "--timing",
        "--input",
        str(source),
        "--output",
        str(out),
    ]
    assert run(*base, "--holiday", "2021-05-13") == 0
    lifted = [r["date"] for r in read(out) if r["level"] == "≤ 100"]
    assert lifted[0] == "2021-05-17"


def test_usage_errors_return_2(capsys):
    assert run("assess", "--rules", "x") == 2
    assert "required" in capsys.readouterr().err
    assert run("frobnicate") == 2


# -- the vungxanh command --------------------------------------------------------------------------


def test_the_vungxanh_command_dispatches_before_django(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["vungxanh", "rules", "show", "harvard-ghi-2020"])
    assert exit_.value.code == 0
    assert "harvard-ghi-2020 (version 1)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        cli.main(["vungxanh", "rules", "show", "nope"])
    assert exit_.value.code == 2


def test_the_catalogue_lists_the_workplace_files():
    from vungxanh.domain import workplace
    from vungxanh.riskcli import catalogue_rows, folders

    rows, broken = catalogue_rows(folders(None), "workplace")
    assert broken == []
    assert {r.id for r in rows} == {"vn-2194-2020", "hcmc-2021-index"}
    assert all(r.status == "unverified" for r in rows)
    assert workplace.WORKPLACE_DIR.is_dir()
