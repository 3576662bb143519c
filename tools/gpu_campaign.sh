#!/usr/bin/env bash
# One GPU window's work on a bare machine with no network (its own python3 with torch,
# torchvision, tqdm, matplotlib and pillow; nothing is installed):
#
#   tools/gpu_campaign.sh DATA_TARBALL OUT_DIR [MINUTES]
#
# MINUTES (default 9, for a 10-minute command) is the whole command's budget. It unpacks the
# CIFAR-10 tarball (an image folder, e.g. the JPEG mirror, or torchvision's cifar-10-batches-py),
# runs the first-contact probe (tools/gpu_probe.py; GNET_PROBE_MINUTES, default 2.5, 0 skips it)
# into OUT_DIR/gpu-probe.json, then `gnet campaign` with the minutes left, planned from the
# probe's report, which delivers every result file into OUT_DIR/results.tar the moment it exists
# (so a command killed at its limit still returns every finished result). Logs: OUT_DIR/probe.log,
# OUT_DIR/campaign.log. Commit what comes back with:
#   tar -xf results.tar && cp gpu-probe.json results/bench/ && git add results && git commit
# Checkpoints, the probe's report and a copy of results.tar stay in $GNET_RUNS (default
# /tmp/gnet-runs): a second call on a machine that is still up skips the probe, counts the first
# call's results as done and resumes the interrupted runs.
# With GNET_CUDA_TESTS=1 it first runs the CUDA tests (tests/training/engine/test_graphs.py, which CI
# skips; a minute or two of the budget) into OUT_DIR/cuda-tests.log, where pytest exists.
#
# It refuses, with a one-line reason and exit status 1, before any work: a python ($PYTHON,
# default python3) that cannot import torch, a torch that sees no CUDA GPU (the campaign is
# hours on a CPU), and a tarball that does not unpack into CIFAR-10 (train/ and test/, or
# cifar-10-batches-py/). The data is unpacked into $GNET_DATA (default /tmp/gnet-data) through a
# temporary folder, so a failed unpacking leaves nothing behind.
set -euo pipefail
usage="usage: tools/gpu_campaign.sh DATA_TARBALL OUT_DIR [MINUTES]"
tarball=${1:?$usage}
out=${2:?$usage}
budget=${3:-9}
python=${PYTHON:-python3}
probe_minutes=${GNET_PROBE_MINUTES:-2.5}
started=$(date +%s)

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
runs=${GNET_RUNS:-/tmp/gnet-runs}
mkdir -p "$runs" results/bench
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
if [ -f "$runs/results.tar" ]; then
  tar -xf "$runs/results.tar"  # an earlier call's results on this machine: done, not to be made again
fi
if [ "${GNET_CUDA_TESTS:-0}" = 1 ]; then
  timeout 240 "$python" -m pytest -q -p no:cacheprovider tests/training/engine/test_graphs.py 2>&1 | tee "$out/cuda-tests.log" || true
fi
if [ -f "$runs/gpu-probe.json" ]; then
  echo "gpu_campaign: the probe's report of an earlier call on this machine is reused"
elif [ "$probe_minutes" != 0 ]; then
  timeout "$(awk -v m="$probe_minutes" 'BEGIN { printf "%d", m * 60 + 90 }')" "$python" tools/gpu_probe.py --output "$runs/gpu-probe.json" \
    --minutes "$probe_minutes" 2>&1 | tee "$out/probe.log" || true
fi
if [ -f "$runs/gpu-probe.json" ]; then
  cp "$runs/gpu-probe.json" "$out/gpu-probe.json"
  cp "$runs/gpu-probe.json" results/bench/gpu-probe.json  # where the campaign's plan reads it
fi
left=$(awk -v b="$budget" -v s="$started" -v n="$(date +%s)" 'BEGIN { printf "%.2f", b - (n - s) / 60 }')
status=0
if awk -v l="$left" 'BEGIN { exit !(l > 0.5) }'; then
  "$python" -m gnet_lib campaign --data-dir "$data_dir" --budget-minutes "$left" --results-dir results \
    --runs-dir "$runs" --deliver "$out" 2>&1 | tee "$out/campaign.log" || status=$?
else
  echo "gpu_campaign: $left minutes left after the probe, too few for the campaign" | tee "$out/campaign.log"
fi
echo "gpu_campaign: $(tar -tf "$out/results.tar" 2>/dev/null | wc -l) result files in $out/results.tar (exit $status)"
exit "$status"
