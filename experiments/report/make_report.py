#!/usr/bin/python3
"""make_report.py RUN_DIR: writes RUN_DIR/report.md and its figures (PNG + SVG).

Called by `kvlab run` at the end of every run (experiments/runner/RESULTS.md
describes the folder it reads). Needs Debian's python3-matplotlib and
python3-pandas. A run that is incomplete or partly missing still gets a report
that says what is missing; only a RUN_DIR that does not exist is an error
(exit status 2).
"""
import argparse
import datetime
import math
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kvlab_plots as plots  # noqa: E402
from kvlab_results import Run, group_label, matrix_label  # noqa: E402

FIGURES = [
    ("throughput", "Throughput per workload and engine", plots.throughput_bars),
    ("throughput_time", "Throughput over time", plots.throughput_over_time),
    ("latency_time", "Latency percentiles over time", plots.latency_over_time),
    ("latency_cdf", "Latency percentile distribution (CDF)", plots.latency_cdf),
    ("amplification", "Write, read and space amplification", plots.amplification_bars),
]


def fmt(x, digits=3):
    """A number for a table: `digits` significant digits, never in e-notation."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if x == 0:
        return "0"
    if abs(x) >= 10 ** (digits - 1):
        return f"{x:,.0f}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(x)))))
    return f"{x:.{min(decimals, 6)}f}"


def count(x):
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else str(int(x))


def mean_ci(row, col, scale=1.0, digits=3):
    v = row.get(col)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    ci = row.get(col + "_ci95")
    n = row.get("repetition", 1)
    text = fmt(v * scale, digits)
    if ci is not None and not (isinstance(ci, float) and math.isnan(ci)) and n and n > 1:
        decimals = len(text.split(".")[1]) if "." in text else 0
        text += f" ± {ci * scale:,.{decimals}f}"  # The CI to the precision of the mean.
    return text


def run_facts(run):
    m = run.meta
    dev = m.get("device", {}) or {}
    lines = [
        f"| experiment | `{m.get('name', '?')}` ({m.get('experiment_file', '?')}) |",
        f"| command | `{m.get('command_line', '?')}` |",
        f"| git | `{m.get('git_revision', '?')}`{' (dirty)' if m.get('git_dirty') else ''} |",
        f"| machine | {m.get('cpu_model', '?')}, {m.get('cpu_count', '?')} CPUs, "
        f"{m.get('kernel', '?')}, {m.get('compiler', '?')} |",
        f"| device | {dev.get('kind', '?')} {dev.get('dir', '')} "
        f"(filesystem {dev.get('filesystem', '?')}, faults {dev.get('fault_profile', '?')}) |",
        f"| time (UTC) | {m.get('start_utc', '?')} → {m.get('end_utc') or 'not finished'} |",
        f"| cells | {m.get('cells_done', '?')} done of {m.get('cells_planned', '?')}, "
        f"{m.get('cells_failed', '?')} failed; complete: {m.get('complete', '?')} |",
        f"| seed | {m.get('seed', '?')} |",
        f"| latency origin | {m.get('latency_origin', '?')} "
        "(service = call to return; intended = from the scheduled start, no coordinated "
        "omission) |",
    ]
    return ["| | |", "|---|---|"] + lines


def summary_table(run):
    agg = run.aggregates
    if agg.empty:
        return ["No finished cell: no summary table."]
    matrix_cols = [c for c in agg.columns if c == "threads" or
                   (c.startswith("m.") and not c.endswith("_ci95"))]
    out = ["| engine | workload | matrix | n | throughput (kops/s) | p50 (µs) | p99 (µs) | "
           "p99.9 (µs) | write amp | read amp | space amp |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for _, r in agg.iterrows():
        r = r.to_dict()
        point = ", ".join(matrix_label(c, r[c]) for c in matrix_cols
                          if r.get(c) is not None and str(r.get(c)) not in ("", "nan"))
        label = group_label(r.get("workload", "?"), r.get("phase", "run")).replace("\n", " ")
        out.append(
            f"| {r.get('engine')} | {label} | {point or '–'} | {count(r.get('repetition'))} | "
            f"{mean_ci(r, 'throughput_ops_s', 1e-3)} | {mean_ci(r, 'all_p50_us')} | "
            f"{mean_ci(r, 'all_p99_us')} | {mean_ci(r, 'all_p999_us')} | "
            f"{mean_ci(r, 'write_amp')} | {mean_ci(r, 'read_amp')} | "
            f"{mean_ci(r, 'space_amp')} |")
    out.append("")
    out.append("Mean ± half-width of the 95 % confidence interval (Student-t) over n "
               "repetitions; latency over all operation types; amplification = device bytes / "
               "user bytes (RESULTS.md §5). – = no data.")
    return out


def peer_notes(run):
    s = run.summary
    if s.empty or "engine_name" not in s.columns:
        return []
    names = set(s["engine_name"].dropna().astype(str))
    if not names & {"rocksdb", "leveldb"}:
        return []
    return ["", "Peers (rocksdb, leveldb) do their own file I/O; their device bytes are counted "
            "at their own file layer (experiments/peers/), the same layer as kvlab's "
            "CountingDevice, and their own counters appear as `engine.rocksdb.*` / "
            "`engine.leveldb.*` columns of summary.csv."]


def draw_figures(run, out_dir, formats):
    """Saves each figure as fig_<name>.<fmt>; returns (markdown lines, missing lines)."""
    plots.apply_style()
    md, missing = [], []
    for name, title, fn in FIGURES:
        try:
            fig = fn(run)
        except Exception as e:  # A figure that cannot be drawn is reported, never fatal.
            missing.append(f"figure '{title}' could not be drawn: {type(e).__name__}: {e}")
            if os.environ.get("KVLAB_REPORT_DEBUG"):
                traceback.print_exc()
            continue
        if fig is None:
            missing.append(f"figure '{title}': no data for it in this run")
            continue
        for f in formats:
            fig.savefig(os.path.join(out_dir, f"fig_{name}.{f}"))
        plots.plt.close(fig)
        md += [f"### {title}", "", f"![{title}](fig_{name}.png)", "",
               f"Vector: [fig_{name}.svg](fig_{name}.svg)", ""]
    return md, missing


def write_report(run_dir, formats=("png", "svg")):
    run = Run(run_dir)
    figures_md, figure_missing = draw_figures(run, run.path, formats)
    missing = run.missing + figure_missing
    name = run.meta.get("name", os.path.basename(os.path.dirname(run.path)) or "run")
    lines = [f"# kvlab report: {name}", "",
             f"Run folder `{run.path}`; report written "
             f"{datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S')} UTC by "
             "experiments/report/make_report.py.", ""]
    if missing:
        lines += ["## Missing or partial data", ""] + [f"- {m}" for m in missing] + [""]
    lines += ["## Run", ""] + run_facts(run) + [""]
    lines += ["## Summary", ""] + summary_table(run) + peer_notes(run) + [""]
    lines += ["## Figures", ""] + (figures_md or ["No figure could be drawn (see above)."])
    with open(os.path.join(run.path, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return run, missing


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", help="a run folder written by `kvlab run`")
    parser.add_argument("--formats", default="png,svg", help="figure formats (default png,svg)")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.run_dir):
        print(f"make_report: '{args.run_dir}' is not a directory (expected a run folder "
              "written by `kvlab run`)", file=sys.stderr)
        return 2
    try:
        run, missing = write_report(args.run_dir, tuple(args.formats.split(",")))
    except OSError as e:
        print(f"make_report: cannot write the report in '{args.run_dir}': {e}", file=sys.stderr)
        return 2
    print(f"report: {os.path.join(run.path, 'report.md')}"
          + (f" ({len(missing)} note(s) on missing data)" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
