"""Paper-ready figures of a kvlab run (see kvlab_results.Run).

Style: Okabe-Ito colour-blind-safe palette, one colour per engine for the whole
report (by first appearance), 8 pt fonts, no top/right spines, light y grid
only, sizes for a single column (3.5 in) or a full page width (7 in). Each
function returns a matplotlib Figure, or None when the run has no data for it
(the caller says so in the report).
"""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import (FixedLocator, FuncFormatter, LogLocator, MaxNLocator,  # noqa: E402
                               NullFormatter, NullLocator)

from kvlab_results import group_label, matrix_label, varying_matrix  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every
# common colour-vision deficiency, and in greyscale by lightness ordering.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "--", "++"]
COLUMN_IN = 3.5
PAGE_IN = 7.0

STYLE = {
    "font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "xtick.labelsize": 7,
    "ytick.labelsize": 7, "legend.fontsize": 7, "legend.frameon": False,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "axes.grid.axis": "y", "grid.color": "#dddddd", "grid.linewidth": 0.5,
    "axes.axisbelow": True, "lines.linewidth": 1.2, "savefig.dpi": 300,
    "savefig.bbox": "tight", "svg.fonttype": "none", "pdf.fonttype": 42,
    "figure.dpi": 100,
}


def apply_style():
    plt.rcParams.update(STYLE)


def engine_colours(engines):
    return {e: OKABE_ITO[i % len(OKABE_ITO)] for i, e in enumerate(engines)}


def _groups(agg):
    """Ordered (workload, phase, varying matrix values...) groups of a frame."""
    cols = ["workload", "phase"] + varying_matrix(agg)
    seen = []
    for _, r in agg.iterrows():
        key = tuple(r[c] for c in cols)
        if key not in seen:
            seen.append(key)
    return cols, seen


def _label(cols, key, one_workload=False):
    """The label of a group; with one_workload, the workload name is left out (the
    caller puts it in the axis label) so that many matrix points stay readable."""
    d = dict(zip(cols, key))
    extra = ", ".join(matrix_label(c, d[c]) for c in cols[2:])
    if one_workload:
        return f"{d.get('phase', 'run')}\n{extra}" if extra else d.get("phase", "run")
    return group_label(d.get("workload", "?"), d.get("phase", "run"), extra)


def _log_y(ax):
    """A log y axis labelled with plain numbers: 1, 2, 5 x 10^k over a narrow range,
    powers of ten over a wide one. Call after plotting (it reads the data limits)."""
    ax.set_yscale("log")
    low, high = ax.get_ylim()
    decades = math.log10(high / low) if low > 0 and high > low else 1.0
    subs = (1.0, 2.0, 5.0) if decades <= 2.5 else (1.0,)
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs, numticks=12))
    ax.yaxis.set_minor_locator(LogLocator(base=10, subs=tuple(range(2, 10)), numticks=12))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _note(fig, text):
    """A small grey note under the figure (saved with bbox 'tight', so it is kept)."""
    fig.text(0.99, -0.01, text, ha="right", va="top", fontsize=6, color="#555555")


def _isnan(x):
    return isinstance(x, float) and math.isnan(x)


