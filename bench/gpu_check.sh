#!/usr/bin/env bash
# The GPU checks, in one run on a machine with CUDA, CuPy and torch (CUDA) installed:
# the device test suite on the real GPU, then the GPU benchmark table. Logs go to $OUT
# (or ./gpu-logs). Usage: bash bench/gpu_check.sh [pytest -k expression]
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-gpu-logs}"
mkdir -p "$out"
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
python3 -c "import numpy, cupy, torch; print('numpy', numpy.__version__, 'cupy', cupy.__version__, 'torch', torch.__version__)" | tee -a "$out/gpu.txt"
workers=$(python3 -c "import xdist" 2>/dev/null && echo "-n 12" || echo "")
timeout "${TEST_TIMEOUT:-330}" python3 -m pytest -p no:cacheprovider $workers -rfE \
    tests/test_device_*.py ${1:+-k "$1"} 2>&1 | tee "$out/tests.log" | tail -60
timeout "${BENCH_TIMEOUT:-200}" python3 bench/run.py --device cuda --repeats 5 \
    --json "$out/bench.json" 2>&1 | tee "$out/bench.log"
