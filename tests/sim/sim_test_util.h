// Helpers shared by the simulator tests: the KVLAB_SCALE budget factor, and
// small wrappers that turn device calls into values or test failures.
#ifndef KVLAB_TESTS_SIM_SIM_TEST_UTIL_H_
#define KVLAB_TESTS_SIM_SIM_TEST_UTIL_H_

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "sim/sim_device.h"

namespace kvlab::sim::testing {

// The budget factor of slow-ish tests: env var KVLAB_SCALE, at least 1.
inline int Scale() {
  const char* s = std::getenv("KVLAB_SCALE");
  const int v = s == nullptr ? 1 : std::atoi(s);
  return v < 1 ? 1 : v;
}

// |observed - n p| within 5 standard deviations (plus 2 for tiny n p): the
// bound a correct injector at rate p meets except with probability < 1e-6.
inline void ExpectRate(uint64_t observed, uint64_t trials, double p, const char* what) {
  const double mean = static_cast<double>(trials) * p;
  const double sd = std::sqrt(mean * (1 - p));
  EXPECT_LE(std::abs(static_cast<double>(observed) - mean), 5 * sd + 2)
      << what << ": " << observed << " of " << trials << ", expected about " << mean;
}

inline std::unique_ptr<File> MustOpen(Device& d, const std::string& path, bool create = true) {
  OpenOptions o;
  o.create = create;
  absl::StatusOr<std::unique_ptr<File>> f = d.Open(path, o);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? std::move(*f) : nullptr;
}

// The whole content of a file (via a fresh handle), or "<error>".
inline std::string Contents(Device& d, const std::string& path) {
  std::unique_ptr<File> f = MustOpen(d, path, /*create=*/false);
  if (f == nullptr) return "<error>";
  absl::StatusOr<uint64_t> size = f->Size();
  if (!size.ok()) return "<error>";
  std::string out(*size, '\0');
  absl::StatusOr<size_t> n = f->Read(0, absl::MakeSpan(out));
  if (!n.ok()) return "<error>";
  out.resize(*n);
  return out;
}

}  // namespace kvlab::sim::testing

#endif  // KVLAB_TESTS_SIM_SIM_TEST_UTIL_H_
