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
set -euo pipefail
tarball=${1:?usage: tools/gpu_campaign.sh DATA_TARBALL OUT_DIR [BUDGET_MINUTES]}
out=${2:?usage: tools/gpu_campaign.sh DATA_TARBALL OUT_DIR [BUDGET_MINUTES]}
budget=${3:-9}
cd "$(dirname "$0")/.."
mkdir -p "$out"
data_root=${GNET_DATA:-/tmp/gnet-data}
if [ ! -d "$data_root" ]; then
  mkdir -p "$data_root"
  tar -xzf "$tarball" -C "$data_root"
fi
train_dir=$(find "$data_root" -maxdepth 3 -type d \( -name train -o -name cifar-10-batches-py \) | head -1)
data_dir=$(dirname "$train_dir")
stamp=$(mktemp)
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
status=0
if [ "${GNET_CUDA_TESTS:-0}" = 1 ]; then
  timeout 240 python3 -m pytest -q -p no:cacheprovider tests/test_graphs.py 2>&1 | tee "$out/cuda-tests.log" || true
fi
python3 -m gnet_lib campaign --data-dir "$data_dir" --budget-minutes "$budget" \
  --runs-dir "${GNET_RUNS:-/tmp/gnet-runs}" 2>&1 | tee "$out/campaign.log" || status=$?
find results -type f -newer "$stamp" > "$out/new-files.txt"
tar -czf "$out/results.tgz" -T "$out/new-files.txt"
echo "gpu_campaign: $(wc -l < "$out/new-files.txt") new result files in $out/results.tgz (exit $status)"
exit "$status"
