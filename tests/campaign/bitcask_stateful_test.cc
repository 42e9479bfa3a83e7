// RapidCheck stateful test of Bitcask against HashMapModel on a SimEnv, with
// reopen, merge and simulated crashes (between ops or at the n-th next device
// op) as commands; RapidCheck shrinks failing command sequences, crashes
// included. Budget: 40 x KVLAB_SCALE sequences of up to 60 commands (RC_PARAMS,
// if set, wins: e.g. RC_PARAMS="max_success=2000 seed=7").
//
// Property: for every command sequence, every Get equals the HashMapModel of
// acknowledged writes (the CrashOracle's model, which adopts the recovered
// state after each crash), and every recovery is a state the CrashOracle
// accepts: every synced write kept, batches whole, no value never written.
#include <cstdlib>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/bitcask/bitcask.h"
#include "engine/kv_store.h"
#include "gtest/gtest.h"
#include "models/crash_oracle.h"
#include "models/hash_map_model.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "rapidcheck/state.h"
#include "sim/sim_env.h"
#include "tests/campaign/campaign_test_util.h"

namespace kvlab::sim {
namespace {

// Sets the budget before RapidCheck reads its configuration (at first use).
const bool kBudgetSet = [] {
  std::string params = absl::StrCat("max_success=", 8000 * testing::Scale(), " max_size=100");
  setenv("RC_PARAMS", params.c_str(), /*overwrite=*/0);
  return true;
}();

// The reference state lives in the Sut's CrashOracle (a crash leaves one of
// several legal states, known only once the oracle has checked it), so the
// RapidCheck model only counts commands.
struct Model {
  uint64_t commands = 0;
};

// The crash outcomes a power loss may give: unsynced writes kept, dropped or
// torn; unsynced directory ops lost. No injected I/O errors: every error a
// command sees must come from a crash point.
FaultProfile CrashOutcomes() {
  FaultProfile p = FaultProfile::None();
  p.torn_write = 0.2;
  p.unsynced_keep = 0.5;
  p.lose_unsynced_dir_ops = 0.5;
  return p;
}

struct Sut {
  explicit Sut(uint64_t seed) : env(seed, CrashOutcomes()), oracle(Durability::kSyncPoint) {
    options.max_file_size = 2048;  // Small: rollovers, hint files and merges happen.
    Open();
  }

  absl::Status TryOpen() {
    absl::StatusOr<std::unique_ptr<bitcask::BitcaskStore>> s =
        bitcask::BitcaskStore::Open(env.env(), "db", options);
    if (!s.ok()) return s.status();
    store = std::move(*s);
    return absl::OkStatus();
  }
  void Open() {
    absl::Status s = TryOpen();
    if (!s.ok()) RC_FAIL(absl::StrCat("open failed: ", s.ToString()));
  }

  void CrashAndRecover() {
    env.Crash();
    store.reset();
    Open();
    absl::Status s = oracle.CheckRecovered(*store);
    if (!s.ok()) RC_FAIL(absl::StrCat("recovery: ", s.ToString()));
  }

  // An error is legal only at a crash point; a crash point means fail-stop.
  void Settle(const absl::Status& status) {
    if (!status.ok() && !env.crash_pending()) {
      RC_FAIL(absl::StrCat("error with no crash point: ", status.ToString()));
    }
    if (env.crash_pending()) CrashAndRecover();
  }

  void Write(const WriteBatch& batch, bool sync, const absl::Status& status) {
    if (status.ok()) {
      oracle.Acknowledged(batch);
      if (sync) oracle.Synced();
    } else {
      oracle.Uncertain(batch);
    }
    Settle(status);
  }

