#!/usr/bin/python3
"""Writes the small synthetic run folder in tests/report/testdata/ (format:
experiments/runner/RESULTS.md). Run it again only when RESULTS.md changes; the
output is committed so that tests need nothing but the files.

usage: make_fixture.py OUT_DIR
"""
import csv
import json
import math
import os
import random
import sys

ENGINES = [("mem", "memory"), ("cask", "bitcask")]
SERIES = [("ycsb-a", "load", {"insert": 1.0}), ("ycsb-a", "run", {"read": 0.5, "update": 0.5}),
          ("ycsb-c", "run", {"read": 1.0})]
REPS = 2
INTERVALS = 3
OPS = ["all", "read", "update", "insert", "scan", "rmw", "delete"]


def percentile_ticks():
    """HdrHistogram's percentile iterator with 5 ticks per half distance."""
    ps, level = [0.0], 0
    while level < 12:
        lo, hi = 1 - 0.5 ** level, 1 - 0.5 ** (level + 1)
        ps += [lo + (hi - lo) * i / 5 for i in range(1, 6)]
        level += 1
    return ps


def hgrm(samples):
    samples = sorted(samples)
    n = len(samples)
    lines = ["       Value     Percentile TotalCount 1/(1-Percentile)", ""]
    for p in percentile_ticks():
        count = max(1, math.ceil(p * n))
        if count >= n:
            break
        lines.append("%12.3f %2.12f %10d %14.2f" % (samples[count - 1], p, count, 1 / (1 - p)))
    lines.append("%12.3f %2.12f %10d" % (samples[-1], 1.0, n))
    mean = sum(samples) / n
    sd = math.sqrt(sum((s - mean) ** 2 for s in samples) / n)
    lines.append("#[Mean    = %12.3f, StdDeviation   = %12.3f]" % (mean, sd))
    lines.append("#[Max     = %12.3f, Total count    = %12d]" % (samples[-1], n))
    lines.append("#[Buckets = %12d, SubBuckets     = %12d]" % (37, 2048))
    return "\n".join(lines) + "\n"


def stats(samples):
    s = sorted(samples)
    pick = lambda p: s[min(len(s) - 1, max(0, math.ceil(p * len(s)) - 1))]
    return {"count": len(s), "mean": round(sum(s) / len(s), 3), "p50": pick(.5), "p90": pick(.9),
            "p99": pick(.99), "p999": pick(.999), "max": s[-1]}


def aggregate_rows(rows, columns):
    """The runner's mean and ci95 rows (Student-t, n = REPS)."""
    t975 = {1: 12.706, 2: 4.303, 3: 3.182}
    out = []
    keys = sorted({(r["engine"], r["workload"], r["phase"]) for r in rows})
    for key in keys:
        group = [r for r in rows if (r["engine"], r["workload"], r["phase"]) == key]
        mean = {"row": "mean", "cell": ""}
        ci = {"row": "ci95", "cell": ""}
        for c in ["engine", "engine_name", "workload", "phase", "device", "threads",
                  "target_ops_per_sec"]:
            mean[c] = ci[c] = group[0][c]
        mean["repetition"] = ci["repetition"] = len(group)
        for c in columns[columns.index("ops"):]:
            vals = [float(r[c]) for r in group if r.get(c, "") != ""]
            if not vals:
                continue
            m = sum(vals) / len(vals)
            sd = math.sqrt(sum((v - m) ** 2 for v in vals) / (len(vals) - 1)) if len(vals) > 1 else 0
            mean[c] = "%.6g" % m
            ci[c] = "%.6g" % (t975.get(len(vals) - 1, 2.0) * sd / math.sqrt(len(vals)))
        out += [mean, ci]
    return out


