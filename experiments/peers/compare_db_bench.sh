#!/usr/bin/env bash
# compare_db_bench.sh [--num N] [--reps R] [--dir DIR]: RocksDB's own db_bench
# against kvlab's `rocksdb` peer driven by `kvlab run`, same session, same
# machine, same settings: fillrandom then readrandom of N keys (16 B keys,
# 100 B values compressible to 0.5, snappy, 64 MiB memtable, 8 MiB block
# cache, 10 bloom bits, 4 KiB blocks, WAL on, no sync, no statistics, 1 thread).
# Prints ops/s side by side (median of R repetitions) and the ratio; target:
# kvlab within ±15% of db_bench. A benchmark, not a test. Default R = 5.
#
# Like for like: kvlab's load draws its N keys with replacement as db_bench's
# fillrandom does (~63% distinct; load.order: with_replacement), readrandom is
# uniform over the same range (~63% found on both sides, printed), values are
# db_bench's 100-byte half-compressible pieces (SST bytes printed for both),
# and the RocksDB options both ran with are diffed (OPTIONS file and LOG dump;
# printed: only the file system, kvlab's byte-counting wrapper, and db_bench's
# ErrorHandlerListener should differ).
# kvlab also records every latency in a histogram (db_bench does not by
# default). A third column, peer_bench, drives the same adapter directly with
# db_bench's key scheme, so the adapter's cost and the runner's are told apart.
# The tools run in a rotating order per repetition (shared machines drift).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NUM=1000000
REPS=5
DIR="${TMPDIR:-/tmp}/kvlab_db_bench_compare"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --num) NUM="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "compare_db_bench: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

