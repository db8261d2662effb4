"""``vungxanh rt``: EpiEstim's fixtures through the command line, and its refusals."""

import csv
import math
import subprocess
import sys
from pathlib import Path

import pytest

from vungxanh import rtcli

FIXTURES = Path(__file__).resolve().parents[1] / "domain" / "tests" / "fixtures" / "epiestim"
RTOL = 1e-8


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def sliding_length(case: dict[str, str]) -> int | None:
    """Return the window length if the case's windows are sliding ones, else None."""
    if case["windows"] == "weekly":
        return 7
    windows = read_csv(FIXTURES / f"{case['case']}.windows.csv")
    starts = [int(float(w["t_start"])) for w in windows]
    lengths = {int(float(w["t_end"])) - int(float(w["t_start"])) + 1 for w in windows}
    if len(lengths) == 1 and starts == list(range(2, 2 + len(starts))):
        return lengths.pop()
    return None


CASES = [case for case in read_csv(FIXTURES / "cases.csv") if sliding_length(case) is not None]


def arguments(case: dict[str, str], output: Path) -> list[str]:
    argv = ["--input", str(FIXTURES / f"{case['data']}.csv"), "--output", str(output)]
    if case["method"] == "parametric_si":
        argv += ["--si-mean", case["mean_si"], "--si-sd", case["std_si"]]
    else:
        argv += ["--si-distr", str(FIXTURES / f"{case['si_distr']}.si.csv")]
    argv += ["--window", str(sliding_length(case))]
    argv += ["--prior-mean", case["mean_prior"], "--prior-sd", case["std_prior"]]
    return argv


def same_number(got: str, want: str) -> bool:
    if want == "NA" or got == "NA":
        return got == want
    return math.isclose(float(got), float(want), rel_tol=RTOL, abs_tol=0.0)


def test_the_round_trips_cover_both_serial_intervals_and_imported_cases():
    assert {c["method"] for c in CASES} == {"parametric_si", "non_parametric_si"}
    assert {"flu2009", "sars2003", "mers2014", "sparse"} <= {c["data"] for c in CASES}
    assert any(sliding_length(c) == 14 for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_it_writes_what_epiestim_computes(case, tmp_path, capsys):
    output = tmp_path / "out.csv"
    assert rtcli.main(arguments(case, output)) == 0
    got = read_csv(output)
    want = read_csv(FIXTURES / f"{case['case']}.expected.csv")
    assert list(got[0]) == list(rtcli.OUTPUT_COLUMNS)
    assert len(got) == len(want)
    for got_row, want_row in zip(got, want, strict=True):
        assert got_row["area"] == want_row["area"]
        assert int(got_row["t_start"]) == int(float(want_row["t_start"]))
        assert int(got_row["t_end"]) == int(float(want_row["t_end"]))
        for column in rtcli.OUTPUT_COLUMNS[3:]:
            assert same_number(got_row[column], want_row[column]), (got_row, column)
    warned = {row["code"] for row in read_csv(FIXTURES / f"{case['case']}.warnings.csv")}
    err = capsys.readouterr().err
    assert ("too early in the epidemic" in err) == ("too_early" in warned)
    assert ("incid$local[1] is >0" in err) == ("local_first_day" in warned)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path, incidence: str, *extra: str) -> tuple[int, list[dict[str, str]]]:
    source = write(tmp_path / "in.csv", incidence)
    output = tmp_path / "out.csv"
    code = rtcli.main(["--input", str(source), "--output", str(output), *extra])
    return code, read_csv(output) if output.exists() else []


SI = ("--si-mean", "3", "--si-sd", "1.5")


def test_missing_days_are_days_without_a_case(tmp_path):
    full = "area,t,local\n" + "".join(
        f"a,2021-09-{day:02},{cases}\n"
        for day, cases in zip(range(1, 15), [1, 0, 3, 0, 5] * 2 + [1, 0, 3, 2], strict=True)
    )
    sparse = "area,t,local\n" + "".join(
        line + "\n" for line in full.splitlines()[1:] if not line.endswith(",0")
    )
    _, with_zeros = run(tmp_path, full, *SI)
    _, without = run(tmp_path, sparse, *SI)
    assert with_zeros == without
    assert with_zeros[0]["t_start"] == "2" and with_zeros[-1]["t_end"] == "14"


def test_day_one_is_the_first_day_of_the_file(tmp_path):
    rows = "".join(f"a,{t},{t % 4}\n" for t in range(5, 25))
    code, shifted = run(tmp_path, "area,t,local\n" + rows, *SI)
    assert code == 0
    assert (shifted[0]["t_start"], shifted[0]["t_end"]) == ("2", "8")
    rows = "".join(f"a,{t - 4},{t % 4}\n" for t in range(5, 25))
    _, from_one = run(tmp_path, "area,t,local\n" + rows, *SI)
    assert shifted == from_one


def test_an_area_that_starts_late_has_leading_days_without_cases(tmp_path):
    rows = "".join(f"a,{t},3\n" for t in range(1, 21)) + "".join(
        f"b,{t},2\n" for t in range(11, 21)
    )
    code, result = run(tmp_path, "area,t,local\n" + rows, *SI)
    assert code == 0
    assert [r["area"] for r in result] == ["a"] * 13 + ["b"] * 13


