"""Benchmark: Rt of 10,000 areas × 365 days in one call, beside EpiEstim (target ≥ 100×).

Scenario (seeded): 10,000 areas, each with its own epidemic wave over 365 days, Poisson
local cases and a few imported ones; a parametric serial interval (mean 4.7, sd 2.9
days, COVID-19) and EpiEstim's defaults (weekly sliding windows, prior mean 5, sd 5).

- ``rt.estimate_r_parametric`` on the whole 10,000 × 365 matrix: one call, every window
  of every area, with the posterior mean, sd and seven quantiles (best of 3 runs, and
  the first run);
- EpiEstim's ``estimate_R`` area by area in R, in the same run on the same machine
  (``Rscript bench/bench_rt_epiestim.R``) on a subset of areas, its time extrapolated
  linearly to 10,000 areas; its results are compared with the subset's rows of the
  one call (every output to 1e-8 relative).

Run from the repository root: ``.venv/bin/python bench/bench_rt.py [--subset 50]
[--append]``; ``--append`` adds the figures to bench/RESULTS.md as a new section.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import scipy

from bench.common import ROOT, Timer, machine, say
from vungxanh.domain import rt

SEED = 20210923
AREAS = 10_000
DAYS = 365
SI_MEAN = 4.7
SI_SD = 2.9
TARGET_SPEEDUP = 100.0
RTOL = 1e-8
COLUMNS = ("mean", "std", "q025", "q05", "q25", "median", "q75", "q95", "q975")


def make_incidence(n_areas: int, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Return seeded (local, imported) counts: one wave per area, of its own size."""
    rng = np.random.default_rng(SEED)
    peak = rng.integers(30, n_days - 30, n_areas)
    height = rng.gamma(1.2, 20.0, n_areas)
    width = rng.uniform(15, 60, n_areas)
    day = np.arange(n_days)
    rate = height[:, None] * np.exp(-(((day[None, :] - peak[:, None]) / width[:, None]) ** 2))
    local = rng.poisson(rate + 0.05).astype(np.float64)
    imported = rng.poisson(rate / 40 + 0.01).astype(np.float64)
    return local, imported