DB_BENCH="$(command -v db_bench || command -v rocksdb_db_bench || true)"
[[ -n "$DB_BENCH" ]] || { echo "compare_db_bench: db_bench not found: apt-get install rocksdb-tools" >&2; exit 2; }
KVLAB="$ROOT/bazel-bin/experiments/cli/kvlab"
PEER_BENCH="$ROOT/bazel-bin/experiments/peers/peer_bench"
YAML="$ROOT/experiments/peers/db_bench_compare.yaml"
(cd "$ROOT" && bazel build -c opt --noshow_progress //experiments/cli:kvlab \
  //experiments/peers:peer_bench >&2)
rm -rf "$DIR" && mkdir -p "$DIR"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# The RocksDB options a DB ran with, one per line: its OPTIONS file, plus what only its
# LOG's startup dump shows (block cache settings, file system): timestamps, thread ids,
# pointers, paths and ids dropped.
options_of() {
  { grep -hv '^[[:space:]]*#' "$(ls "$1"/OPTIONS-* | tail -1)" | sed 's/^[[:space:]]*//' | grep '='
    sed -E 's/^[0-9\/:.-]+ [0-9a-f]+ +//; s/0x[0-9a-f]+/PTR/g; s/#[0-9]+//g' "$1/LOG" |
      awk '/DB SUMMARY/ {p = 1} /DB pointer/ {p = 0} p' | grep -E '^ *[A-Za-z_.]+ *: ' |
      grep -vE 'Session ID|db_log_dir|wal_dir|db_host_id|db_id' | sed 's/^[[:space:]]*/LOG: /'
  } | sort -u
}
# "SST bytes, WAL bytes" of a DB folder.
sizes_of() {
  local sst wal files
  sst=$(find "$1" -maxdepth 1 -name '*.sst' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  files=$(find "$1" -maxdepth 1 -name '*.sst' | wc -l)
  wal=$(find "$1" -maxdepth 1 -name '*.log' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  echo "$sst SST bytes in $files files, $wal WAL bytes"
}
# The same settings for peer_bench as the YAML gives kvlab run.
yaml_option() { /usr/bin/python3 -c 'import sys, yaml
print(yaml.safe_load(open(sys.argv[1]))["engines"][0]["options"][sys.argv[2]])' "$YAML" "$1"; }
DB_OPTIONS="$(yaml_option db_options)"
TABLE_OPTIONS="$(yaml_option table_options)"

run_db_bench() {
  rm -rf "$DIR/db_bench"
  "$DB_BENCH" --benchmarks=fillrandom,readrandom --num="$NUM" --reads="$NUM" --key_size=16 \
    --value_size=100 --compression_ratio=0.5 --compression_type=snappy --bloom_bits=10 \
    --cache_size=8388608 --write_buffer_size=67108864 --max_background_jobs=2 \
    --block_size=4096 --threads=1 --disable_wal=false --sync=false --statistics=false \
    --histogram=false --seed=$((42 + rep)) --db="$DIR/db_bench" > "$DIR/db_bench.$rep.txt" 2>&1
  awk '$1=="fillrandom" {print $5}' "$DIR/db_bench.$rep.txt" >> "$DIR/dbb_fill"
  awk '$1=="readrandom" {print $5}' "$DIR/db_bench.$rep.txt" >> "$DIR/dbb_read"
  grep -E '^(fillrandom|readrandom)' "$DIR/db_bench.$rep.txt" | sed 's/^/db_bench   /' >&2
  echo "db_bench   after the run: $(sizes_of "$DIR/db_bench")" >&2
}

run_peer_bench() {
  rm -rf "$DIR/peer_bench"
  "$PEER_BENCH" --engine rocksdb --dir "$DIR/peer_bench" --num "$NUM" --key_size 16 \
    --value_size 100 --set write_buffer_size=64MiB --set block_cache_size=8MiB \
    --set bloom_bits_per_key=10 --set compression=snappy --set max_background_jobs=2 \
    --set block_size=4KiB --set statistics=false --set sync=false --set disable_wal=false \
    --set perf_level=1 --set block_cache_high_pri_pool_ratio=0 \
    --set "db_options=$DB_OPTIONS" --set "table_options=$TABLE_OPTIONS" \
    > "$DIR/peer_bench.$rep.txt" 2>&1 || { cat "$DIR/peer_bench.$rep.txt" >&2; exit 1; }
  awk '$1=="fillrandom" {print $3}' "$DIR/peer_bench.$rep.txt" >> "$DIR/adp_fill"
  awk '$1=="readrandom" {print $3}' "$DIR/peer_bench.$rep.txt" >> "$DIR/adp_read"
  sed 's/^/peer_bench /' "$DIR/peer_bench.$rep.txt" >&2
}

run_kvlab() {
  "$KVLAB" run "$YAML" --quiet --out "$DIR/kvlab.$rep" --set "set.records.count=$NUM" \
    --set "set.run.ops=$NUM" --set "seed=$((42 + rep))" --set device.keep_data=true \
    > "$DIR/kvlab.$rep.txt" 2>&1 || { cat "$DIR/kvlab.$rep.txt" >&2; exit 1; }
  local results db
  results="$(ls -d "$DIR/kvlab.$rep"/db-bench-compare/*/ | head -1)"
  db="$(dirname "$(ls "$results"data/*/db-*/OPTIONS-* | head -1)")"
  /usr/bin/python3 - "${results}summary.csv" "$DIR" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["row"] == "rep"]
for r in rows:
    name = "kvl_fill" if r["phase"] == "load" else "kvl_read"
    with open(f"{sys.argv[2]}/{name}", "a") as f:
        f.write(r["throughput_ops_s"] + "\n")
    found = ""
    if r["phase"] == "run":  # a found read returns 16 B key + 100 B value
        found = f", {int(r['user_bytes_read']) // 116} of {r['ops']} found"
    print(f"kvlab run  {'fillrandom' if r['phase'] == 'load' else 'readrandom'}: "
          f"{float(r['throughput_ops_s']):.0f} ops/s, p50 {r['all_p50_us']} us{found}",
          file=sys.stderr)
PY
  echo "kvlab run  after the run: $(sizes_of "$db")" >&2
  if [[ "$rep" == 1 ]]; then
    echo "== RocksDB options that differ (< db_bench, > kvlab run), from their OPTIONS and LOG:" >&2
    local differ
    differ="$(diff <(options_of "$DIR/db_bench") <(options_of "$db") | grep '^[<>]' || true)"
    echo "${differ:-(none)}" >&2
  fi
  rm -rf "${results}data"
}

tools=(run_db_bench run_peer_bench run_kvlab)
for rep in $(seq 1 "$REPS"); do
  echo "== repetition $rep of $REPS ($(uptime | sed 's/.*load/load/'))" >&2
  # Rep 1 runs db_bench first (the options diff needs its folder); later reps rotate.
  for k in 0 1 2; do
    "${tools[$(( (k + rep - 1) % 3 ))]}"
  done
done

printf '\n%-11s %14s %14s %8s %15s %8s  %s\n' benchmark "db_bench ops/s" "adapter ops/s" ratio \
  "kvlab run ops/s" ratio "(median of $REPS, N=$NUM)"
status=0
for b in fill read; do
  d=$(median < "$DIR/dbb_$b"); a=$(median < "$DIR/adp_$b"); k=$(median < "$DIR/kvl_$b")
  ra=$(awk -v x="$a" -v d="$d" 'BEGIN {printf "%.3f", x / d}')
  rk=$(awk -v x="$k" -v d="$d" 'BEGIN {printf "%.3f", x / d}')
  verdict=$(awk -v r="$rk" 'BEGIN {print (r >= 0.85 && r <= 1.15) ? "PASS (within ±15%)" : "MISS (outside ±15%)"}')
  [[ "$verdict" == PASS* ]] || status=1
  printf '%-11s %14.0f %14.0f %8s %15.0f %8s  %s\n' "${b}random" "$d" "$a" "$ra" "$k" "$rk" "$verdict"
  echo "  per repetition, kvlab run / db_bench: $(paste "$DIR/kvl_$b" "$DIR/dbb_$b" | awk '{printf "%.3f ", $1 / $2}')"
done
echo "adapter = peer_bench (KvStore adapter alone); kvlab run = the runner + adapter (summary.csv)."
exit $status