def main(out):
    rnd = random.Random(7)
    os.makedirs(os.path.join(out, "hgrm"), exist_ok=True)
    columns = ["row", "cell", "engine", "engine_name", "workload", "phase", "device", "threads",
               "target_ops_per_sec", "repetition", "seed", "ops", "errors", "duration_s",
               "throughput_ops_s"]
    for op in OPS:
        columns += [f"{op}_{m}" for m in ["count", "mean_us", "p50_us", "p90_us", "p99_us",
                                           "p999_us", "max_us"]]
    columns += ["user_bytes_written", "user_bytes_read", "device_bytes_written",
                "device_bytes_read", "device_reads", "device_writes", "device_syncs",
                "write_amp", "read_amp", "space_amp", "space_bytes", "live_bytes", "complete",
                "engine.merges"]
    rows, timeline = [], []
    for engine, engine_name in ENGINES:
        speed = 2.0 if engine == "mem" else 1.0
        for workload, phase, mix in SERIES:
            for rep in range(REPS):
                cell = f"{engine}__{workload}__{phase}__threads=1__r{rep}"
                lat = {op: [round(rnd.lognormvariate(math.log(3 / speed), 0.5), 3)
                            for _ in range(int(400 * w))] for op, w in mix.items()}
                lat["all"] = sum(lat.values(), [])
                ops = len(lat["all"])
                duration = ops * 3e-6 / speed * rnd.uniform(0.9, 1.1)
                uw = 1100 * (lat.get("insert", []).__len__() + len(lat.get("update", [])))
                ur = 1100 * len(lat.get("read", []))
                wa = 0 if engine == "mem" else 1.05 + rnd.uniform(0, .1)
                row = {"row": "rep", "cell": cell, "engine": engine, "engine_name": engine_name,
                       "workload": workload, "phase": phase, "device": "posix", "threads": 1,
                       "target_ops_per_sec": 0, "repetition": rep, "seed": 1000 + rep,
                       "ops": ops, "errors": 0, "duration_s": "%.6g" % duration,
                       "throughput_ops_s": "%.6g" % (ops / duration),
                       "user_bytes_written": uw, "user_bytes_read": ur,
                       "device_bytes_written": int(uw * wa), "device_bytes_read": 0,
                       "device_reads": 0, "device_writes": ops, "device_syncs": 0,
                       "write_amp": "%.6g" % wa if uw else "", "read_amp": "0" if ur else "",
                       "space_amp": "" if engine == "mem" else "%.6g" % (1.2 + rnd.uniform(0, .2)),
                       "space_bytes": "" if engine == "mem" else 600000,
                       "live_bytes": "" if engine == "mem" else 500000, "complete": 1,
                       "engine.merges": "" if engine == "mem" else rep}
                for op in OPS:
                    if op in lat:
                        s = stats(lat[op])
                        for k, v in s.items():
                            row[f"{op}_{k}" if k == "count" else f"{op}_{k}_us"] = v
                        with open(os.path.join(out, "hgrm", f"{cell}.{op}.hgrm"), "w") as f:
                            f.write(hgrm(lat[op]))
                rows.append(row)
                for i in range(INTERVALS):
                    part = lat["all"][i::INTERVALS]
                    t0, t1 = duration * i / INTERVALS, duration * (i + 1) / INTERVALS
                    timeline.append({
                        "cell": cell, "engine": engine, "workload": workload, "phase": phase,
                        "device": "posix", "repetition": rep, "matrix": {"threads": 1},
                        "interval": i, "t_start_s": t0, "t_end_s": t1, "ops": len(part),
                        "errors": 0, "throughput_ops_s": len(part) / (t1 - t0),
                        "latency_us": {"all": stats(part)},
                        "user_bytes_written": uw * (i + 1) // INTERVALS,
                        "user_bytes_read": ur * (i + 1) // INTERVALS,
                        "device_bytes_written": int(uw * wa) * (i + 1) // INTERVALS,
                        "device_bytes_read": 0, "write_amp": wa if uw else None,
                        "read_amp": 0 if ur else None, "space_bytes": None, "live_bytes": None,
                        "space_amp": None})
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, restval="")
        w.writeheader()
        for r in rows:
            w.writerow(r)
        for r in aggregate_rows(rows, columns):
            w.writerow(r)
    with open(os.path.join(out, "timeline.jsonl"), "w") as f:
        for t in timeline:
            f.write(json.dumps(t) + "\n")
    meta = {"name": "fixture", "experiment_file": "/nowhere/fixture.yaml",
            "command_line": "kvlab run fixture.yaml", "seed": 42, "git_revision": "0" * 40,
            "git_dirty": False, "compiler": "gcc 12.2.0", "cpu_model": "Synthetic CPU",
            "cpu_count": 2, "kernel": "Linux 6.1", "hostname": "fixture",
            "device": {"kind": "posix", "dir": "", "fault_profile": "none", "op_cost_ns": 0,
                       "filesystem": "ext4"},
            "start_utc": "2025-01-01T00:00:00Z", "end_utc": "2025-01-01T00:00:10Z",
            "complete": True, "interrupted": False, "cells_planned": len(rows),
            "cells_done": len(rows), "cells_failed": 0, "errors": [],
            "latency_origin": "service",
            "histogram": {"lowest_ns": 1, "highest_ns": 86400000000000, "significant_digits": 3}}
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    with open(os.path.join(out, "config.resolved.yaml"), "w") as f:
        f.write("kvlab: experiment/v1\nname: fixture\n")


if __name__ == "__main__":
    main(sys.argv[1])
