#!/usr/bin/env bash
# Runs the default test suite with Bazel and prints 'N passed, N failed'
# (counted per test case from the JUnit XML Bazel writes), exiting non-zero on
# any failure.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scale=1
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a number}"; shift 2 ;;
    --scale=*) scale="${1#--scale=}"; shift ;;
    -h|--help)
      cat <<'USAGE'
usage: ./kvlab test [--scale N] [bazel test target patterns...]

Runs the default test suite (all of //... unless targets are given).
--scale N multiplies the budgets of property tests and simulation slices
(default 1; the default run stays within a few minutes on 2 cores).
USAGE
      exit 0 ;;
    -*) echo "kvlab test: unknown flag '$1' (see ./kvlab test --help)" >&2; exit 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ "$scale" =~ ^[0-9]+$ && "$scale" -ge 1 ]] || { echo "kvlab test: --scale takes a whole number >= 1, got '$scale'" >&2; exit 2; }
[[ ${#args[@]} -eq 0 ]] && args=("//...")

bep="$(mktemp /tmp/kvlab-bep.XXXXXX.json)"
trap 'rm -f "$bep"' EXIT
bazel test -c opt --test_env=KVLAB_SCALE="$scale" --build_event_json_file="$bep" "${args[@]}"
bazel_rc=$?
/usr/bin/python3 "$ROOT/tools/test_summary.py" "$bep" "$bazel_rc"
