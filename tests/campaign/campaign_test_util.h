// Helpers shared by the campaign tests: Bitcask in the engine registry and
// fault profiles. The budget factor, testing::Scale() (KVLAB_SCALE), is the
// simulator tests' one.
#ifndef KVLAB_TESTS_CAMPAIGN_CAMPAIGN_TEST_UTIL_H_
#define KVLAB_TESTS_CAMPAIGN_CAMPAIGN_TEST_UTIL_H_

#include "engine/bitcask/bitcask.h"
#include "engine/engine_config.h"
#include "gtest/gtest.h"
#include "sim/fault_profile.h"
#include "tests/sim/sim_test_util.h"

namespace kvlab::sim::testing {

// Registers Bitcask in the default engine registry, once per process.
inline void EnsureBitcask() {
  EngineRegistry& registry = EngineRegistry::Default();
  if (registry.Find("bitcask") == nullptr) {
    ASSERT_TRUE(registry.Register(bitcask::Descriptor()).ok());
  }
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
