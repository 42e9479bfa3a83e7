#!/usr/bin/env bash
# compare_db_bench.sh [--num N] [--reps R] [--dir DIR]: RocksDB's own db_bench
# against kvlab's `rocksdb` peer driven by `kvlab run`, same session, same
# machine, same settings: fillrandom then readrandom of N keys (16 B keys,
# 100 B values compressible to 0.5, snappy, 64 MiB memtable, 8 MiB block
# cache, 10 bloom bits, 1 thread). Prints ops/s side by side and the ratio;
# target: kvlab within ±15% of db_bench. A benchmark, not a test.
#
# Known differences (stated, not hidden): db_bench's fillrandom draws keys
# with replacement (~63% distinct), kvlab's load is a seeded permutation of all
# N keys; so db_bench's readrandom finds ~63% of its keys, kvlab's all of them.
# kvlab also records every latency in a histogram (db_bench does not by default).
# A third column, peer_bench, drives the same adapter directly with db_bench's
# key scheme (with replacement), so the adapter's cost and the runner's are
# told apart.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NUM=1000000
REPS=3
DIR="${TMPDIR:-/tmp}/kvlab_db_bench_compare"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --num) NUM="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "compare_db_bench: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

DB_BENCH="$(command -v db_bench || command -v rocksdb_db_bench || true)"
[[ -n "$DB_BENCH" ]] || { echo "compare_db_bench: db_bench not found: apt-get install rocksdb-tools" >&2; exit 2; }
KVLAB="$ROOT/bazel-bin/experiments/cli/kvlab"
PEER_BENCH="$ROOT/bazel-bin/experiments/peers/peer_bench"
(cd "$ROOT" && bazel build -c opt --noshow_progress //experiments/cli:kvlab \
  //experiments/peers:peer_bench >&2)
rm -rf "$DIR" && mkdir -p "$DIR"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for rep in $(seq 1 "$REPS"); do
  echo "== repetition $rep of $REPS: db_bench" >&2
  rm -rf "$DIR/db_bench"
  "$DB_BENCH" --benchmarks=fillrandom,readrandom --num="$NUM" --reads="$NUM" --key_size=16 \
    --value_size=100 --compression_ratio=0.5 --compression_type=snappy --bloom_bits=10 \
    --cache_size=8388608 --write_buffer_size=67108864 --max_background_jobs=2 \
    --block_size=4096 --threads=1 --statistics=false --histogram=false --seed=$((42 + rep)) \
    --db="$DIR/db_bench" > "$DIR/db_bench.$rep.txt" 2>&1
  awk '$1=="fillrandom" {print $5}' "$DIR/db_bench.$rep.txt" >> "$DIR/dbb_fill"
  awk '$1=="readrandom" {print $5}' "$DIR/db_bench.$rep.txt" >> "$DIR/dbb_read"
  grep -E '^(fillrandom|readrandom)' "$DIR/db_bench.$rep.txt" >&2

  echo "== repetition $rep of $REPS: peer_bench (the rocksdb adapter, no runner)" >&2
  rm -rf "$DIR/peer_bench"
  "$PEER_BENCH" --engine rocksdb --dir "$DIR/peer_bench" --num "$NUM" --key_size 16 \
    --value_size 100 --set write_buffer_size=64MiB --set block_cache_size=8MiB \
    --set bloom_bits_per_key=10 --set compression=snappy --set max_background_jobs=2 \
    --set block_size=4KiB --set statistics=false > "$DIR/peer_bench.$rep.txt" 2>&1
  awk '$1=="fillrandom" {print $3}' "$DIR/peer_bench.$rep.txt" >> "$DIR/adp_fill"
  awk '$1=="readrandom" {print $3}' "$DIR/peer_bench.$rep.txt" >> "$DIR/adp_read"
  cat "$DIR/peer_bench.$rep.txt" >&2

  echo "== repetition $rep of $REPS: kvlab run (rocksdb peer)" >&2
  "$KVLAB" run "$ROOT/experiments/peers/db_bench_compare.yaml" --quiet --out "$DIR/kvlab.$rep" \
    --set "set.records.count=$NUM" --set "set.run.ops=$NUM" --set "seed=$((42 + rep))" \
    > "$DIR/kvlab.$rep.txt" 2>&1 || { cat "$DIR/kvlab.$rep.txt" >&2; exit 1; }
  summary="$(ls -d "$DIR/kvlab.$rep"/db-bench-compare/*/ | head -1)summary.csv"
  /usr/bin/python3 - "$summary" "$DIR" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["row"] == "rep"]
for r in rows:
    name = "kvl_fill" if r["phase"] == "load" else "kvl_read"
    with open(f"{sys.argv[2]}/{name}", "a") as f:
        f.write(r["throughput_ops_s"] + "\n")
    print(f"kvlab {r['phase']:5s}: {float(r['throughput_ops_s']):.0f} ops/s, "
          f"p50 {r['all_p50_us']} us, write amp {r['write_amp']}", file=sys.stderr)
PY
done

printf '\n%-11s %14s %14s %8s %14s %8s  %s\n' benchmark "db_bench ops/s" "adapter ops/s" ratio \
  "kvlab run ops/s" ratio "(median of $REPS, N=$NUM)"
status=0
for b in fill read; do
  d=$(median < "$DIR/dbb_$b"); a=$(median < "$DIR/adp_$b"); k=$(median < "$DIR/kvl_$b")
  ra=$(awk -v x="$a" -v d="$d" 'BEGIN {printf "%.3f", x / d}')
  rk=$(awk -v x="$k" -v d="$d" 'BEGIN {printf "%.3f", x / d}')
  verdict=$(awk -v r="$rk" 'BEGIN {print (r >= 0.85 && r <= 1.15) ? "kvlab run within ±15%" : "kvlab run OUTSIDE ±15%"}')
  [[ "$verdict" == "kvlab run within ±15%" ]] || status=1
  printf '%-11s %14.0f %14.0f %8s %14.0f %8s  %s\n' "${b}random" "$d" "$a" "$ra" "$k" "$rk" "$verdict"
done
echo "adapter = peer_bench (KvStore adapter alone); kvlab run = the runner + adapter (summary.csv)."
exit $status
