// The GEMM bodies compiled for the baseline target (flags in CMakeLists.txt).
#define TURBOINIT_TARGET baseline
#define TURBOINIT_TARGET_NAME "baseline"
#define TURBOINIT_WIDTH 4
#include "linalg/gemm-inl.hpp"