def grouped_bars(run, metric, ylabel, title, width_in=PAGE_IN, scale=1.0, ax=None):
    """Bars of `metric` (mean) per group x engine, 95% CI error bars when n > 1."""
    agg = run.aggregates
    if agg.empty or metric not in agg.columns or agg[metric].notna().sum() == 0:
        return None
    agg = agg[agg[metric].notna()]
    engines = [e for e in run.engines() if e in set(agg["engine"])]
    colours = engine_colours(run.engines())
    cols, groups = _groups(agg)
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(width_in, 2.4))
    n = max(1, len(engines))
    bar_w = 0.8 / n
    x = np.arange(len(groups))
    for i, e in enumerate(engines):
        heights, errs = [], []
        for key in groups:
            sel = agg[(agg["engine"] == e)]
            for c, v in zip(cols, key):
                sel = sel[sel[c] == v]
            h = sel[metric].iloc[0] if len(sel) else np.nan
            err = sel[metric + "_ci95"].iloc[0] if len(sel) and metric + "_ci95" in sel else 0
            heights.append(h * scale)
            errs.append(0 if _isnan(err) else err * scale)
        with_ci = any(e > 0 for e in errs)  # No error bars at all with one repetition.
        ax.bar(x - 0.4 + bar_w * (i + 0.5), heights, bar_w * 0.92,
               yerr=errs if with_ci else None,
               color=colours[e], hatch=HATCHES[i % len(HATCHES)], edgecolor="white",
               linewidth=0.3, label=e, error_kw={"elinewidth": 0.8, "capsize": 2})
    workloads = sorted({k[0] for k in groups})
    ax.set_xticks(x)
    ax.set_xticklabels([_label(cols, k, len(workloads) == 1) for k in groups])
    if len(groups) > 6:
        ax.tick_params(axis="x", labelsize=6)
    if len(workloads) == 1:
        ax.set_xlabel(f"workload {workloads[0]}: phase, matrix point")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.legend(ncol=min(4, n), loc="upper left", bbox_to_anchor=(0, 1.18) if fig else (0, 1))
    return fig or ax.figure


def throughput_bars(run):
    fig = grouped_bars(run, "throughput_ops_s", "Throughput (kops/s)", None, scale=1e-3)
    if fig is not None:
        _note_ci(fig, run)
    return fig


def _note_ci(fig, run):
    agg = run.aggregates
    n = int(agg["repetition"].max()) if "repetition" in agg and agg["repetition"].notna().any() \
        else 1
    text = f"mean of {n} repetitions, 95% CI (Student-t)" if n > 1 else "1 repetition: no CI"
    _note(fig, text)


def amplification_bars(run):
    kinds = [("write_amp", "Write amp."), ("read_amp", "Read amp."), ("space_amp", "Space amp.")]
    agg = run.aggregates
    present = [(k, l) for k, l in kinds
               if not agg.empty and k in agg.columns and agg[k].notna().any()]
    if not present:
        return None
    fig, axes = plt.subplots(len(present), 1, figsize=(PAGE_IN, 1.9 * len(present)),
                             squeeze=False)
    for ax, (k, label) in zip(axes[:, 0], present):
        grouped_bars(run, k, f"{label} (×)", None, ax=ax)
        ax.axhline(1.0, color="#888888", linewidth=0.6, linestyle=":")
        if ax is not axes[0, 0]:
            ax.get_legend().remove()
        else:
            ax.legend(ncol=4, loc="lower left", bbox_to_anchor=(0, 1.02))
    fig.tight_layout()
    _note_ci(fig, run)
    return fig


def _series(run):
    """Timeline groups (workload, phase, varying matrix values), in order of appearance:
    [(title, frame)]."""
    tl = run.timeline
    cols, groups = _groups(tl)
    out = []
    for key in groups:
        sel = tl
        for c, v in zip(cols, key):
            sel = sel[sel[c] == v]
        out.append((_label(cols, key).replace("\n", ", "), sel))
    return out


def _grid(n):
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(PAGE_IN, 1.9 * rows + 0.4), squeeze=False,
                             sharey=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def throughput_over_time(run):
    tl = run.timeline
    if tl.empty or "throughput_ops_s" not in tl.columns:
        return None
    colours = engine_colours(run.engines())
    series = _series(run)
    fig, axes = _grid(len(series))
    for ax, (title, sub) in zip(axes, series):
        for (e, cell), c in sub.groupby(["engine", "cell"], sort=False):
            rep = int(c["repetition"].iloc[0]) if "repetition" in c else 0
            ax.plot(c["t_end_s"], c["throughput_ops_s"] / 1e3, color=colours[e],
                    alpha=1.0 if rep == 0 else 0.35, label=e if rep == 0 else None,
                    marker="o", markersize=2)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.set_title(title)
        ax.set_xlabel("Time (s)")
        ax.set_ylabel("Throughput (kops/s)")
        ax.set_ylim(bottom=0)
    _figure_legend(fig, axes, "faint lines: other repetitions")
    return fig


