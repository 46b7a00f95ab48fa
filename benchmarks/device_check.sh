#!/bin/bash
# The device check prepared for a lent many-core GPU machine (the `device` tool), run as
# `bash benchmarks/device_check.sh` from the repository root with OUT set to a folder that
# comes back. It expects a prebuilt `_core` for the machine's Python in .dev/ (for Python
# 3.12, built here with CMake and -DPython_EXECUTABLE pointing at a Python 3.12), and
# libgomp.so.1 beside it in case the machine has none. It ends within about 550 s, and
# writes 8 files at most (the device tool brings back no more):
#   machine.txt          lscpu, memory, huge pages, GPU, numpy/torch versions
#   tests.log            the CUDA path and every kernel's bits (tests that take the kernel
#                        fixture, so AVX-512 is checked against baseline/avx2), then the
#                        rest of the suite on many workers while time is left
#   per_core.json        one thread, in cache, the best kernel (AVX-512 where the CPU has it)
#   per_core_avx2.json   the same with the AVX2 kernel, on the same machine
#   torch_cuda.json      turboinit.torch on CUDA against torch.nn.init on CUDA
#   scaling/results.json, scaling/scaling.png   threads 1..16, 1 GiB and 8 GiB
#   torch_model.json     the 1.34B decoder on all cores against PyTorch
# JAX takes 75% of the GPU's memory per process unless told not to: with many pytest
# workers the others' CUDA calls then fail for want of memory.
export PYTHONUNBUFFERED=1 PYTHONPATH=src MPLBACKEND=Agg XLA_PYTHON_CLIENT_PREALLOCATE=false
T0=$(date +%s)
el() { echo "[$(($(date +%s) - T0)) s] $*"; }
left() { echo $(($1 - $(date +%s) + T0)); }
cp .dev/_core.cpython-312-x86_64-linux-gnu.so src/turboinit/
ldconfig -p | grep -q 'libgomp.so.1 ' || export LD_LIBRARY_PATH=$PWD/.dev
{
  lscpu
  nproc
  free -g
  cat /sys/kernel/mm/transparent_hugepage/enabled
  nvidia-smi -L
  python3 -c "import numpy,torch;print(numpy.__version__,torch.__version__)"
  uptime
} >"$OUT/machine.txt" 2>&1
python3 -c "import turboinit as ti; print(ti.build_info())" || exit 3
el tests
KERNEL_TESTS="tests/test_torch_devices.py tests/test_torch_init.py tests/test_pinned_bits.py
  tests/test_determinism.py tests/test_philox.py tests/test_runtime.py tests/test_generator.py
  tests/test_random_bulk.py tests/test_random_choice.py tests/test_orthogonal.py
  tests/test_sparse.py tests/test_edge_numerics.py"
# shellcheck disable=SC2086
timeout 110 python3 -m pytest -q -p no:cacheprovider -p no:benchmark -n 12 $KERNEL_TESTS -rs >"$OUT/tests.log" 2>&1
echo "kernel tests rc=$?"
tail -6 "$OUT/tests.log"
el per_core
timeout 45 python3 benchmarks/bench_per_core.py --out "$OUT/per_core.json" 2>&1 | tail -40
timeout 40 python3 benchmarks/bench_per_core.py --kernel avx2 --out "$OUT/per_core_avx2.json" 2>&1 | tail -3
el cuda
timeout 60 python3 benchmarks/bench_torch_cuda.py --out "$OUT/torch_cuda.json" 2>&1 | tail -8
el scaling
timeout 250 python3 benchmarks/bench_scaling.py --threads 1,2,4,6,8,12,16 --repeat 3 --row-cap 2.5 \
  --budget 220 --out "$OUT/scaling" 2>&1 | tail -14
el model
L=$(left 470)
[ "$L" -gt 90 ] && L=90
[ "$L" -gt 30 ] && timeout "$L" python3 benchmarks/bench_torch.py --skip-functions --model-runs 1 \
  --out "$OUT/torch_model.json" 2>&1 | tail -12
el suite
L=$(left 550)
# shellcheck disable=SC2086
[ "$L" -gt 40 ] && {
  echo "=== the rest of the suite, ${L} s at most ==="
  timeout "$L" python3 -m pytest -q -p no:cacheprovider -p no:benchmark -n 10 tests $(printf -- '--ignore=%s ' $KERNEL_TESTS) -rs
} >>"$OUT/tests.log" 2>&1
echo "suite rc=$?"
tail -5 "$OUT/tests.log"
el done
