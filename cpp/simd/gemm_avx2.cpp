// The GEMM bodies compiled for the avx2 target (flags in CMakeLists.txt).
#define TURBOINIT_TARGET avx2
#define TURBOINIT_TARGET_NAME "avx2"
#define TURBOINIT_WIDTH 8
#include "linalg/gemm-inl.hpp"
