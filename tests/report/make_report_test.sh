#!/usr/bin/env bash
# Runs experiments/report/make_report.py on the synthetic run folder in
# testdata/ (and on damaged copies of it) and checks that report.md and every
# figure exist and are non-empty, and that missing data is reported, never a
# stack trace.
set -euo pipefail
exec 2>&1

fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -x /usr/bin/python3 ]] || fail "/usr/bin/python3 is missing (install Debian's python3)"
/usr/bin/python3 -c 'import matplotlib, pandas' 2>/dev/null \
  || fail "python3-matplotlib and python3-pandas are needed (./kvlab installs them)"

src="${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-kvlab}"
[[ -d "$src/tests/report/testdata/fixture_run" ]] || src="$(pwd)"
report="$src/experiments/report/make_report.py"
work="${TEST_TMPDIR:-$(mktemp -d)}/report_test"
rm -rf "$work" && mkdir -p "$work"

# 1. A complete run: every figure in both formats.
cp -rL "$src/tests/report/testdata/fixture_run" "$work/full"
chmod -R u+w "$work/full"
/usr/bin/python3 "$report" "$work/full" > "$work/full.out" 2>&1 || { cat "$work/full.out"; fail "exit status on a complete run"; }
[[ -s "$work/full/report.md" ]] || fail "report.md missing or empty"
for fig in throughput throughput_time latency_time latency_cdf amplification; do
  for ext in png svg; do
    [[ -s "$work/full/fig_$fig.$ext" ]] || fail "fig_$fig.$ext missing or empty"
    grep -q "fig_$fig.$ext" "$work/full/report.md" || fail "report.md does not link fig_$fig.$ext"
  done
done
grep -q '^## Summary' "$work/full/report.md" || fail "no summary section"
grep -q '| mem | ycsb-c |' "$work/full/report.md" || fail "no summary row for mem / ycsb-c"
if grep -q 'Missing or partial' "$work/full/report.md"; then fail "complete run reported as partial"; fi
file "$work/full/fig_throughput.png" | grep -q 'PNG image' || fail "fig_throughput.png is not a PNG"
grep -q '<svg' "$work/full/fig_throughput.svg" || fail "fig_throughput.svg is not an SVG"

# 2. An interrupted run: no aggregate rows, a torn timeline line, no histograms, meta says so.
cp -rL "$src/tests/report/testdata/fixture_run" "$work/partial"
chmod -R u+w "$work/partial"
grep -v -e '^mean,' -e '^ci95,' "$src/tests/report/testdata/fixture_run/summary.csv" > "$work/partial/summary.csv"
printf '{"cell": "mem__ycsb-c__run__thr' >> "$work/partial/timeline.jsonl"
rm -rf "$work/partial/hgrm"
sed -i 's/"complete": true/"complete": false/; s/"interrupted": false/"interrupted": true/' "$work/partial/meta.json"
/usr/bin/python3 "$report" "$work/partial" > "$work/partial.out" 2>&1 || { cat "$work/partial.out"; fail "exit status on a partial run"; }
grep -q 'Traceback' "$work/partial.out" && fail "stack trace on a partial run"
md="$work/partial/report.md"
grep -q '^## Missing or partial data' "$md" || fail "partial run: no 'Missing or partial data' section"
grep -q 'interrupted' "$md" || fail "partial run: the interrupt is not reported"
grep -q 'unreadable line' "$md" || fail "partial run: the torn timeline line is not reported"
grep -q 'no latency histograms' "$md" || fail "partial run: missing .hgrm not reported"
grep -q 'computed here from the repetition rows' "$md" || fail "partial run: aggregates not computed"
[[ -s "$work/partial/fig_throughput.png" ]] || fail "partial run: throughput bars not drawn"

# 3. An empty run folder (the runner died at once): a report, no stack trace.
mkdir -p "$work/empty"
/usr/bin/python3 "$report" "$work/empty" > "$work/empty.out" 2>&1 || { cat "$work/empty.out"; fail "exit status on an empty run"; }
grep -q 'summary.csv is missing' "$work/empty/report.md" || fail "empty run: missing summary not reported"
grep -q 'Traceback' "$work/empty.out" && fail "stack trace on an empty run"

# 4. Not a directory: exit status 2 and a clear message.
set +e
/usr/bin/python3 "$report" "$work/does-not-exist" > "$work/none.out" 2>&1
status=$?
set -e
[[ $status -eq 2 ]] || fail "a missing run folder gave exit status $status, want 2"
grep -q 'is not a directory' "$work/none.out" || fail "no clear message for a missing folder"
grep -q 'Traceback' "$work/none.out" && fail "stack trace for a missing folder"
echo "PASS: make_report on complete, partial, empty and missing run folders"
