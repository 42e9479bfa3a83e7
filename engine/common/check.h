// KVLAB_CHECK: invariants that are always on, in every build.
//
// A violated invariant is a bug in kvlab, not bad input: bad input returns an
// absl::Status. Checks stay enabled in optimised builds because the simulator
// finds bugs by running optimised code for many seeds (TigerBeetle's rule).
#ifndef KVLAB_ENGINE_COMMON_CHECK_H_
#define KVLAB_ENGINE_COMMON_CHECK_H_

#include <cstdio>
#include <cstdlib>

namespace kvlab::internal {

[[noreturn]] inline void CheckFailed(const char* expr, const char* file, int line,
                                     const char* message) {
  std::fprintf(stderr, "%s:%d: KVLAB_CHECK failed: %s%s%s\n", file, line, expr,
               message[0] != '\0' ? ": " : "", message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace kvlab::internal

// KVLAB_CHECK(cond) or KVLAB_CHECK(cond, "why").
#define KVLAB_CHECK(cond, ...)                                                \
  do {                                                                        \
    if (__builtin_expect(!(cond), 0)) {                                       \
      ::kvlab::internal::CheckFailed(#cond, __FILE__, __LINE__, "" __VA_ARGS__); \
    }                                                                         \
  } while (false)

#define KVLAB_CHECK_EQ(a, b, ...) KVLAB_CHECK((a) == (b), __VA_ARGS__)
#define KVLAB_CHECK_LE(a, b, ...) KVLAB_CHECK((a) <= (b), __VA_ARGS__)
#define KVLAB_CHECK_LT(a, b, ...) KVLAB_CHECK((a) < (b), __VA_ARGS__)

#endif  // KVLAB_ENGINE_COMMON_CHECK_H_
