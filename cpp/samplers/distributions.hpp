// The public C++ API of the samplers: fill a region of a tensor, in parallel,
// with values that depend only on (stream, flat index, parameters, dtype).
#pragma once

#include "tensor/dtype.hpp"
#include "runtime/parallel.hpp"
#include "rng/philox.hpp"
#include "simd/kernels.hpp"
#include "tensor/region.hpp"

namespace turboinit {

// Every function writes region.size() elements of `out_dtype` to `out`, in the
// region's row-major order.  Parameters are validated before anything is
// written: std::invalid_argument (bad value) and std::overflow_error (range
// too large) name the offending argument.

// U[low, high): never `high`, also after rounding to the output dtype.
void fill_uniform(void* out, dtype out_dtype, const tensor_region& region,
                  const philox_stream& stream, double low, double high,
                  const exec_options& options);

// fill_uniform's kernel arguments for (low, high) and `stream`, after the
// checks fill_uniform makes (the parameters, the region and its counter
// space): for samplers that use those very uniforms as they are made
// (choice.cpp), so their bits follow fill_uniform's by construction.
kernels::uniform_args plan_uniform(dtype out_dtype, const tensor_region& region,
                                   const philox_stream& stream, double low, double high);

// N(mean, std^2) by Box-Muller.
void fill_normal(void* out, dtype out_dtype, const tensor_region& region,
                 const philox_stream& stream, double mean, double std, const exec_options& options);

// N(mean, std^2) restricted to [mean + lower std, mean + upper std]; lower and
// upper are in units of std and may be infinite.
void fill_truncated_normal(void* out, dtype out_dtype, const tensor_region& region,
                           const philox_stream& stream, double mean, double std, double lower,
                           double upper, const exec_options& options);

// The parameter rules of fill_uniform / fill_truncated_normal alone: throw
// exactly what they would throw for these parameters, write nothing.
void check_uniform(dtype out_dtype, double low, double high);
void check_truncated_normal(dtype out_dtype, double mean, double std, double lower, double upper);

// The raw 32-bit words behind a float32 uniform of the same region.
void fill_bits(uint32_t* out, const tensor_region& region, const philox_stream& stream,
               const exec_options& options);

// Largest |z| the normal sampler can return in float32 / float64 compute.
double max_standard_normal(dtype out_dtype);

}  // namespace turboinit
