// The GEMM bodies compiled for the avx512 target (flags in CMakeLists.txt).
#define TURBOINIT_TARGET avx512
#define TURBOINIT_TARGET_NAME "avx512"
#define TURBOINIT_WIDTH 16
#include "linalg/gemm-inl.hpp"
