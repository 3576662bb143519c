#!/usr/bin/env bash
# The GPU campaign on a bare GPU machine with no network (its own python3 with torch,
# torchvision, tqdm, matplotlib and pillow; nothing is installed):
#
#   tools/gpu_campaign.sh DATA_TARBALL OUT_DIR [BUDGET_MINUTES]
#
# Unpacks the CIFAR-10 tarball (an image folder, e.g. the JPEG mirror, or torchvision's
# cifar-10-batches-py), runs `gnet campaign` with a time budget (default 9 minutes, for a
# 10-minute command), and packs every result file it created into OUT_DIR/results.tgz.
# Checkpoints go to $GNET_RUNS (default /tmp/gnet-runs), so a second call on a machine that is
# still up resumes the interrupted run. Commit what comes back with:
#   tar -xzf results.tgz && git add results && git commit
# and do so before the next call: a call works on a fresh copy of the checkout, so a result
# that is only in results.tgz is made again.
# With GNET_CUDA_TESTS=1 it first runs the CUDA tests (tests/test_graphs.py, which CI skips; a
# minute or two, so lower the budget by as much) into OUT_DIR/cuda-tests.log, where pytest exists.
#
# It refuses, with a one-line reason and exit status 1, before any work: a python ($PYTHON,
# default python3) that cannot import torch, a torch that sees no CUDA GPU (the campaign is
# hours on a CPU), and a tarball that does not unpack into CIFAR-10 (train/ and test/, or
# cifar-10-batches-py/). The data is unpacked into $GNET_DATA (default /tmp/gnet-data) through a
# temporary folder, so a failed unpacking leaves nothing behind.
set -euo pipefail
usage="usage: tools/gpu_campaign.sh DATA_TARBALL OUT_DIR [BUDGET_MINUTES]"
tarball=${1:?$usage}
out=${2:?$usage}
budget=${3:-9}
python=${PYTHON:-python3}

refuse() {
  echo "gpu_campaign: $*" >&2
  exit 1
}

# The folder to give --data-dir: $1 or a folder up to two levels below it that holds train/ and
# test/, or torchvision's cifar-10-batches-py/ with its batches.
find_data_dir() {
  local dir
  for dir in "$1" "$1"/* "$1"/*/*; do
    if { [ -d "$dir/train" ] && [ -d "$dir/test" ]; } ||
       { [ -f "$dir/cifar-10-batches-py/data_batch_1" ] && [ -f "$dir/cifar-10-batches-py/test_batch" ]; }; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

cuda=$("$python" -c 'import torch; print(torch.cuda.is_available())' 2>/dev/null) ||
  refuse "$python cannot import torch; run this on a machine whose python3 has torch and torchvision (or set PYTHON)"
[ "$cuda" = True ] ||
  refuse "torch in $python sees no CUDA GPU; the campaign is made for a GPU (for a CPU test: python -m gnet_lib campaign --dry-run)"

case $tarball in /*) ;; *) tarball=$PWD/$tarball ;; esac  # relative to where it was called from
case $out in /*) ;; *) out=$PWD/$out ;; esac
cd "$(dirname "$0")/.."
data_root=${GNET_DATA:-/tmp/gnet-data}
if [ -d "$data_root" ] && [ -z "$(ls -A "$data_root")" ]; then
  rmdir "$data_root"  # an empty folder left by an earlier version of this script
fi
if [ ! -e "$data_root" ]; then
  [ -f "$tarball" ] || refuse "no tarball at $tarball"
  mkdir -p "$(dirname "$data_root")"
  staging=$(mktemp -d "$data_root.partial.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  tar -xzf "$tarball" -C "$staging" 2>/dev/null || refuse "cannot unpack $tarball (not a gzipped tar, or cut short)"
  find_data_dir "$staging" > /dev/null ||
    refuse "$tarball holds no CIFAR-10: no folder with train/ and test/, nor cifar-10-batches-py/, in its top two levels"
  mv "$staging" "$data_root"
  trap - EXIT
fi
data_dir=$(find_data_dir "$data_root") ||
  refuse "$data_root holds no CIFAR-10 (no train/ and test/, nor cifar-10-batches-py/); delete it to unpack the tarball again"

mkdir -p "$out"
stamp=$(mktemp)
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
status=0
if [ "${GNET_CUDA_TESTS:-0}" = 1 ]; then
  timeout 240 "$python" -m pytest -q -p no:cacheprovider tests/test_graphs.py 2>&1 | tee "$out/cuda-tests.log" || true
fi
"$python" -m gnet_lib campaign --data-dir "$data_dir" --budget-minutes "$budget" --results-dir results \
  --runs-dir "${GNET_RUNS:-/tmp/gnet-runs}" 2>&1 | tee "$out/campaign.log" || status=$?
mkdir -p results
find results -type f -newer "$stamp" > "$out/new-files.txt"
tar -czf "$out/results.tgz" -T "$out/new-files.txt"
echo "gpu_campaign: $(wc -l < "$out/new-files.txt") new result files in $out/results.tgz (exit $status)"
exit "$status"