def versions() -> dict[str, str]:
    found = {"scipy": scipy.__version__, "R": "not installed", "EpiEstim": "not installed"}
    if shutil.which("Rscript"):
        done = subprocess.run(["Rscript", "--version"], capture_output=True, text=True)
        found["R"] = (done.stdout or done.stderr).strip().splitlines()[0]
        done = subprocess.run(
            ["Rscript", "-e", 'cat(as.character(packageVersion("EpiEstim")))'],
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            found["EpiEstim"] = done.stdout.strip()
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if os.environ.get(key):
            found[key] = os.environ[key]
    return found


def run_epiestim(local, imported, subset: np.ndarray, workdir: Path) -> tuple[float, list, str]:
    """Return EpiEstim's seconds on the subset, its rows and its version."""
    source = workdir / "in.csv"
    output = workdir / "out.csv"
    with open(source, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["area", "t", "local", "imported"])
        for area in subset:
            for t in range(local.shape[1]):
                writer.writerow([f"a{area}", t + 1, int(local[area, t]), int(imported[area, t])])
    script = ROOT / "bench" / "bench_rt_epiestim.R"
    done = subprocess.run(
        ["Rscript", str(script), str(source), str(output), str(SI_MEAN), str(SI_SD)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench_rt_epiestim.R failed:\n{done.stderr}")
    seconds, version = None, "?"
    for line in done.stdout.splitlines():
        if line.startswith("EPIESTIM-SECONDS"):
            seconds = float(line.split()[1])
        if line.startswith("EPIESTIM-VERSION"):
            version = line.split()[1]
    with open(output, newline="") as f:
        rows = list(csv.DictReader(f))
    return seconds, rows, version


def compare(estimate: rt.RtEstimate, subset: np.ndarray, rows: list) -> tuple[float, int]:
    """Return the largest relative difference with EpiEstim and the number of values."""
    n_windows = estimate.t_start.size
    ours = {
        "mean": estimate.mean,
        "std": estimate.std,
        **{name: estimate.quantiles[p] for name, p in zip(COLUMNS[2:], rt.QUANTILES, strict=True)},
    }
    if len(rows) != subset.size * n_windows:
        raise SystemExit(f"EpiEstim wrote {len(rows)} rows, expected {subset.size * n_windows}")
    worst, compared = 0.0, 0
    for k, row in enumerate(rows):
        area, window = subset[k // n_windows], k % n_windows
        if row["area"] != f"a{area}" or int(row["t_start"]) != estimate.t_start[window]:
            raise SystemExit(f"row {k}: EpiEstim's windows differ")
        if int(row["t_end"]) != estimate.t_end[window]:
            raise SystemExit(f"row {k}: EpiEstim's windows differ")
        for name in COLUMNS:
            theirs = row[name]
            mine = ours[name][area, window]
            if theirs == "NA":
                if not np.isnan(mine):
                    raise SystemExit(f"row {k} {name}: EpiEstim NA, here {mine}")
                continue
            value = float(theirs)
            worst = max(worst, abs(mine - value) / abs(value))
            compared += 1
    return worst, compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=50, help="areas run in EpiEstim (50)")
    parser.add_argument("--areas", type=int, default=AREAS)
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()

    print("Rt benchmark: one vectorised call against EpiEstim's estimate_R area by area")
    info = {**machine(), **versions()}
    for key, value in info.items():
        print(f"  {key:18} {value}")

    with Timer() as made:
        local, imported = make_incidence(args.areas, DAYS)
    say(
        f"{args.areas:,} areas × {DAYS} days made in {made.seconds:.2f} s "
        f"({int(local.sum() + imported.sum()):,} cases)"
    )

    runs = []
    for _ in range(3):
        with Timer() as timer:
            estimate = rt.estimate_r_parametric(local, imported, SI_MEAN, SI_SD)
        runs.append(timer.seconds)
    ours = min(runs)
    n_windows = estimate.t_start.size
    say(
        f"vungxanh estimate_r: {args.areas:,} areas × {n_windows} windows in {ours:.2f} s "
        f"(best of 3; first {runs[0]:.2f} s)"
    )

    figures = {
        "areas": args.areas,
        "days": DAYS,
        "windows": n_windows,
        "ours_s": ours,
        "ours_first_s": runs[0],
    }
    if shutil.which("Rscript"):
        rng = np.random.default_rng(SEED + 1)
        subset = np.sort(rng.choice(args.areas, size=min(args.subset, args.areas), replace=False))
        workdir = Path(tempfile.mkdtemp(prefix="vx-bench-rt-"))
        try:
            seconds, rows, version = run_epiestim(local, imported, subset, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        per_area = seconds / subset.size
        extrapolated = per_area * args.areas
        worst, compared = compare(estimate, subset, rows)
        speedup = extrapolated / ours
        first_speedup = extrapolated / runs[0]
        say(
            f"EpiEstim {version} estimate_R: {subset.size} areas in {seconds:.2f} s "
            f"({per_area * 1000:.1f} ms per area) → {extrapolated:,.0f} s for {args.areas:,} "
            "areas (extrapolated)"
        )
        say(f"identical results: {compared:,} values, largest relative difference {worst:.1e}")
        verdict = "met" if first_speedup >= TARGET_SPEEDUP and worst <= RTOL else "NOT met"
        say(
            f"speed-up {speedup:,.0f}× ({first_speedup:,.0f}× on the first run; "
            f"target ≥ {TARGET_SPEEDUP:.0f}×: {verdict})"
        )
        figures.update(
            subset=subset.size,
            epiestim_s=seconds,
            per_area_ms=per_area * 1000,
            extrapolated_s=extrapolated,
            speedup=speedup,
            first_speedup=first_speedup,
            worst=worst,
            compared=compared,
            verdict=verdict,
        )
    else:
        say("Rscript not found: EpiEstim leg skipped (apt-get install r-cran-epiestim)")

    if args.append:
        append_results(info, figures)


def append_results(info: dict[str, str], figures: dict) -> None:
    lines = [
        "",
        f"## Rt: estimate_r against EpiEstim ({dt.date.today().isoformat()})",
        "",
        "`.venv/bin/python bench/bench_rt.py --append` — "
        f"{figures['areas']:,} areas × {figures['days']} days, weekly windows "
        f"({figures['windows']} per area), parametric SI mean {SI_MEAN} sd {SI_SD}, prior 5/5.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in info.items()),
        "",
        "| what | figure |",
        "|---|---|",
        f"| vungxanh `estimate_r`, one call, all areas | {figures['ours_s']:.2f} s "
        f"(best of 3; first run {figures['ours_first_s']:.2f} s) |",
    ]
    if "epiestim_s" in figures:
        lines += [
            f"| EpiEstim `estimate_R`, {figures['subset']} areas one by one | "
            f"{figures['epiestim_s']:.2f} s ({figures['per_area_ms']:.1f} ms per area) |",
            f"| EpiEstim extrapolated to {figures['areas']:,} areas | "
            f"{figures['extrapolated_s']:,.0f} s |",
            f"| speed-up | {figures['speedup']:,.0f}× ({figures['first_speedup']:,.0f}× against "
            f"the first run; target ≥ 100×: {figures['verdict']}) |",
            f"| agreement on the subset | {figures['compared']:,} values, largest relative "
            f"difference {figures['worst']:.1e} |",
        ]
    with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    say("appended to bench/RESULTS.md")


if __name__ == "__main__":
    main()
