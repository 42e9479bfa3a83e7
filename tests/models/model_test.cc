// HashMapModel and OrderedModel against a naive std::map reference; KeyTable
// against a std::map numbering.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "models/hash_map_model.h"
#include "models/ordered_model.h"
#include "models/ref_model.h"
#include "models/state_hash.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "tests/models/test_util.h"

namespace kvlab::models {
namespace {

using Ref = std::map<std::string, std::string>;
using Entries = OrderedModel::Entries;

std::optional<std::string> RefGet(const Ref& ref, const std::string& key) {
  auto it = ref.find(key);
  if (it == ref.end()) return std::nullopt;
  return it->second;
}

Entries RefScan(const Ref& ref, const std::string& start, const std::string& end, size_t limit) {
  Entries out;
  for (auto it = ref.lower_bound(start); it != ref.end() && out.size() < limit; ++it) {
    if (!end.empty() && it->first >= end) break;
    out.push_back(*it);
  }
  return out;
}

Entries RefPrefix(const Ref& ref, const std::string& prefix, size_t limit) {
  Entries out;
  for (const auto& kv : ref) {
    if (kv.first.compare(0, prefix.size(), prefix) == 0 && out.size() < limit) out.push_back(kv);
  }
  return out;
}

uint64_t RefHash(const Ref& ref) {
  uint64_t h = 0;
  for (const auto& [k, v] : ref) h += EntryHash(k, v);
  return h;
}

// Keys over a small alphabet so that prefixes and overwrites are common.
rc::Gen<std::string> GenKey() {
  return rc::gen::container<std::string>(*rc::gen::inRange<size_t>(0, 4),
                                         rc::gen::elementOf(std::string("abc")));
}

TEST(StateHash, EntryHashSeparatesKeyFromValue) {
  EXPECT_NE(EntryHash("ab", "c"), EntryHash("a", "bc"));
  EXPECT_NE(EntryHash("k", ""), EntryHash("", "k"));
  EXPECT_NE(EntryHash("k", "v"), EntryHash("k", "w"));
  EXPECT_EQ(EntryHash("k", "v"), EntryHash(std::string("k"), std::string("v")));
  EXPECT_NE(HashBytes("12345678", 0), HashBytes("12345679", 0));
  EXPECT_NE(HashBytes(std::string(9, '\0'), 0), HashBytes(std::string(10, '\0'), 0));
}

// ValueHash is the simulator's read hash (HashBytes(value, 1)), and the
// entry hash built from it is EntryHash, for short, boundary and long values.
TEST(StateHash, ValueHashBuildsTheEntryHash) {
  for (const std::string& value : {std::string(), std::string("v"), std::string(32, 'x'),
                                   std::string(33, 'x'), std::string(4000, 'y')}) {
    for (const std::string& key : {std::string("k07"), std::string("a-longer-key")}) {
      EXPECT_EQ(ValueHash(value), HashBytes(value, 1));
      EXPECT_EQ(EntryHashOfHashes(EntryKeyHash(key), ValueHash(value)), EntryHash(key, value));
      const PutHashes h = HashPut(EntryKeyHash(key), value);
      EXPECT_EQ(h.value, ValueHash(value));
      EXPECT_EQ(h.entry, EntryHash(key, value));
    }
  }
  EXPECT_NE(ValueHash("v1"), ValueHash("v2"));
}

TEST(HashMapModel, BasicOperations) {
  HashMapModel m;
  EXPECT_EQ(m.StateHash(), 0u);
  m.Put("a", "1");
  m.Put("b", "2");
  m.Put("a", "3");
  EXPECT_EQ(m.Get("a"), "3");
  EXPECT_EQ(m.size(), 2u);
  m.Delete("a");
  m.Delete("missing");
  EXPECT_EQ(m.Get("a"), std::nullopt);
  EXPECT_EQ(m.Find("b")->compare("2"), 0);
  WriteBatch b;
  b.Put("c", "x");
  b.Delete("b");
  m.Apply(b);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.StateHash(), EntryHash("c", "x"));
  m.Delete("c");
  EXPECT_EQ(m.StateHash(), 0u);
}

// Any op sequence: the same Get/Scan results and the same hash as std::map.
RC_GTEST_PROP(Models, MatchNaiveMapReference, ()) {
  HashMapModel hm;
  OrderedModel om;
  Ref ref;
  struct Snap {
    OrderedModel::SnapshotId id;
    Ref ref;
  };
  std::vector<Snap> snaps;
  const int steps = testing::Pick<int>(1, 60 * testing::Scale());
  for (int i = 0; i < steps; ++i) {
    const int what = testing::Pick<int>(0, 8);
    const std::string key = *GenKey();
    if (what <= 2) {
      const std::string value = *rc::gen::container<std::string>(
          *rc::gen::inRange<size_t>(0, 3), rc::gen::elementOf(std::string("xyz")));
      hm.Put(key, value);
      om.Put(key, value);
      ref[key] = value;
    } else if (what == 3) {
      hm.Delete(key);
      om.Delete(key);
      ref.erase(key);
    } else if (what == 4) {
      WriteBatch b;
      const int n = *rc::gen::inRange(0, 4);
      for (int j = 0; j < n; ++j) {
        const std::string k = *GenKey();
        if (*rc::gen::arbitrary<bool>()) {
          b.Put(k, std::to_string(j));
          ref[k] = std::to_string(j);
        } else {
          b.Delete(k);
          ref.erase(k);
        }
      }
      hm.Apply(b);
      om.Apply(b);
    } else if (what == 5) {
      snaps.push_back(Snap{om.TakeSnapshot(), ref});
    } else if (what == 6 && !snaps.empty()) {
      const size_t at = *rc::gen::inRange<size_t>(0, snaps.size());
      om.ReleaseSnapshot(snaps[at].id);
      snaps.erase(snaps.begin() + at);
    }
    // Reads: current state and every live snapshot.
    RC_ASSERT(hm.Get(key) == RefGet(ref, key));
    RC_ASSERT(om.Get(key) == RefGet(ref, key));
    const std::string end = *GenKey();
    const size_t limit = *rc::gen::inRange<size_t>(0, 6);
    RC_ASSERT(om.Scan(key, end, limit) == RefScan(ref, key, end, limit));
    RC_ASSERT(om.PrefixScan(key, limit) == RefPrefix(ref, key, limit));
    for (const Snap& s : snaps) {
      RC_ASSERT(om.Get(key, s.id) == RefGet(s.ref, key));
      RC_ASSERT(om.Scan(key, end, limit, s.id) == RefScan(s.ref, key, end, limit));
      RC_ASSERT(om.PrefixScan(key, limit, s.id) == RefPrefix(s.ref, key, limit));
    }
    RC_ASSERT(hm.size() == ref.size());
    RC_ASSERT(om.size() == ref.size());
    RC_ASSERT(hm.StateHash() == RefHash(ref));
    RC_ASSERT(om.StateHash() == hm.StateHash());
    RC_ASSERT(om.live_snapshots() == snaps.size());
  }
}

// Equal states reached by different operation orders have equal hashes;
// different states (almost surely) do not.
RC_GTEST_PROP(Models, StateHashDependsOnlyOnState, ()) {
  const auto pairs = *rc::gen::arbitrary<std::vector<std::pair<std::string, std::string>>>();
  const std::map<std::string, std::string> entries(pairs.begin(), pairs.end());
  std::vector<std::pair<std::string, std::string>> order(entries.begin(), entries.end());
  // A random permutation: sort by generated ranks.
  const auto ranks = *rc::gen::container<std::vector<uint32_t>>(
      order.size(), rc::gen::arbitrary<uint32_t>());
  std::vector<size_t> perm(order.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::sort(perm.begin(), perm.end(), [&](size_t a, size_t b) { return ranks[a] < ranks[b]; });
  std::vector<std::pair<std::string, std::string>> shuffled;
  for (size_t i : perm) shuffled.push_back(order[i]);
  HashMapModel forward, backward;
  for (const auto& [k, v] : order) forward.Put(k, v);
  for (auto it = shuffled.rbegin(); it != shuffled.rend(); ++it) {
    backward.Put(it->first, "junk");  // Overwritten and deleted detours.
    backward.Put("detour", "x");
    backward.Delete("detour");
    backward.Put(it->first, it->second);
  }
  if (entries.count("detour") != 0) backward.Put("detour", entries.at("detour"));
  RC_ASSERT(forward.StateHash() == backward.StateHash());
  RC_ASSERT(forward == backward);
  if (!entries.empty()) {
    HashMapModel changed = forward;
    changed.Put(order[0].first, order[0].second + "!");
    RC_ASSERT(changed.StateHash() != forward.StateHash());
    changed.Delete(order[0].first);
    RC_ASSERT(changed.StateHash() != forward.StateHash());
  }
}

TEST(OrderedModel, SnapshotsShareOneCopyUntilAWrite) {
  OrderedModel m;
  m.Put("a", "1");
  auto s1 = m.TakeSnapshot();
  auto s2 = m.TakeSnapshot();
  m.Put("a", "2");
  m.Delete("missing");  // No-op: still one state since s2.
  auto s3 = m.TakeSnapshot();
  EXPECT_EQ(m.Get("a", s1), "1");
  EXPECT_EQ(m.Get("a", s2), "1");
  EXPECT_EQ(m.Get("a", s3), "2");
  m.ReleaseSnapshot(s1);
  EXPECT_EQ(m.Get("a", s2), "1");
  EXPECT_EQ(m.live_snapshots(), 2u);
  EXPECT_NE(s1, s2);
}

// Ids in first-interned order, the same from Intern and Find, for short keys
// (packed, behind the direct-mapped cache, many sharing a slot), the empty
// key, keys with NUL bytes and long keys; Find never numbers a key.
TEST(KeyTable, NumbersKeysInFirstInternedOrder) {
  KeyTable table;
  std::map<std::string, uint32_t> ref;
  std::vector<std::string> keys = {"", std::string(1, '\0'), std::string(2, '\0'), "k00",
                                   "a-longer-key", "1234567", "12345678"};
  for (int i = 0; i < 2000; ++i) keys.push_back("k" + std::to_string(i));
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < keys.size(); i += 1 + round) {
      const std::string& key = keys[(i * 7919) % keys.size()];
      auto [it, inserted] = ref.try_emplace(key, static_cast<uint32_t>(ref.size()));
      if (inserted) ASSERT_EQ(table.Find(key), KeyTable::kNone) << key;
      ASSERT_EQ(table.Intern(key), it->second) << key;
      ASSERT_EQ(table.Find(key), it->second) << key;
      ASSERT_EQ(table.key(it->second), key);
      ASSERT_EQ(table.key_hash(it->second), EntryKeyHash(key));
      ASSERT_EQ(EntryHashOf(table.key_hash(it->second), "v" + key), EntryHash(key, "v" + key));
    }
  }
  ASSERT_EQ(table.size(), ref.size());
  for (const auto& [key, id] : ref) ASSERT_EQ(table.Find(key), id) << key;
  EXPECT_EQ(table.Find("never"), KeyTable::kNone);
  EXPECT_EQ(table.Find("k2000"), KeyTable::kNone);
}

}  // namespace
}  // namespace kvlab::models
