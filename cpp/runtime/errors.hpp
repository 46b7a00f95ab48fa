// How the core's exception messages print numbers: every double exactly
// (%.17g), so a message shows the very value that was rejected.
#pragma once

#include <cstdio>
#include <string>

namespace turboinit {

inline std::string num(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

}  // namespace turboinit
