// KvStore::Get into a caller's string against the Get that returns one:
// Bitcask's own (the value written into the caller's capacity) and the
// default every other engine inherits (through a tiny map engine).
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/bitcask/bitcask.h"
#include "engine/bitcask/format.h"
#include "engine/kv_store.h"
#include "gtest/gtest.h"
#include "sim/sim_env.h"

namespace kvlab {
namespace {

constexpr char kSentinel[] = "left as it was";

// Both Gets of `key` agree: the same status (code and message), the same
// value on OK, and *value untouched on NotFound.
void ExpectSameGet(KvStore& store, std::string_view key) {
  absl::StatusOr<std::string> returned = store.Get(ReadOptions(), key);
  std::string value = kSentinel;
  absl::Status s = store.Get(ReadOptions(), key, &value);
  EXPECT_EQ(returned.status(), s) << key;
  if (returned.ok()) EXPECT_EQ(*returned, value) << key;
  if (absl::IsNotFound(s)) EXPECT_EQ(kSentinel, value) << key;
}

std::string Val(int i, size_t n) {
  std::string v = "v" + std::to_string(i) + ":";
  while (v.size() < n) v += static_cast<char>('a' + (v.size() * 7 + i) % 26);
  return v;
}

class BitcaskGetTest : public ::testing::Test {
 protected:
  BitcaskGetTest() : sim_(7, sim::FaultProfile::None()) { options_.max_file_size = 4096; }
  void Open() {
    store_.reset();
    auto s = bitcask::BitcaskStore::Open(sim_.env(), "db", options_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  KvStore& store() { return *store_; }

  sim::SimEnv sim_;
  bitcask::Options options_;
  std::unique_ptr<bitcask::BitcaskStore> store_;
};

TEST_F(BitcaskGetTest, MatchesTheReturningGetOnHitsMissesAndDeletes) {
  Open();
  std::vector<std::string> keys;
  for (int i = 0; i < 60; ++i) {
    keys.push_back("k" + std::to_string(i));
    // Empty, short (inline in a std::string), long, and one past the stack buffer.
    const size_t size = i == 7 ? 5000 : i % 4 == 0 ? 0 : i % 4 == 1 ? 9 : 120;
    ASSERT_TRUE(store().Put(WriteOptions(), keys.back(), Val(i, size)).ok());
  }
  for (int i = 0; i < 60; i += 5) ASSERT_TRUE(store().Delete(WriteOptions(), keys[i]).ok());
  keys.push_back("never-written");
  // Records in the write buffer, then on the device, then after a reopen.
  for (const std::string& key : keys) ExpectSameGet(store(), key);
  ASSERT_TRUE(store().Sync().ok());
  for (const std::string& key : keys) ExpectSameGet(store(), key);
  Open();
  for (const std::string& key : keys) ExpectSameGet(store(), key);
}

TEST_F(BitcaskGetTest, WritesIntoTheCallersCapacity) {
  Open();
  ASSERT_TRUE(store().Put(WriteOptions(), "big", Val(1, 3000)).ok());
  ASSERT_TRUE(store().Put(WriteOptions(), "small", Val(2, 40)).ok());
  ASSERT_TRUE(store().Sync().ok());
  std::string value;
  ASSERT_TRUE(store().Get(ReadOptions(), "big", &value).ok());
  EXPECT_EQ(Val(1, 3000), value);
  const char* const buffer = value.data();
  const size_t capacity = value.capacity();
  for (const char* key : {"small", "big", "small"}) {
    ASSERT_TRUE(store().Get(ReadOptions(), key, &value).ok());
    EXPECT_EQ(buffer, value.data()) << key << ": the string was reallocated";
    EXPECT_EQ(capacity, value.capacity()) << key;
  }
  EXPECT_EQ(Val(2, 40), value);
}

TEST_F(BitcaskGetTest, CorruptRecordIsCorruptionForBoth) {
  Open();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store().Put(WriteOptions(), "k" + std::to_string(i), Val(i, 100)).ok());
  }
  ASSERT_TRUE(store().Sync().ok());
  store_.reset();
  // Damage the value of the third record of data file 1 (after its header
  // and link record); its hint still points at it, so the store opens.
  std::string data = "db/";
  data += bitcask::DataFileName(1);
  const uint64_t third = bitcask::kFileHeaderSize +
                         bitcask::RecordSize(0, bitcask::kLinkValueSize) +
                         2 * bitcask::RecordSize(2, 100);
  {
    auto f = sim_.env().device->Open(data, OpenOptions{});
    ASSERT_TRUE(f.ok()) << f.status();
    ASSERT_TRUE((*f)->Write(third + 60, "XX").ok());
    ASSERT_TRUE((*f)->Sync().ok());
  }
  Open();
  std::string value = kSentinel;
  absl::Status s = store().Get(ReadOptions(), "k2", &value);
  ASSERT_TRUE(IsCorruption(s)) << s;
  ExpectSameGet(store(), "k2");
  for (int i = 0; i < 20; ++i) ExpectSameGet(store(), "k" + std::to_string(i));
}

// An engine that implements only the returning Get: the default Get into a
// string goes through it. `using` keeps both overloads callable on the type.
class MapStore final : public KvStore {
 public:
  using KvStore::Get;
  absl::Status Put(const WriteOptions&, std::string_view k, std::string_view v) override {
    values_[std::string(k)] = std::string(v);
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> Get(const ReadOptions&, std::string_view key) override {
    if (key == "damaged") return CorruptionError("damaged on purpose");
    auto it = values_.find(std::string(key));
    if (it == values_.end()) return absl::NotFoundError("no such key");
    return it->second;
  }
  absl::Status Delete(const WriteOptions&, std::string_view k) override {
    values_.erase(std::string(k));
    return absl::OkStatus();
  }
  absl::Status Write(const WriteOptions&, const WriteBatch&) override {
    return absl::UnimplementedError("not needed");
  }
  absl::Status Sync() override { return absl::OkStatus(); }
  absl::Status Maintain(MaintenanceKind) override { return absl::UnimplementedError("none"); }
  Stats GetStats() override { return Stats(); }
  Capabilities GetCapabilities() const override { return Capabilities(); }
  absl::Status Close() override { return absl::OkStatus(); }

 private:
  std::map<std::string, std::string> values_;
};

TEST(DefaultGetTest, GoesThroughTheReturningGet) {
  MapStore store;
  ASSERT_TRUE(store.Put(WriteOptions(), "a", "alpha").ok());
  ASSERT_TRUE(store.Put(WriteOptions(), "b", std::string(100, 'b')).ok());
  ASSERT_TRUE(store.Put(WriteOptions(), "gone", "soon").ok());
  ASSERT_TRUE(store.Delete(WriteOptions(), "gone").ok());
  for (const char* key : {"a", "b", "gone", "missing", "damaged"}) ExpectSameGet(store, key);

  std::string value = kSentinel;
  ASSERT_TRUE(store.Get(ReadOptions(), "a", &value).ok());  // Callable on MapStore itself.
  EXPECT_EQ("alpha", value);
  absl::Status s = store.Get(ReadOptions(), "damaged", &value);
  EXPECT_TRUE(IsCorruption(s)) << s;
  value = kSentinel;
  EXPECT_TRUE(absl::IsNotFound(store.Get(ReadOptions(), "missing", &value)));
  EXPECT_EQ(kSentinel, value);
}

}  // namespace
}  // namespace kvlab
