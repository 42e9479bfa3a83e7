"""Loading a `kvlab run` folder (format: experiments/runner/RESULTS.md) into pandas.

Used by make_report.py and notebooks/explore_results.ipynb. Every loader is
tolerant: a missing, empty or half-written file (an interrupted run) gives an
empty frame and a line in `Run.missing` that says what is missing, never an
exception.
"""
import glob
import json
import math
import os
import re

import pandas as pd

OPS = ["all", "read", "update", "insert", "scan", "rmw", "delete"]
IDENTITY = ["engine", "engine_name", "workload", "phase", "device", "threads",
            "target_ops_per_sec"]

# Student-t 0.975 quantiles by degrees of freedom (scipy is optional).
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
         9: 2.262, 10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 25: 2.060, 30: 2.042}


def t975(df):
    """The 0.975 quantile of Student's t with `df` degrees of freedom."""
    if df <= 0:
        return 0.0
    try:
        from scipy import stats  # pylint: disable=import-outside-toplevel
        return float(stats.t.ppf(0.975, df))
    except ImportError:
        for k in sorted(_T975, reverse=True):
            if df >= k:
                return _T975[k] if df <= 30 else 1.96
        return _T975[1]


class Run:
    """One run folder: meta, summary (rep rows + aggregates), timeline, histograms."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.missing = []  # Human-readable lines: what is missing or partial.
        self.meta = self._load_meta()
        self.summary = self._load_summary()
        self.timeline = self._load_timeline()
        self.hgrm_files = sorted(glob.glob(os.path.join(self.path, "hgrm", "*.hgrm")))
        if not self.hgrm_files:
            self.missing.append("hgrm/: no latency histograms (.hgrm), so no latency CDF")
        self.aggregates = self._aggregates()
        self._check_complete()

    # --- loaders ---

    def _load_meta(self):
        p = os.path.join(self.path, "meta.json")
        try:
            with open(p) as f:
                meta = json.load(f)
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
            return meta
        except FileNotFoundError:
            self.missing.append("meta.json is missing: run facts (git, CPU, device) unknown")
        except (OSError, ValueError) as e:
            self.missing.append(f"meta.json is unreadable ({e}): run facts unknown")
        return {}

    def _load_summary(self):
        p = os.path.join(self.path, "summary.csv")
        try:
            df = pd.read_csv(p)
        except FileNotFoundError:
            self.missing.append("summary.csv is missing: no finished cell, so no bars or table")
            return pd.DataFrame()
        except (OSError, ValueError, pd.errors.ParserError) as e:
            self.missing.append(f"summary.csv is unreadable ({e})")
            return pd.DataFrame()
        needed = {"row", "engine", "workload", "phase"}
        if not needed.issubset(df.columns):
            self.missing.append("summary.csv lacks columns " +
                                ", ".join(sorted(needed - set(df.columns))))
            return pd.DataFrame()
        for c in df.columns:
            if c not in ("row", "cell", "engine", "engine_name", "workload", "phase",
                         "device") and not c.startswith("m."):
                df[c] = pd.to_numeric(df[c], errors="coerce")
        for c in ("engine", "workload", "phase"):
            df[c] = df[c].astype(str)
        for c in df.columns:
            if c.startswith("m."):
                df[c] = df[c].fillna("").astype(str)
        return df

    def _load_timeline(self):
        p = os.path.join(self.path, "timeline.jsonl")
        records, bad = [], 0
        try:
            with open(p) as f:
                for line in f:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        records.append(json.loads(line))
                    except ValueError:
                        bad += 1
        except FileNotFoundError:
            self.missing.append("timeline.jsonl is missing: no plots over time")
            return pd.DataFrame()
        except OSError as e:
            self.missing.append(f"timeline.jsonl is unreadable ({e})")
            return pd.DataFrame()
        if bad:
            self.missing.append(f"timeline.jsonl: {bad} unreadable line(s) skipped "
                                "(a half-written last line after an interrupt?)")
        if not records:
            self.missing.append("timeline.jsonl holds no intervals: no plots over time")
            return pd.DataFrame()
        df = pd.json_normalize(records, sep=".")
        if "matrix.threads" in df.columns:
            df["threads"] = df["matrix.threads"]
        # The same names as summary.csv: m.<key> for every matrix key but threads and rate.
        for c in list(df.columns):
            if c.startswith("matrix.") and c not in ("matrix.threads",
                                                     "matrix.target_ops_per_sec"):
                df["m." + c[len("matrix."):]] = df[c].astype(str)
        return df

    # --- derived ---

    def rep_rows(self):
        if self.summary.empty:
            return self.summary
        return self.summary[self.summary["row"] == "rep"]

    def _aggregates(self):
        """mean and ci95 per (identity) group: the runner's rows when present, else computed."""
        s = self.summary
        if s.empty:
            return pd.DataFrame()
        keys = [k for k in IDENTITY if k in s.columns] + sorted(
            c for c in s.columns if c.startswith("m."))
        mean = s[s["row"] == "mean"]
        ci = s[s["row"] == "ci95"]
        if not mean.empty:
            merged = mean.merge(ci, on=keys, how="left", suffixes=("", "_ci95"))
            return merged.reset_index(drop=True)
        reps = self.rep_rows()
        if reps.empty:
            return pd.DataFrame()
        self.missing.append("summary.csv has no mean/ci95 rows (interrupted run?): "
                            "computed here from the repetition rows")
        numeric = [c for c in reps.columns if c not in keys and c not in ("row", "cell")
                   and pd.api.types.is_numeric_dtype(reps[c])]
        rows = []
        for group, g in reps.groupby(keys, dropna=False):
            row = dict(zip(keys, group if isinstance(group, tuple) else (group,)))
            n = len(g)
            row["repetition"] = n
            for c in numeric:
                v = g[c].dropna()
                row[c] = v.mean() if len(v) else math.nan
                row[c + "_ci95"] = (t975(len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v))
                                    if len(v) > 1 else 0.0)
            rows.append(row)
        return pd.DataFrame(rows)

    def _check_complete(self):
        m = self.meta
        if m and not m.get("complete", False):
            why = "interrupted (Ctrl-C)" if m.get("interrupted") else "not complete"
            done, planned = m.get("cells_done", "?"), m.get("cells_planned", "?")
            self.missing.append(f"the run is {why}: {done} of {planned} cells done, "
                                f"{m.get('cells_failed', 0)} failed")
            for e in m.get("errors", []) or []:
                self.missing.append(f"failed cell: {e}")
        if not self.summary.empty and "complete" in self.summary.columns:
            bad = self.rep_rows()
            bad = bad[bad["complete"] == 0]
            for cell in bad.get("cell", []):
                self.missing.append(f"cell {cell} did not run to its end (complete = 0)")

    def engines(self):
        """Engine ids in a stable order (first appearance), for consistent colours."""
        seen = []
        for frame in (self.summary, self.timeline):
            if not frame.empty and "engine" in frame.columns:
                for e in frame["engine"].astype(str):
                    if e not in seen:
                        seen.append(e)
        return seen

    def hgrm(self, cell, op="all"):
        """The percentile table of one cell and op, or None if there is none."""
        p = os.path.join(self.path, "hgrm", f"{cell}.{op}.hgrm")
        return read_hgrm(p) if os.path.exists(p) else None


