// The memory engine against the KvStore contract: point ops, batches, RMW,
// scans, snapshot isolation, Close, the unordered variant, and a property
// against OrderedModel with live snapshots and iterators.
#include "engine/memory/memory_store.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "models/ordered_model.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "tests/models/test_util.h"

namespace kvlab::memory {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;
const WriteOptions kWrite;
const ReadOptions kRead;

std::unique_ptr<KvStore> Open(bool ordered = true) {
  MemoryOptions options;
  options.ordered = ordered;
  return NewMemoryStore(options);
}

Entries ReadAll(Iterator& it) {
  Entries out;
  for (it.SeekToFirst(); it.Valid(); it.Next()) out.emplace_back(it.key(), it.value());
  return out;
}

TEST(MemoryStore, PutGetDelete) {
  auto db = Open();
  EXPECT_TRUE(absl::IsNotFound(db->Get(kRead, "a").status()));
  ASSERT_TRUE(db->Put(kWrite, "a", "1").ok());
  ASSERT_TRUE(db->Put(kWrite, "a", "22").ok());
  EXPECT_EQ(*db->Get(kRead, "a"), "22");
  ASSERT_TRUE(db->Delete(kWrite, "a").ok());
  ASSERT_TRUE(db->Delete(kWrite, "never").ok());  // Deleting a missing key is OK.
  EXPECT_TRUE(absl::IsNotFound(db->Get(kRead, "a").status()));
  ASSERT_TRUE(db->Put(kWrite, std::string("k\0y", 3), "").ok());  // Binary key, empty value.
  EXPECT_EQ(*db->Get(kRead, std::string("k\0y", 3)), "");
  EXPECT_TRUE(db->Sync().ok());
}

TEST(MemoryStore, BatchAppliesInOrder) {
  auto db = Open();
  ASSERT_TRUE(db->Put(kWrite, "gone", "x").ok());
  WriteBatch b;
  b.Put("a", "1");
  b.Put("a", "2");
  b.Delete("gone");
  b.Put("b", "3");
  ASSERT_TRUE(db->Write(kWrite, b).ok());
  EXPECT_EQ(*db->Get(kRead, "a"), "2");
  EXPECT_EQ(*db->Get(kRead, "b"), "3");
  EXPECT_TRUE(absl::IsNotFound(db->Get(kRead, "gone").status()));
}

TEST(MemoryStore, ReadModifyWrite) {
  auto db = Open();
  auto r = db->ReadModifyWrite(kWrite, "n", [](std::optional<std::string_view> old) {
    return old.has_value() ? std::string(*old) + "+" : std::string("new");
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "new");
  r = db->ReadModifyWrite(kWrite, "n", [](std::optional<std::string_view> old) {
    return old.has_value() ? std::string(*old) + "+" : std::string("new");
  });
  EXPECT_EQ(*r, "new+");
  EXPECT_EQ(*db->Get(kRead, "n"), "new+");
}

TEST(MemoryStore, ConcurrentReadModifyWritesLoseNoUpdate) {
  auto db = Open(/*ordered=*/false);
  auto add = [&] {
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(db->ReadModifyWrite(kWrite, "count", [](std::optional<std::string_view> old) {
                      return std::to_string(old ? std::stoi(std::string(*old)) + 1 : 1);
                    }).ok());
    }
  };
  std::thread t1(add), t2(add);
  t1.join();
  t2.join();
  EXPECT_EQ(*db->Get(kRead, "count"), "4000");
}

TEST(MemoryStore, ScansAndPrefixScans) {
  auto db = Open();
  for (const char* k : {"a", "ab", "abc", "b", "ba", "c"}) ASSERT_TRUE(db->Put(kWrite, k, k).ok());
  auto s = db->Scan(kRead, "ab", "ba", 10);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (Entries{{"ab", "ab"}, {"abc", "abc"}, {"b", "b"}}));
  EXPECT_EQ(*db->Scan(kRead, "", "", 2), (Entries{{"a", "a"}, {"ab", "ab"}}));
  EXPECT_EQ(*db->PrefixScan(kRead, "ab", 10), (Entries{{"ab", "ab"}, {"abc", "abc"}}));
  EXPECT_EQ(*db->PrefixScan(kRead, "z", 10), Entries{});
  auto it = *db->NewIterator(kRead);
  it->Seek("abd");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");
  EXPECT_TRUE(it->status().ok());
}

