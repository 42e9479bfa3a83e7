// Bitcask hint files and the merge manifest (engine/bitcask/format.h): the
// builder against EncodeHint (growth, moves), round trips, every corruption
// detected, the manifest's bytes.
#include "engine/bitcask/format.h"

#include <string>
#include <utility>
#include <vector>

#include "engine/common/crc32c.h"
#include "gtest/gtest.h"

namespace kvlab::bitcask {
namespace {

// A hint built entry by entry equals EncodeHint of the same entries, and the
// builder starts over empty after Finish.
TEST(BitcaskFormat, HintBuilderEqualsEncodeHint) {
  std::vector<HintEntry> entries = {{RecordType::kPut, 5, 32, 60, "alpha"},
                                    {RecordType::kDelete, 6, 92, 48, "beta"}};
  HintBuilder builder;
  for (const HintEntry& e : entries) builder.Add(e);
  EXPECT_EQ(2u, builder.count());
  EXPECT_EQ(EncodeHint(3, 200, entries), builder.Finish(3, 200));
  EXPECT_EQ(0u, builder.count());
  EXPECT_EQ(EncodeHint(4, 32, {}), builder.Finish(4, 32));
}

// Entries are stored into zero-filled room that grows by doubling, within
// the reserved block and past it: for every reserve, with keys of 0..300
// bytes, the builder equals EncodeHint after each entry count, size() counts
// the bytes so far, and a moved-from builder is empty and reusable.
TEST(BitcaskFormat, HintBuilderGrowsAndMoves) {
  std::vector<std::string> keys;
  std::vector<HintEntry> entries;
  for (size_t i = 0; i < 120; ++i) {
    keys.push_back(std::string((i * 37) % 301, static_cast<char>('a' + i % 26)));
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    entries.push_back({i % 3 == 0 ? RecordType::kDelete : RecordType::kPut, 100 + i, 32 + 7 * i,
                       static_cast<uint32_t>(44 + i), keys[i]});
  }
  for (size_t reserve : {size_t{0}, size_t{50}, size_t{1000}, size_t{1} << 16}) {
    for (size_t count : {size_t{1}, size_t{2}, size_t{17}, entries.size()}) {
      HintBuilder builder(reserve);
      size_t bytes = kHintHeaderSize;
      for (size_t i = 0; i < count; ++i) {
        builder.Add(entries[i]);
        bytes += kHintEntryFixedSize + entries[i].key.size();
        ASSERT_EQ(bytes, builder.size()) << reserve << " " << i;
      }
      const std::vector<HintEntry> first(entries.begin(), entries.begin() + count);
      HintBuilder moved(std::move(builder));
      EXPECT_EQ(0u, builder.size());  // NOLINT(bugprone-use-after-move): the contract.
      EXPECT_EQ(0u, builder.count());
      builder.Add(entries[0]);
      EXPECT_EQ(EncodeHint(9, 77, {entries[0]}), builder.Finish(9, 77));
      EXPECT_EQ(EncodeHint(7, 5000, first), moved.Finish(7, 5000)) << reserve << " " << count;
      HintBuilder assigned;
      moved.Add(entries[1]);
      assigned = std::move(moved);
      EXPECT_EQ(0u, moved.size());  // NOLINT(bugprone-use-after-move): the contract.
      EXPECT_EQ(EncodeHint(8, 90, {entries[1]}), assigned.Finish(8, 90));
    }
  }
}

TEST(BitcaskFormat, HintRoundTripAndEveryCorruptionDetected) {
  std::vector<HintEntry> entries = {{RecordType::kPut, 5, 32, 60, "alpha"},
                                    {RecordType::kDelete, 6, 92, 48, "beta"}};
  std::string bytes = EncodeHint(3, 200, entries);
  std::vector<HintEntry> back;
  ASSERT_EQ("", DecodeHint(bytes, 3, 200, &back));
  ASSERT_EQ(2u, back.size());
  EXPECT_EQ("beta", back[1].key);
  EXPECT_EQ(92u, back[1].offset);
  EXPECT_EQ(RecordType::kDelete, back[1].type);
  EXPECT_NE("", DecodeHint(bytes, 3, 201, &back));  // Stale: the data file changed size.
  EXPECT_NE("", DecodeHint(bytes, 4, 200, &back));  // Another file's hint.
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    EXPECT_NE("", DecodeHint(bad, 3, 200, &back)) << "byte " << i;
  }
  EXPECT_NE("", DecodeHint(bytes.substr(0, bytes.size() - 1), 3, 200, &back));
}

TEST(BitcaskFormat, ManifestRoundTripAndCorruption) {
  MergeManifest m{{1, 2, 5}, {9, 10}};
  std::string bytes = EncodeManifest(m.inputs, m.outputs);
  MergeManifest back;
  ASSERT_EQ("", DecodeManifest(bytes, &back));
  EXPECT_EQ(m.inputs, back.inputs);
  EXPECT_EQ(m.outputs, back.outputs);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_NE("", DecodeManifest(bad, &back)) << "byte " << i;
  }
}

// The bytes FORMAT.md describes, field by field (EncodeManifest writes them
// into a string sized once), also with no inputs or no outputs.
TEST(BitcaskFormat, ManifestBytesFollowTheLayout) {
  const std::vector<std::vector<uint64_t>> lists = {{}, {7}, {1, 2, 5}, {0xfedcba9876543210ull}};
  for (const std::vector<uint64_t>& inputs : lists) {
    for (const std::vector<uint64_t>& outputs : lists) {
      std::string want = "KVBCMRG1";
      PutFixed32(&want, static_cast<uint32_t>(inputs.size()));
      PutFixed32(&want, static_cast<uint32_t>(outputs.size()));
      for (uint64_t id : inputs) PutFixed64(&want, id);
      for (uint64_t id : outputs) PutFixed64(&want, id);
      PutFixed32(&want, crc32c::Mask(crc32c::ExtendPortable(0, want.data(), want.size())));
      EXPECT_EQ(want, EncodeManifest(inputs, outputs));
    }
  }
}

}  // namespace
}  // namespace kvlab::bitcask