_HGRM_ROW = re.compile(r"^\s*([0-9.eE+-]+)\s+([0-9.eE+-]+)\s+([0-9]+)(\s+[0-9.eE+-]+|\s+inf)?\s*$")


def read_hgrm(path):
    """HdrHistogram percentile text -> DataFrame(value_us, percentile, count); empty if bad."""
    rows = []
    try:
        with open(path) as f:
            for line in f:
                m = _HGRM_ROW.match(line)
                if m:
                    rows.append((float(m.group(1)), float(m.group(2)), int(m.group(3))))
    except OSError:
        pass
    return pd.DataFrame(rows, columns=["value_us", "percentile", "count"])


def varying_matrix(frame):
    """The matrix columns (threads, m.*) that take more than one value in `frame`."""
    cols = [c for c in frame.columns if c == "threads" or c.startswith("m.")]
    return [c for c in cols if frame[c].nunique(dropna=True) > 1]


def matrix_label(column, value):
    """A short label of one matrix value: '2 thr', 'field_len=1024'."""
    if column == "threads":
        try:
            return f"{int(float(value))} thr"
        except (TypeError, ValueError):
            return f"{value} thr"
    key = column.split(".")[-1]
    text = str(value)
    m = re.search(r"value:\s*([-0-9.eE+]+)", text)  # {dist: constant, value: N} -> N
    if m:
        text = m.group(1)
    return f"{key}={text[:20]}"


def group_label(workload, phase, extra=""):
    """The x label of a (workload, phase) group: 'ycsb-a' for run, 'ycsb-a load' for load."""
    label = workload if phase == "run" else f"{workload} {phase}"
    return f"{label}\n{extra}" if extra else label