TEST(MemoryStore, SnapshotIsolation) {
  auto db = Open();
  ASSERT_TRUE(db->Put(kWrite, "a", "1").ok());
  ASSERT_TRUE(db->Put(kWrite, "b", "1").ok());
  auto s1 = *db->NewSnapshot();
  ASSERT_TRUE(db->Put(kWrite, "a", "2").ok());
  ASSERT_TRUE(db->Delete(kWrite, "b").ok());
  ASSERT_TRUE(db->Put(kWrite, "c", "2").ok());
  auto s2 = *db->NewSnapshot();
  ASSERT_TRUE(db->Put(kWrite, "b", "3").ok());
  ASSERT_TRUE(db->Delete(kWrite, "c").ok());
  ReadOptions at1, at2;
  at1.snapshot = s1.get();
  at2.snapshot = s2.get();
  EXPECT_EQ(*db->Get(at1, "a"), "1");
  EXPECT_EQ(*db->Get(at1, "b"), "1");
  EXPECT_TRUE(absl::IsNotFound(db->Get(at1, "c").status()));
  EXPECT_EQ(*db->Scan(at1, "", "", 10), (Entries{{"a", "1"}, {"b", "1"}}));
  EXPECT_EQ(*db->Scan(at2, "", "", 10), (Entries{{"a", "2"}, {"c", "2"}}));
  EXPECT_EQ(*db->Scan(kRead, "", "", 10), (Entries{{"a", "2"}, {"b", "3"}}));
  // An iterator is a consistent view: later writes do not show.
  auto it = *db->NewIterator(kRead);
  ASSERT_TRUE(db->Put(kWrite, "a", "after").ok());
  ASSERT_TRUE(db->Put(kWrite, "0", "after").ok());
  EXPECT_EQ(ReadAll(*it), (Entries{{"a", "2"}, {"b", "3"}}));
  it.reset();
  s1.reset();
  EXPECT_EQ(*db->Get(at2, "a"), "2");
  s2.reset();
  EXPECT_EQ(db->GetStats().engine["snapshot_versions"], 0);  // Versions freed.
}

