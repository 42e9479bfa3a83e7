// Helpers shared by the campaign tests: Bitcask in the engine registry and
// fault profiles. The budget factor, testing::Scale() (KVLAB_SCALE), is the
// simulator tests' one.
#ifndef KVLAB_TESTS_CAMPAIGN_CAMPAIGN_TEST_UTIL_H_
#define KVLAB_TESTS_CAMPAIGN_CAMPAIGN_TEST_UTIL_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

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

// A KvStore that passes every call to `inner`: a test engine derives from it
// and overrides the one call it breaks on purpose.
class ForwardingStore : public KvStore {
 public:
  explicit ForwardingStore(std::unique_ptr<KvStore> inner) : inner_(std::move(inner)) {}
  absl::Status Put(const WriteOptions& o, std::string_view k, std::string_view v) override {
    return inner_->Put(o, k, v);
  }
  // The Get into a string (what the runner calls) is not forwarded: KvStore's
  // default goes through this one, so a test engine that overrides this Get
  // breaks every read.
  absl::StatusOr<std::string> Get(const ReadOptions& o, std::string_view k) override {
    return inner_->Get(o, k);
  }
  absl::Status Delete(const WriteOptions& o, std::string_view k) override {
    return inner_->Delete(o, k);
  }
  absl::Status Write(const WriteOptions& o, const WriteBatch& b) override {
    return inner_->Write(o, b);
  }
  absl::Status Sync() override { return inner_->Sync(); }
  absl::Status Maintain(MaintenanceKind kind) override { return inner_->Maintain(kind); }
  Stats GetStats() override { return inner_->GetStats(); }
  Capabilities GetCapabilities() const override { return inner_->GetCapabilities(); }
  absl::Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<KvStore> inner_;
};

// Registers, once per process, engine `name`: Bitcask's options, its stores
// wrapped by `wrap` (a test engine broken on purpose) right after they open.
using WrapStore =
    std::function<std::unique_ptr<KvStore>(const Env& env, std::unique_ptr<KvStore> inner)>;
inline void EnsureWrappedBitcask(const std::string& name, const std::string& summary,
                                 WrapStore wrap) {
  EngineRegistry& registry = EngineRegistry::Default();
  if (registry.Find(name) != nullptr) return;
  EngineDescriptor d = bitcask::Descriptor();
  d.name = name;
  d.summary = summary;
  EngineFactory open = d.factory;
  d.factory = [open, wrap](const Env& env, std::string_view path,
                           const EngineOptions& options) -> absl::StatusOr<std::unique_ptr<KvStore>> {
    absl::StatusOr<std::unique_ptr<KvStore>> inner = open(env, path, options);
    if (!inner.ok()) return inner.status();
    return wrap(env, *std::move(inner));
  };
  ASSERT_TRUE(registry.Register(std::move(d)).ok());
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
