#!/usr/bin/env bash
# Executes notebooks/explore_results.ipynb headless (jupyter nbconvert
# --execute) on the synthetic run folder in testdata/, and checks that it ran
# without an error and drew every figure.
set -euo pipefail
exec 2>&1

fail() { echo "FAIL: $*"; exit 1; }
command -v jupyter >/dev/null 2>&1 \
  || fail "jupyter is not installed: install Debian's jupyter-notebook, jupyter-nbconvert and python3-ipykernel (./kvlab installs tools/packages.txt)"
jupyter nbconvert --version >/dev/null 2>&1 \
  || fail "'jupyter nbconvert' is missing: install Debian's jupyter-nbconvert (listed in tools/packages.txt)"
/usr/bin/python3 -c 'import ipykernel' 2>/dev/null \
  || fail "the Python 3 kernel is missing: install Debian's python3-ipykernel"

src="${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-kvlab}"
[[ -d "$src/tests/report/testdata/fixture_run" ]] || src="$(pwd)"
work="${TEST_TMPDIR:-$(mktemp -d)}/notebook_test"
rm -rf "$work" && mkdir -p "$work"
cp -rL "$src/tests/report/testdata/fixture_run" "$work/run"
cp -L "$src/notebooks/explore_results.ipynb" "$work/in.ipynb"
export HOME="$work/home" JUPYTER_RUNTIME_DIR="$work/runtime" MPLCONFIGDIR="$work/mpl"
export PYDEVD_DISABLE_FILE_VALIDATION=1
mkdir -p "$HOME"
KVLAB_RESULTS_DIR="$work/run" KVLAB_REPO="$src" \
  jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=120 \
  --output-dir "$work" --output out.ipynb "$work/in.ipynb" > "$work/nbconvert.log" 2>&1 \
  || { cat "$work/nbconvert.log"; fail "the notebook did not execute"; }
out="$work/out.ipynb"
[[ -s "$out" ]] || fail "no executed notebook written"
if grep -q '"output_type": "error"' "$out"; then fail "a cell raised an error"; fi
images=$(grep -c '"image/png"' "$out" || true)
[[ "$images" -ge 5 ]] || fail "expected 5 figures in the executed notebook, found $images"
grep -q "run folder: $work/run" "$out" || fail "the notebook did not load KVLAB_RESULTS_DIR"
echo "PASS: notebook executed on the fixture with $images figures"