TEST(MemoryStore, CloseThenEveryCallIsFailedPrecondition) {
  auto db = Open();
  ASSERT_TRUE(db->Put(kWrite, "a", "1").ok());
  auto snap = *db->NewSnapshot();
  auto it = *db->NewIterator(kRead);
  ASSERT_TRUE(db->Close().ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(db->Put(kWrite, "a", "1")));
  EXPECT_TRUE(absl::IsFailedPrecondition(db->Get(kRead, "a").status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(db->Delete(kWrite, "a")));
  EXPECT_TRUE(absl::IsFailedPrecondition(db->Write(kWrite, WriteBatch())));
  EXPECT_TRUE(absl::IsFailedPrecondition(
      db->ReadModifyWrite(kWrite, "a", [](auto) { return std::string(); }).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(db->Sync()));
  EXPECT_TRUE(absl::IsFailedPrecondition(db->NewIterator(kRead).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(db->NewSnapshot().status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(db->Maintain(MaintenanceKind::kCompact)));
  EXPECT_TRUE(absl::IsFailedPrecondition(db->Close()));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(absl::IsFailedPrecondition(it->status()));
  db.reset();  // Snapshots and iterators may outlive the store.
  snap.reset();
  it.reset();
}

TEST(MemoryStore, UnorderedSaysUnimplementedForOrderedCalls) {
  auto db = Open(/*ordered=*/false);
  ASSERT_TRUE(db->Put(kWrite, "a", "1").ok());
  EXPECT_EQ(*db->Get(kRead, "a"), "1");
  auto it = db->NewIterator(kRead);
  EXPECT_TRUE(absl::IsUnimplemented(it.status()));
  EXPECT_NE(it.status().message().find("ordered=true"), std::string::npos);
  EXPECT_TRUE(absl::IsUnimplemented(db->NewSnapshot().status()));
  EXPECT_TRUE(absl::IsUnimplemented(db->Scan(kRead, "", "", 1).status()));
  EXPECT_FALSE(db->GetCapabilities().ordered);
}

TEST(MemoryStore, CapabilitiesAndStats) {
  auto db = Open();
  Capabilities caps = db->GetCapabilities();
  EXPECT_TRUE(caps.ordered && caps.snapshots && caps.native_rmw && caps.concurrent);
  EXPECT_EQ(caps.durability, Durability::kNone);
  ASSERT_TRUE(db->Put(kWrite, "ab", "123").ok());
  ASSERT_TRUE(db->Get(kRead, "ab").ok());
  ASSERT_FALSE(db->Get(kRead, "zz").ok());
  ASSERT_TRUE(db->Delete(kWrite, "zz").ok());
  Stats st = db->GetStats();
  EXPECT_EQ(st.puts, 1u);
  EXPECT_EQ(st.gets, 2u);
  EXPECT_EQ(st.deletes, 1u);
  EXPECT_EQ(st.user_bytes_written, 5u + 2u);
  EXPECT_EQ(st.user_bytes_read, 5u);
  EXPECT_EQ(st.live_data_bytes, 5u);
  EXPECT_TRUE(absl::IsUnimplemented(db->Maintain(MaintenanceKind::kFlush)));
}

// Random ops with live snapshots and iterators agree with OrderedModel.
RC_GTEST_PROP(MemoryStore, MatchesOrderedModelWithSnapshots, ()) {
  auto db = Open();
  models::OrderedModel model;
  struct Snap {
    std::unique_ptr<Snapshot> snapshot;
    models::OrderedModel::SnapshotId id;
  };
  std::vector<Snap> snaps;
  const std::vector<std::string> keys = {"", "a", "ab", "b", "ba", "c"};
  const int steps = testing::Pick<int>(1, 80 * testing::Scale());
  for (int i = 0; i < steps; ++i) {
    const int what = testing::Pick<int>(0, 7);
    const std::string key = testing::PickFrom(keys);
    const std::string value = std::to_string(i);
    if (what <= 1) {
      RC_ASSERT(db->Put(kWrite, key, value).ok());
      model.Put(key, value);
    } else if (what == 2) {
      RC_ASSERT(db->Delete(kWrite, key).ok());
      model.Delete(key);
    } else if (what == 3) {
      WriteBatch b;
      b.Put(key, value);
      b.Delete(testing::PickFrom(keys));
      b.Put(testing::PickFrom(keys), value + "b");
      RC_ASSERT(db->Write(kWrite, b).ok());
      model.Apply(b);
    } else if (what == 4) {
      snaps.push_back(Snap{*db->NewSnapshot(), model.TakeSnapshot()});
    } else if (what == 5 && !snaps.empty()) {
      const size_t at = testing::Pick<size_t>(0, snaps.size());
      model.ReleaseSnapshot(snaps[at].id);
      snaps.erase(snaps.begin() + at);
    }
    auto got = db->Get(kRead, key);
    RC_ASSERT(got.ok() == model.Get(key).has_value());
    if (got.ok()) RC_ASSERT(*got == *model.Get(key));
    RC_ASSERT(*db->Scan(kRead, key, "", 100) == model.Scan(key, "", 100));
    for (const Snap& s : snaps) {
      ReadOptions at;
      at.snapshot = s.snapshot.get();
      auto g = db->Get(at, key);
      RC_ASSERT(g.ok() == model.Get(key, s.id).has_value());
      RC_ASSERT(*db->Scan(at, "", "", 100) == model.Scan("", "", 100, s.id));
      RC_ASSERT(*db->PrefixScan(at, key, 100) == model.PrefixScan(key, 100, s.id));
    }
  }
  snaps.clear();
  RC_ASSERT(db->GetStats().engine["snapshot_versions"] == 0);
}

}  // namespace
}  // namespace kvlab::memory