  SimEnv env;
  bitcask::Options options;
  std::unique_ptr<KvStore> store;
  models::CrashOracle oracle;
};

using Command = rc::state::Command<Model, Sut>;

rc::Gen<std::string> Key() { return rc::gen::elementOf(std::vector<std::string>{"a", "b", "c", "d"}); }
rc::Gen<std::string> Value() {
  return rc::gen::oneOf(rc::gen::container<std::string>(rc::gen::inRange('a', 'z')),
                        rc::gen::map(rc::gen::inRange<size_t>(1, 700),
                                     [](size_t n) { return std::string(n, 'v'); }));
}

struct CountingCommand : Command {
  void apply(Model& m) const override { ++m.commands; }
};

struct Put : CountingCommand {
  std::string key = *Key();
  std::string value = *Value();
  bool sync = *rc::gen::inRange(0, 6) == 0;
  void run(const Model&, Sut& sut) const override {
    WriteBatch b;
    b.Put(key, value);
    sut.Write(b, sync, sut.store->Put(WriteOptions{sync}, key, value));
  }
  void show(std::ostream& os) const override {
    os << "Put(" << key << ", " << value.size() << " B" << (sync ? ", sync" : "") << ")";
  }
};

struct Delete : CountingCommand {
  std::string key = *Key();
  bool sync = *rc::gen::inRange(0, 6) == 0;
  void run(const Model&, Sut& sut) const override {
    WriteBatch b;
    b.Delete(key);
    sut.Write(b, sync, sut.store->Delete(WriteOptions{sync}, key));
  }
  void show(std::ostream& os) const override {
    os << "Delete(" << key << (sync ? ", sync" : "") << ")";
  }
};

struct Batch : CountingCommand {
  std::vector<std::pair<std::string, std::string>> puts =  // Empty value = delete.
      *rc::gen::container<std::vector<std::pair<std::string, std::string>>>(
          rc::gen::pair(Key(), Value()));
  bool sync = *rc::gen::inRange(0, 4) == 0;
  void run(const Model&, Sut& sut) const override {
    WriteBatch b;
    for (const auto& [k, v] : puts) {
      if (v.empty()) {
        b.Delete(k);
      } else {
        b.Put(k, v);
      }
    }
    sut.Write(b, sync, sut.store->Write(WriteOptions{sync}, b));
  }
  void show(std::ostream& os) const override {
    os << "Batch(" << puts.size() << " ops" << (sync ? ", sync" : "") << ")";
  }
};

struct Get : CountingCommand {
  std::string key = *Key();
  void run(const Model&, Sut& sut) const override {
    absl::StatusOr<std::string> got = sut.store->Get(ReadOptions(), key);
    if (!got.ok() && !absl::IsNotFound(got.status())) {
      sut.Settle(got.status());
      return;
    }
    std::optional<std::string> expected = sut.oracle.model().Get(key);
    RC_ASSERT(got.ok() == expected.has_value());
    if (got.ok()) RC_ASSERT(*got == *expected);
    sut.Settle(absl::OkStatus());
  }
  void show(std::ostream& os) const override { os << "Get(" << key << ")"; }
};

struct Sync : CountingCommand {
  void run(const Model&, Sut& sut) const override {
    absl::Status s = sut.store->Sync();
    if (s.ok()) sut.oracle.Synced();
    sut.Settle(s);
  }
  void show(std::ostream& os) const override { os << "Sync"; }
};

struct Merge : CountingCommand {
  void run(const Model&, Sut& sut) const override {
    sut.Settle(sut.store->Maintain(MaintenanceKind::kMerge));
  }
  void show(std::ostream& os) const override { os << "Merge"; }
};

struct Reopen : CountingCommand {
  void run(const Model&, Sut& sut) const override {
    absl::Status s = sut.store->Close();
    if (!s.ok()) {
      sut.Settle(s);
      return;
    }
    sut.store.reset();
    sut.Settle(sut.TryOpen());  // A crash point inside open: crash, recover.
  }
  void show(std::ostream& os) const override { os << "Reopen"; }
};

struct Crash : CountingCommand {
  uint64_t after_ops = *rc::gen::oneOf(rc::gen::just<uint64_t>(0),
                                       rc::gen::inRange<uint64_t>(1, 40));
  void run(const Model&, Sut& sut) const override {
    if (after_ops == 0) {
      sut.CrashAndRecover();
    } else {
      sut.env.ScheduleCrashAfterOps(after_ops);
    }
  }
  void show(std::ostream& os) const override {
    os << (after_ops == 0 ? std::string("Crash") : absl::StrCat("CrashAtDeviceOp(+", after_ops, ")"));
  }
};

TEST(BitcaskStateful, MatchesHashMapModelThroughReopenMergeAndCrashes) {
  ASSERT_TRUE(kBudgetSet);
  EXPECT_TRUE(rc::check("bitcask vs HashMapModel with crashes", [] {
    uint64_t seed = *rc::gen::inRange<uint64_t>(1, 1u << 30);
    Sut sut(seed);
    rc::state::check(Model(), sut,
                     rc::state::gen::execOneOfWithArgs<Put, Put, Get, Get, Delete, Batch, Sync,
                                                       Merge, Reopen, Crash>());
    // The end is a crash too: whatever was synced must be there.
    sut.CrashAndRecover();
  }));
}

}  // namespace
}  // namespace kvlab::sim