def test_it_writes_to_standard_output(tmp_path, capsys):
    source = write(
        tmp_path / "in.csv", "area,t,local\n" + "".join(f"x,{t},2\n" for t in range(1, 11))
    )
    assert rtcli.main(["--input", str(source), "--output", "-", *SI]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ",".join(rtcli.OUTPUT_COLUMNS)
    assert len(out) == 1 + 3


INCIDENCE = "area,t,local\n" + "".join(f"a,{t},2\n" for t in range(1, 11))


@pytest.mark.parametrize(
    ("incidence", "extra", "message"),
    [
        ("", SI, "empty file"),
        ("area,day,local\na,1,2\n", SI, "unknown column"),
        ("area,t\na,1\n", SI, "no column 'local'"),
        ("area,t,local\n", SI, "no data row"),
        ("area,t,local\na,1,-2\n", SI, "row 2, column local"),
        ("area,t,local\na,1,two\n", SI, "row 2, column local"),
        ("area,t,local\na,1,nan\n", SI, "row 2, column local"),
        ("area,t,local\na,yesterday,2\n", SI, "row 2, column t"),
        ("area,t,local\na,2021-02-30,2\n", SI, "not a date"),
        ("area,t,local\na,1,2\na,2021-01-02,2\n", SI, "mixes dates"),
        ("area,t,local\na,1,2\na,1,3\n", SI, "already on row 2"),
        ("area,t,local\n,1,2\n", SI, "column area: empty"),
        ("area,t,local\na,1,2,3\n", SI, "4 cells"),
        ("area,t,local\na,1,2\na,5,2\n", SI, "need at least 8"),
        (INCIDENCE, (), "a serial interval is needed"),
        (INCIDENCE, ("--si-mean", "3"), "go together"),
        (INCIDENCE, ("--si-mean", "1", "--si-sd", "1"), "--si-mean must be > 1"),
        (INCIDENCE, ("--si-mean", "3", "--si-sd", "0"), "--si-sd must be > 0"),
        (INCIDENCE, (*SI, "--window", "0"), "at least 1 day"),
        (INCIDENCE, (*SI, "--window", "10"), "need at least 11"),
        (INCIDENCE, (*SI, "--prior-sd", "-1"), "must be > 0"),
        (INCIDENCE, (*SI, "--prior-mean", "inf"), "finite"),
        (INCIDENCE, ("--si-mean", "abc", "--si-sd", "1"), "invalid float"),
        (INCIDENCE, (*SI, "--si-distr", "si.csv"), "not both"),
    ],
)
def test_bad_input_gets_a_message_and_exit_code_2(tmp_path, capsys, incidence, extra, message):
    code, written = run(tmp_path, incidence, *extra)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert written == []


@pytest.mark.parametrize(
    ("si", "message"),
    [
        ("si\n0.2\n0.8\n", "si[0] = 0"),
        ("si\n0\n0.5\n", "sum to 1"),
        ("si\n0\nhalf\n0.5\n", "row 3, column si"),
        ("p\n0\n1\n", "one column, 'si'"),
        ("si\n", "no value"),
    ],
)
def test_a_bad_serial_interval_is_refused(tmp_path, capsys, si, message):
    path = write(tmp_path / "si.csv", si)
    code, _ = run(tmp_path, INCIDENCE, "--si-distr", str(path))
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_a_missing_input_file_is_a_message(tmp_path, capsys):
    code = rtcli.main(["--input", str(tmp_path / "none.csv"), "--output", "x.csv", *SI])
    assert code == 2
    assert "no such file" in capsys.readouterr().err


def test_an_unwritable_output_is_a_message(tmp_path, capsys):
    source = write(tmp_path / "in.csv", INCIDENCE)
    code = rtcli.main(["--input", str(source), "--output", str(tmp_path / "no" / "o.csv"), *SI])
    assert code == 2
    assert "cannot write" in capsys.readouterr().err


def test_the_vungxanh_command_runs_it_without_django(tmp_path):
    source = write(tmp_path / "in.csv", INCIDENCE)
    script = (
        "import sys\n"
        "from vungxanh.cli import main\n"
        "try:\n"
        f"    main(['vungxanh', 'rt', '--input', {str(source)!r}, '--output', '-',"
        " '--si-mean', '3', '--si-sd', '1.5'])\n"
        "except SystemExit as exit:\n"
        "    print('exit', exit.code, 'django' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.splitlines()[-1] == "exit 0 False"
    assert done.stdout.startswith("area,t_start,t_end")


def test_every_problem_is_reported_at_once_in_row_order(tmp_path, capsys):
    code, _ = run(tmp_path, "area,t,local\na,1,2\na,x,-1\na,1,4\nb,3,\n", *SI)
    lines = capsys.readouterr().err.splitlines()
    assert code == 2
    assert lines[0].endswith("4 problem(s):")
    assert [line.split(":")[0] for line in lines[1:]] == [
        "row 3, column t",
        "row 3, column local",
        "row 4",
        "row 5, column local",
    ]
    assert "already on row 2" in lines[3]


def test_area_names_with_commas_and_quotes_survive(tmp_path):
    rows = "".join(f'"Phường An Hòa, Ninh Kiều",{t},3\n' for t in range(1, 11))
    rows += "".join(f'"Cái ""Khế""",{t},1\n' for t in range(1, 11))
    code, result = run(tmp_path, "area,t,local\n" + rows, *SI)
    assert code == 0
    assert {row["area"] for row in result} == {"Phường An Hòa, Ninh Kiều", 'Cái "Khế"'}
