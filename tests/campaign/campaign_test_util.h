// Helpers shared by the campaign tests: the test budget scale and fault profiles.
#ifndef KVLAB_TESTS_CAMPAIGN_CAMPAIGN_TEST_UTIL_H_
#define KVLAB_TESTS_CAMPAIGN_CAMPAIGN_TEST_UTIL_H_

#include <cstdint>
#include <cstdlib>

#include "sim/fault_profile.h"

namespace kvlab::sim::testing {

// KVLAB_SCALE (integer, default 1) multiplies every test budget.
inline uint64_t Scale() {
  const char* s = std::getenv("KVLAB_SCALE");
  long v = s ? std::strtol(s, nullptr, 10) : 1;
  return v > 0 ? static_cast<uint64_t>(v) : 1;
}

// Every fault kind on, at rates high enough that a 300-op seed sees several
// (the same kinds as sim/profiles/all.yaml, denser; a disk with 4 KiB .. 512
// KiB free, so most seeds fill it).
inline FaultProfile AllFaults() {
  FaultProfile p = FaultProfile::None();
  p.crash = 0.001;
  p.torn_write = 0.2;
  p.unsynced_keep = 0.5;
  p.lose_unsynced_dir_ops = 0.5;
  p.misdirected_write = 0.0005;
  p.read_error = 0.005;
  p.write_error = 0.005;
  p.sync_error = 0.01;
  p.bit_flip = 0.0005;
  p.free_space_bytes = 512 << 10;
  p.latency_spike = 0.01;
  return p;
}

}  // namespace kvlab::sim::testing

#endif  // KVLAB_TESTS_CAMPAIGN_CAMPAIGN_TEST_UTIL_H_