def latency_over_time(run, op="all"):
    tl = run.timeline
    p50, p99 = f"latency_us.{op}.p50", f"latency_us.{op}.p99"
    if tl.empty or p50 not in tl.columns:
        return None
    colours = engine_colours(run.engines())
    series = _series(run)
    fig, axes = _grid(len(series))
    for ax, (title, sub) in zip(axes, series):
        if "repetition" in sub:
            sub = sub[sub["repetition"] == sub["repetition"].min()]
        for e, c in sub.groupby("engine", sort=False):
            ax.plot(c["t_end_s"], c[p50], color=colours[e], label=f"{e} p50")
            if p99 in c:
                ax.plot(c["t_end_s"], c[p99], color=colours[e], linestyle="--",
                        label=f"{e} p99")
        _log_y(ax)
        ax.grid(True, which="major", axis="y")
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.set_title(title)
        ax.set_xlabel("Time (s)")
        ax.set_ylabel(f"Latency, {op} ops (µs)")
    _figure_legend(fig, axes, "solid: p50, dashed: p99; first repetition")
    return fig


def _cells_for_cdf(run, op):
    """title -> [(engine, cell)] for the first repetition of each group with a .hgrm."""
    out = {}
    reps = run.rep_rows()
    if reps.empty or "cell" not in reps.columns:
        return out
    first = reps["repetition"].min() if "repetition" in reps else 0
    cols, _ = _groups(reps)
    for _, r in reps.iterrows():
        if "repetition" in reps and r["repetition"] != first:
            continue
        if run.hgrm(r["cell"], op) is None:
            continue
        title = _label(cols, tuple(r[c] for c in cols)).replace("\n", ", ")
        out.setdefault(title, []).append((r["engine"], r["cell"]))
    return out


def latency_cdf(run, op="all"):
    """Percentile spectrum (HdrHistogram style): latency vs percentile on a 1/(1-p) axis."""
    groups = _cells_for_cdf(run, op)
    if not groups:
        return None
    colours = engine_colours(run.engines())
    fig, axes = _grid(len(groups))
    ticks = [0.0, 0.9, 0.99, 0.999, 0.9999, 0.99999]
    for ax, (title, cells) in zip(axes, groups.items()):
        top = 0.9
        for e, cell in cells:
            h = run.hgrm(cell, op)
            h = h[h["percentile"] < 1.0]
            if h.empty:
                continue
            x = 1.0 / (1.0 - h["percentile"])
            ax.plot(x, h["value_us"], color=colours[e], label=e, drawstyle="steps-post")
            top = max(top, h["percentile"].max())
        ax.set_xscale("log")
        _log_y(ax)
        shown = [t for t in ticks if t <= max(0.99, top)]
        ax.xaxis.set_major_locator(FixedLocator([1 / (1 - t) for t in shown]))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _: f"{100 * (1 - 1 / v):.4g}" if v > 1 else "0"))
        ax.grid(True, which="major", axis="both")
        ax.set_title(title)
        ax.set_xlabel("Percentile (%)")
        ax.set_ylabel(f"Latency, {op} ops (µs)")
    _figure_legend(fig, axes, "first repetition; from hgrm/*.hgrm")
    return fig


def _figure_legend(fig, axes, note):
    handles, labels, seen = [], [], set()
    for ax in axes:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in seen:
                seen.add(l)
                handles.append(h)
                labels.append(l)
    fig.tight_layout(rect=(0, 0, 1, 0.90))
    fig.legend(handles, labels, loc="upper center", ncol=min(6, max(1, len(labels))),
               bbox_to_anchor=(0.5, 1.0))
    _note(fig, note)
