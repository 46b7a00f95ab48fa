#!/bin/bash
# The device check prepared for a lent many-core GPU machine (the `device` tool), run as
# `bash benchmarks/device_check.sh` from the repository root with OUT set to a folder that
# comes back: the CUDA path and the AVX-512 kernel's bits (tests), per-core speed, thread
# scaling (bench_scaling.py), turboinit.torch on CUDA, and the 1.34B model on all cores.
# It expects a prebuilt `_core` for the machine's Python in .dev/ (for Python 3.12, built
# here with CMake and -DPython_EXECUTABLE pointing at a Python 3.12), and libgomp.so.1 beside it
# in case the machine has none. At most 8 files come back: every output is one file.
# device check: CUDA path + avx512 bits, per-core speed, thread scaling, model on 16 cores
export PYTHONUNBUFFERED=1 PYTHONPATH=src MPLBACKEND=Agg
T0=$(date +%s)
el() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
cp .dev/_core.cpython-312-x86_64-linux-gnu.so src/turboinit/
ldconfig -p | grep -q 'libgomp.so.1 ' || export LD_LIBRARY_PATH=$PWD/.dev
{ lscpu; nproc; free -g; cat /sys/kernel/mm/transparent_hugepage/enabled; nvidia-smi -L; python3 -c "import numpy,torch;print(numpy.__version__,torch.__version__)"; } > $OUT/machine.txt 2>&1
python3 -c "import turboinit as ti; print(ti.build_info())" || exit 3
el tests
timeout 150 python3 -m pytest -q -p no:cacheprovider --maxfail=30 -n 8 tests/test_torch_devices.py tests/test_pinned_bits.py tests/test_determinism.py tests/test_philox.py tests/test_random_bulk.py tests/test_random_choice.py tests/test_torch_init.py -rs > $OUT/tests.log 2>&1; echo "pytest rc=$?"; tail -15 $OUT/tests.log
el per_core
timeout 60 python3 benchmarks/bench_per_core.py --out $OUT/per_core.json > $OUT/per_core.log 2>&1; echo rc=$?; tail -30 $OUT/per_core.log
el cuda
timeout 60 python3 benchmarks/bench_torch_cuda.py --out $OUT/torch_cuda.json 2>&1 | tail -8
el scaling
timeout 230 python3 benchmarks/bench_scaling.py --threads 1,2,4,6,8,12,16 --repeat 3 --row-cap 3 --budget 190 --out $OUT/scaling 2>&1 | tail -12
el model
LEFT=$(( 440 - $(date +%s) + T0 )); [ $LEFT -gt 40 ] && timeout $LEFT python3 benchmarks/bench_torch.py --skip-functions --model-runs 1 --out $OUT/torch_model.json 2>&1 | tail -12
el done
