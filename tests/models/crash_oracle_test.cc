// CrashOracle: named legal and illegal recovered states, the corruption rule,
// uncertain ops, kNone, and a property that the oracle accepts exactly the
// states a brute-force reading of the contract calls legal.
#include "models/crash_oracle.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "engine/memory/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "models/state_hash.h"
#include "tests/models/test_util.h"

namespace kvlab::models {
namespace {

using ::kvlab::testing::DeleteOp;
using ::kvlab::testing::PutOp;
using ::testing::HasSubstr;
using Found = absl::flat_hash_map<std::string, std::string>;
using KeySet = absl::flat_hash_set<std::string>;

TEST(CrashOracle, AcceptsEveryPrefixFromTheSyncPoint) {
  for (size_t p = 0; p <= 3; ++p) {
    CrashOracle o(Durability::kSyncPoint);
    o.Acknowledged(PutOp("a", "1"));
    o.Synced();
    o.Acknowledged(PutOp("b", "1"));
    o.Acknowledged(PutOp("a", "2"));
    o.Acknowledged(DeleteOp("b"));
    const Found states[] = {{{"a", "1"}}, {{"a", "1"}, {"b", "1"}}, {{"a", "2"}, {"b", "1"}},
                            {{"a", "2"}}};
    EXPECT_TRUE(o.CheckRecoveredState(states[p]).ok()) << "prefix " << p;
    EXPECT_EQ(o.model().Values(), states[p]);  // Adopted as the new base.
  }
}

TEST(CrashOracle, RejectsALostSyncedWriteAndNamesTheKey) {
  CrashOracle o(Durability::kSyncPoint);
  o.Acknowledged(PutOp("a", "1"));
  o.Acknowledged(PutOp("key7", "old"));
  o.Synced();
  o.Acknowledged(PutOp("key7", "new"));
  o.Synced();
  absl::Status s = o.CheckRecoveredState({{"a", "1"}, {"key7", "old"}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("First differing key \"key7\": found \"old\""));
  EXPECT_THAT(s.message(), HasSubstr("[\"new\"]"));
  EXPECT_THAT(s.message(), HasSubstr("older value"));
  EXPECT_THAT(s.message(), HasSubstr("3 acknowledged, 3 synced"));
  EXPECT_EQ(o.counters().synced_ops_lost, 1u);
  // A failed check leaves the oracle as it was: the right state still passes.
  EXPECT_TRUE(o.CheckRecoveredState({{"a", "1"}, {"key7", "new"}}).ok());
}

TEST(CrashOracle, RejectsAValueNeverWritten) {
  CrashOracle o(Durability::kSyncPoint);
  o.Acknowledged(PutOp("a", "1"));
  o.Acknowledged(PutOp("b", "2"));
  absl::Status s = o.CheckRecoveredState({{"a", "1"}, {"b", "garbage"}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("\"b\": found \"garbage\""));
  EXPECT_THAT(s.message(), HasSubstr("never written"));
  EXPECT_EQ(o.counters().wrong_values, 1u);
  s = o.CheckRecoveredState({{"zz", "1"}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("key \"zz\" was never written"));
}

TEST(CrashOracle, RejectsADeleteResurrectedBeforeALaterSyncedOp) {
  CrashOracle o(Durability::kSyncPoint);
  o.Acknowledged(PutOp("k", "1"));
  o.Synced();
  o.Acknowledged(DeleteOp("k"));
  o.Acknowledged(PutOp("j", "2"));
  o.Synced();
  absl::Status s = o.CheckRecoveredState({{"k", "1"}, {"j", "2"}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("key \"k\": found \"1\""));
  EXPECT_THAT(s.message(), HasSubstr("[<absent>]"));
  EXPECT_TRUE(o.CheckRecoveredState({{"j", "2"}}).ok());
}

TEST(CrashOracle, RejectsAMixOfTwoPrefixes) {
  CrashOracle o(Durability::kSyncPoint);
  o.Acknowledged(PutOp("a", "1"));
  o.Acknowledged(PutOp("b", "1"));  // b without a: no prefix has that.
  absl::Status s = o.CheckRecoveredState({{"b", "1"}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("First differing key \"a\""));
  EXPECT_THAT(s.message(), HasSubstr("mixes two prefixes"));
  // A batch is atomic: half of one is a mix too.
  CrashOracle batch_oracle(Durability::kSyncPoint);
  WriteBatch b;
  b.Put("x", "1");
  b.Put("y", "1");
  batch_oracle.Acknowledged(b);
  EXPECT_FALSE(batch_oracle.CheckRecoveredState({{"y", "1"}}).ok());
  EXPECT_TRUE(batch_oracle.CheckRecoveredState({}).ok());
}

TEST(CrashOracle, CorruptionOfSyncedDataIsAnErrorOnlyWhenTheProfileCannotDamageIt) {
  for (bool lenient : {false, true}) {
    CrashOracle o(Durability::kSyncPoint, CrashOracle::Options{lenient});
    o.Acknowledged(PutOp("synced", "1"));
    o.Synced();
    o.Acknowledged(PutOp("unsynced", "2"));
    // Damage within the unsynced suffix is always legal (either prefix).
    EXPECT_TRUE(o.CheckRecoveredState({{"synced", "1"}}, KeySet{"unsynced"}).ok());
    EXPECT_EQ(o.counters().corruptions_reported, 1u);
    // Damage of synced data: legal only with a profile that can cause it.
    absl::Status s = o.CheckRecoveredState({}, KeySet{"synced"});
    EXPECT_EQ(s.ok(), lenient) << s;
    if (!lenient) {
      EXPECT_THAT(s.message(), HasSubstr("\"synced\" reads back as Corruption"));
    }
    // The rest of the state must still match one candidate.
    EXPECT_FALSE(o.CheckRecoveredState({{"unsynced", "x"}}, KeySet{"synced"}).ok());
  }
}

TEST(CrashOracle, AKeyDamagedAtOneCheckMayStayCorruptUntilItReadsBackHealthy) {
  CrashOracle o(Durability::kSyncPoint);  // Strict: synced data is never damaged.
  o.Acknowledged(PutOp("k", "1"));
  o.Synced();
  o.Acknowledged(PutOp("k", "2"));  // Unsynced: its record may be torn by the crash.
  ASSERT_TRUE(o.CheckRecoveredState({}, KeySet{"k"}).ok());
  EXPECT_TRUE(o.CheckRecoveredState({}, KeySet{"k"}).ok());  // Still damaged: legal.
  absl::Status s = o.CheckRecoveredState({{"k", "9"}});
  ASSERT_FALSE(s.ok());  // Never held.
  EXPECT_THAT(s.message(), HasSubstr("\"k\" was reported as Corruption at an earlier check"));
  ASSERT_TRUE(o.CheckRecoveredState({{"k", "1"}}).ok());  // Healthy again, as the synced value.
  EXPECT_EQ(o.model().Get("k"), "1");
  EXPECT_FALSE(o.CheckRecoveredState({}, KeySet{"k"}).ok());  // Now pinned and healthy.
}

// Every model entry carries the value hash of its value, whichever way it got
// there: a put, a batch, a check that adopts a prefix, a damaged key healed.
TEST(CrashOracle, ModelEntriesCarryTheirValueHash) {
  CrashOracle o(Durability::kSyncPoint);
  auto expect_hashes = [&o](const char* when) {
    for (const auto& [key, value] : o.model().Values()) {
      const RefModel::Entry* e = o.model().FindEntry(key);
      ASSERT_NE(e, nullptr) << when << ": " << key;
      EXPECT_EQ(e->value_hash, ValueHash(value)) << when << ": " << key;
      EXPECT_EQ(e->hash, EntryHash(key, value)) << when << ": " << key;
    }
  };
  o.Acknowledged(PutOp("k", "1"));
  WriteBatch batch;
  batch.Put("a", std::string(100, 'a'));
  batch.Put("b", "");
  o.Acknowledged(batch);
  o.Synced();
  o.Acknowledged(PutOp("k", "2"));
  expect_hashes("after writes");
  ASSERT_TRUE(o.CheckRecoveredState({{"a", std::string(100, 'a')}, {"b", ""}}, KeySet{"k"}).ok());
  expect_hashes("after a check with a damaged key");
  ASSERT_TRUE(o.CheckRecoveredState({{"a", std::string(100, 'a')}, {"b", ""}, {"k", "1"}}).ok());
  EXPECT_EQ(o.model().Get("k"), "1");  // Healed: the value read back.
  expect_hashes("after the damaged key healed");
}

TEST(CrashOracle, UncertainOpsMayOrMayNotBeApplied) {
  for (int applied = 0; applied < 2; ++applied) {
    CrashOracle o(Durability::kSyncPoint);
    o.Acknowledged(PutOp("a", "1"));
    o.Uncertain(PutOp("a", "2"));
    o.Acknowledged(PutOp("b", "1"));
    o.Synced();  // Required: a=1 and b=1; a=2 undecided.
    EXPECT_EQ(o.model().Get("a"), "1");
    EXPECT_EQ(o.uncertain_in_window(), 1u);
    Found state = {{"a", applied ? "2" : "1"}, {"b", "1"}};
    EXPECT_TRUE(o.CheckRecoveredState(state).ok());
    EXPECT_EQ(o.model().Values(), state);
    EXPECT_EQ(o.uncertain_in_window(), 0u);
    EXPECT_FALSE(o.CheckRecoveredState({{"a", "1"}}).ok());  // b was synced.
  }
}

TEST(CrashOracleDeathTest, TooManyUncertainOpsTellTheDriverToCrashSooner) {
  CrashOracle o(Durability::kSyncPoint);
  for (size_t i = 0; i < CrashOracle::kMaxUncertainOps; ++i) o.Uncertain(PutOp("a", "x"));
  EXPECT_DEATH(o.Uncertain(PutOp("a", "x")), "crash and CheckRecovered sooner");
}

TEST(CrashOracle, DurabilityNoneAcceptsAnyPrefixIncludingEmpty) {
  CrashOracle o(Durability::kNone);
  o.Acknowledged(PutOp("a", "1"));
  o.Synced();  // Ignored: nothing is promised.
  o.Acknowledged(PutOp("b", "1"));
  EXPECT_EQ(o.required_in_window(), 0u);
  EXPECT_TRUE(o.CheckRecoveredState({}).ok());
  o.Acknowledged(PutOp("c", "1"));
  EXPECT_FALSE(o.CheckRecoveredState({{"a", "1"}}).ok());  // Not a prefix since the check.
  EXPECT_TRUE(o.CheckRecoveredState({{"c", "1"}}).ok());
}

TEST(CrashOracle, LaterOpsAppendToTheAdoptedState) {
  CrashOracle o(Durability::kSyncPoint);
  o.Acknowledged(PutOp("a", "1"));
  o.Acknowledged(PutOp("a", "2"));
  ASSERT_TRUE(o.CheckRecoveredState({{"a", "1"}}).ok());  // Lost the unsynced a=2.
  o.Acknowledged(PutOp("b", "1"));
  o.Synced();
  EXPECT_FALSE(o.CheckRecoveredState({{"a", "2"}, {"b", "1"}}).ok());
  EXPECT_TRUE(o.CheckRecoveredState({{"a", "1"}, {"b", "1"}}).ok());
  EXPECT_EQ(o.counters().checks, 3u);
  EXPECT_EQ(o.window_size(), 0u);
}

// A store whose Get reports Corruption for one key (as an engine does when a
// record fails its checksum) and otherwise delegates to a memory store.
class CorruptKeyStore : public KvStore {
 public:
  CorruptKeyStore(KvStore& inner, std::string bad) : inner_(inner), bad_(std::move(bad)) {}
  absl::StatusOr<std::string> Get(const ReadOptions& r, std::string_view key) override {
    if (key == bad_) return CorruptionError("data file 3 offset 4096: checksum mismatch");
    return inner_.Get(r, key);
  }
  absl::Status Put(const WriteOptions& w, std::string_view k, std::string_view v) override {
    return inner_.Put(w, k, v);
  }
  absl::Status Delete(const WriteOptions& w, std::string_view k) override {
    return inner_.Delete(w, k);
  }
  absl::Status Write(const WriteOptions& w, const WriteBatch& b) override {
    return inner_.Write(w, b);
  }
  absl::Status Sync() override { return inner_.Sync(); }
  absl::Status Maintain(MaintenanceKind k) override { return inner_.Maintain(k); }
  Stats GetStats() override { return inner_.GetStats(); }
  Capabilities GetCapabilities() const override { return inner_.GetCapabilities(); }
  absl::Status Close() override { return inner_.Close(); }

 private:
  KvStore& inner_;
  std::string bad_;
};

TEST(CrashOracle, CorruptionThroughGetIsAWildcardForUnsyncedKeys) {
  auto store = memory::NewMemoryStore(memory::MemoryOptions());
  CrashOracle o(Durability::kSyncPoint);
  ASSERT_TRUE(store->Put(WriteOptions(), "synced", "1").ok());
  o.Acknowledged(PutOp("synced", "1"));
  o.Synced();
  ASSERT_TRUE(store->Put(WriteOptions(), "fresh", "2").ok());
  o.Acknowledged(PutOp("fresh", "2"));
  CorruptKeyStore fresh_bad(*store, "fresh");
  EXPECT_TRUE(o.CheckRecovered(fresh_bad).ok());
  EXPECT_EQ(o.counters().corruptions_reported, 1u);
  CorruptKeyStore synced_bad(*store, "synced");  // Synced by adoption: now pinned.
  absl::Status s = o.CheckRecovered(synced_bad);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("\"synced\" reads back as Corruption"));
}

TEST(CrashOracle, ChecksAStoreThroughGet) {
  auto store = memory::NewMemoryStore(memory::MemoryOptions());
  CrashOracle o(Durability::kSyncPoint);
  for (int i = 0; i < 100; ++i) {
    const std::string key = "k" + std::to_string(i % 17);
    if (i % 5 == 4) {
      ASSERT_TRUE(store->Delete(WriteOptions(), key).ok());
      o.Acknowledged(DeleteOp(key));
    } else {
      ASSERT_TRUE(store->Put(WriteOptions(), key, std::to_string(i)).ok());
      o.Acknowledged(PutOp(key, std::to_string(i)));
    }
    if (i % 10 == 0) o.Synced();
  }
  EXPECT_EQ(o.keys().size(), 17u);
  EXPECT_TRUE(o.CheckRecovered(*store).ok());
  // A store that lost everything violates the synced prefix.
  auto empty = memory::NewMemoryStore(memory::MemoryOptions());
  absl::Status s = o.CheckRecovered(*empty);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("First differing key \"k0\""));
  EXPECT_THAT(s.message(), HasSubstr("is missing, but every legal state holds it"));
  EXPECT_EQ(o.counters().synced_ops_lost, 1u);
  // A closed store cannot be read: the check says so.
  ASSERT_TRUE(store->Close().ok());
  s = o.CheckRecovered(*store);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("reading key"));
}

}  // namespace
}  // namespace kvlab::models
