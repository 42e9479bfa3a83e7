// Tests of key formats, KeySpace (YCSB's acknowledged-insert window) and OperationGenerator:
// exact YCSB key names, load coverage, mix proportions, determinism, latest over acknowledged
// inserts, and that the run phase reuses its buffers.
#include <charconv>
#include <cmath>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "workloads/generators.h"
#include "workloads/workload.h"

namespace kvlab::workloads {
namespace {

TEST(FormatKeyTest, YcsbKeyNamesAsBuildKeyName) {
  WorkloadSpec spec;  // format ycsb, hashed, zeropadding 1 (YCSB defaults)
  std::string key;
  FormatKey(spec, 0, &key);
  EXPECT_EQ(key, "user6284781860667377211");
  FormatKey(spec, 1, &key);
  EXPECT_EQ(key, "user8517097267634966620");
  FormatKey(spec, 2, &key);
  EXPECT_EQ(key, "user1820151046732198393");
  spec.key_hashed = false;  // insertorder=ordered
  FormatKey(spec, 42, &key);
  EXPECT_EQ(key, "user42");
  spec.zero_padding = 5;
  FormatKey(spec, 42, &key);
  EXPECT_EQ(key, "user00042");
  FormatKey(spec, 1234567, &key);  // longer than the padding: no truncation
  EXPECT_EQ(key, "user1234567");
  spec.key_hashed = true;
  spec.zero_padding = 20;
  FormatKey(spec, 2, &key);
  EXPECT_EQ(key, "user01820151046732198393");
}

// The YCSB format against std::to_chars (what Java's Long.toString spells) on numbers of every
// length, negative ones included (unhashed key numbers >= 2^63, as Java's long sees them).
TEST(FormatKeyTest, YcsbDigitsMatchToCharsOnEveryLength) {
  WorkloadSpec spec;
  Random rng(3);
  std::string key;
  for (bool hashed : {false, true}) {
    spec.key_hashed = hashed;
    for (uint32_t padding : {1u, 12u, 20u}) {
      spec.zero_padding = padding;
      for (int i = 0; i < 50000; ++i) {
        const int bits = static_cast<int>(rng.Uniform(65));
        uint64_t keynum = bits == 64 ? rng.Next() : rng.Next() & ((uint64_t{1} << bits) - 1);
        int64_t number = hashed ? FnvHash64(static_cast<int64_t>(keynum))
                                : static_cast<int64_t>(keynum);
        char digits[24];
        char* end = std::to_chars(digits, digits + sizeof(digits), number).ptr;
        std::string expected(digits, end);
        if (expected.size() < padding) expected.insert(0, padding - expected.size(), '0');
        FormatKey(spec, keynum, &key);
        ASSERT_EQ(key, "user" + expected) << keynum;
      }
    }
  }
  spec.key_hashed = false;
  spec.zero_padding = 1;
  FormatKey(spec, uint64_t{1} << 63, &key);
  EXPECT_EQ(key, "user-9223372036854775808");
  FormatKey(spec, 9, &key);
  EXPECT_EQ(key, "user9");
  FormatKey(spec, 10, &key);
  EXPECT_EQ(key, "user10");
  FormatKey(spec, 100000000, &key);
  EXPECT_EQ(key, "user100000000");
}

TEST(FormatKeyTest, OrderedDbBenchAndU64Be) {
  WorkloadSpec spec;
  spec.key_hashed = false;
  std::string key;
  spec.key_format = KeyFormat::kOrdered;
  spec.key_size = 16;
  FormatKey(spec, 42, &key);
  EXPECT_EQ(key, "0000000000000042");
  spec.key_format = KeyFormat::kDbBench;
  FormatKey(spec, 0x0102030405060708ull, &key);
  EXPECT_EQ(key, std::string("\x01\x02\x03\x04\x05\x06\x07\x08" "00000000", 16));
  spec.key_size = 4;  // db_bench keeps the low bytes, big-endian
  FormatKey(spec, 0x0102030405060708ull, &key);
  EXPECT_EQ(key, std::string("\x05\x06\x07\x08", 4));
  spec.key_format = KeyFormat::kU64Be;
  FormatKey(spec, 0x2a, &key);
  EXPECT_EQ(key, std::string("\0\0\0\0\0\0\0\x2a", 8));
  // Ordered formats sort like their key numbers.
  spec.key_format = KeyFormat::kDbBench;
  spec.key_size = 16;
  std::string prev;
  for (uint64_t k = 0; k < 3000; k += 7) {
    FormatKey(spec, k, &key);
    EXPECT_LT(prev, key);
    prev = key;
  }
}

TEST(KeySpaceTest, AcknowledgedWindowAdvancesOverTheContiguousPrefix) {
  WorkloadSpec spec;
  spec.record_count = 1000;
  KeySpace ks(spec, 1);
  EXPECT_EQ(ks.LastAcknowledged(), 999u);
  uint64_t a = ks.NextInsertKeynum(), b = ks.NextInsertKeynum(), c = ks.NextInsertKeynum();
  EXPECT_EQ(a, 1000u);
  EXPECT_EQ(c, 1002u);
  EXPECT_EQ(ks.InsertsIssued(), 3u);
  ks.Acknowledge(b);
  EXPECT_EQ(ks.LastAcknowledged(), 999u);  // 1000 still in flight
  ks.Acknowledge(c);
  EXPECT_EQ(ks.LastAcknowledged(), 999u);
  ks.Acknowledge(a);
  EXPECT_EQ(ks.LastAcknowledged(), 1002u);
}

TEST(KeySpaceTest, ValuePoolHasTheRequestedCompressibility) {
  WorkloadSpec spec;
  spec.compressibility = 0.5;
  KeySpace ks(spec, 1);
  std::string_view pool = ks.value_pool();
  EXPECT_GE(pool.size(), spec.MaxValueSize() + (1u << 20));
  // Each 100-byte piece repeats its first 50 bytes.
  EXPECT_EQ(pool.substr(0, 50), pool.substr(50, 50));
  EXPECT_NE(pool.substr(0, 50), pool.substr(100, 50));
  for (char ch : pool.substr(0, 10000)) {
    ASSERT_GE(ch, ' ');
    ASSERT_LE(ch, '~');
  }
}

// db_bench's values of value_size 100 are each exactly one CompressibleString piece (50 random
// bytes, repeated), handed out in turn: compressible values do the same, so they compress (and
// touch memory) as db_bench's do.
TEST(OperationGeneratorTest, CompressibleValuesStartAtAPiece) {
  WorkloadSpec spec;
  spec.record_count = 1000;
  spec.fields = 1;
  spec.compressibility = 0.5;
  KeySpace ks(spec, 5);
  OperationGenerator gen(spec, &ks, 5, 0, 1);
  Operation op;
  std::set<std::string> values;
  size_t previous = std::string::npos;
  const std::string_view pool = ks.value_pool();
  while (gen.NextLoad(&op)) {
    ASSERT_EQ(op.value.size(), 100u);
    const size_t offset = static_cast<size_t>(pool.find(op.value));
    ASSERT_NE(offset, std::string::npos);
    EXPECT_EQ(offset % 100, 0u);
    EXPECT_EQ(op.value.substr(0, 50), op.value.substr(50, 50));
    // db_bench's RandomGenerator: the next piece, or the first when the next does not fit.
    if (previous != std::string::npos) {
      EXPECT_EQ(offset, previous + 200 > pool.size() ? 0 : previous + 100);
    }
    previous = offset;
    values.insert(op.value);
  }
  EXPECT_EQ(values.size(), 1000u);  // 1000 consecutive pieces of ~10^4: all different
  spec.compressibility = 0.29;  // db_bench truncates: (int)(100 * 0.29) = 28 random bytes
  KeySpace ks29(spec, 5);
  const std::string_view pool29 = ks29.value_pool();
  EXPECT_EQ(pool29.substr(0, 28), pool29.substr(28, 28));
  EXPECT_NE(pool29.substr(0, 27), pool29.substr(27, 27));
}

WorkloadSpec Small() {
  WorkloadSpec spec;
  spec.record_count = 1000;
  spec.operation_count = 10000;
  return spec;
}

TEST(OperationGeneratorTest, LoadCoversEveryKeyOnceAcrossClients) {
  for (LoadOrder order : {LoadOrder::kKeynum, LoadOrder::kShuffled}) {
    WorkloadSpec spec = Small();
    spec.insert_start = 10;
    spec.load_order = order;
    KeySpace ks(spec, 3);
    std::set<uint64_t> keynums;
    std::set<std::string> keys;
    std::vector<uint64_t> first_client;
    for (uint32_t client = 0; client < 3; ++client) {
      OperationGenerator gen(spec, &ks, 3, client, 3);
      Operation op;
      uint64_t n = 0;
      while (gen.NextLoad(&op)) {
        EXPECT_EQ(op.type, OpType::kInsert);
        EXPECT_EQ(op.value.size(), 1000u);  // 10 fields x 100 bytes
        std::string expected;
        FormatKey(spec, op.keynum, &expected);
        EXPECT_EQ(op.key, expected);
        keynums.insert(op.keynum);
        keys.insert(op.key);
        if (client == 0) first_client.push_back(op.keynum);
        ++n;
      }
      EXPECT_EQ(n, gen.load_count());
    }
    EXPECT_EQ(keynums.size(), 990u);
    EXPECT_EQ(keys.size(), 990u);
    EXPECT_EQ(*keynums.begin(), 10u);
    EXPECT_EQ(*keynums.rbegin(), 999u);
    bool sorted = std::is_sorted(first_client.begin(), first_client.end());
    EXPECT_EQ(sorted, order == LoadOrder::kKeynum);
  }
}

// db_bench fillrandom: N draws with replacement over N keys leave ~1 - 1/e of them distinct;
// the draws are a function of the seed only (not of the client split), reproducible per seed.
TEST(OperationGeneratorTest, LoadWithReplacementDrawsLikeDbBenchFillrandom) {
  WorkloadSpec spec = Small();
  spec.record_count = 50000;
  spec.insert_start = 100;
  spec.load_order = LoadOrder::kWithReplacement;
  auto load = [&](uint64_t seed, uint32_t clients) {
    KeySpace ks(spec, seed);
    std::vector<uint64_t> keynums(spec.record_count - spec.insert_start);
    for (uint32_t client = 0; client < clients; ++client) {
      OperationGenerator gen(spec, &ks, seed, client, clients);
      Operation op;
      uint64_t i = client, n = 0;
      while (gen.NextLoad(&op)) {
        EXPECT_EQ(op.type, OpType::kInsert);
        std::string expected;
        FormatKey(spec, op.keynum, &expected);
        EXPECT_EQ(op.key, expected);
        keynums[i] = op.keynum;  // load index i: client c runs c, c + clients, ...
        i += clients;
        ++n;
      }
      EXPECT_EQ(n, gen.load_count());
    }
    return keynums;
  };
  std::vector<uint64_t> a = load(7, 1);
  const double draws = static_cast<double>(a.size());
  std::set<uint64_t> distinct(a.begin(), a.end());
  EXPECT_GE(*distinct.begin(), 100u);
  EXPECT_LT(*distinct.rbegin(), 50000u);
  // E[distinct] = N (1 - (1 - 1/N)^N) = 0.63213 N for N = 49900; sd ~ 0.0014 N.
  EXPECT_NEAR(static_cast<double>(distinct.size()) / draws,
              1 - std::pow(1 - 1 / draws, draws), 0.007);
  EXPECT_EQ(load(7, 1), a);  // exactly reproducible
  EXPECT_EQ(load(7, 3), a);  // whatever the number of clients
  std::vector<uint64_t> b = load(8, 1);
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  EXPECT_LT(same, a.size() / 1000);  // another seed, other draws
}

TEST(OperationGeneratorTest, MixProportionsMatchWeights) {
  WorkloadSpec spec = Small();
  spec.mix = {3, 2, 1, 1, 2, 1};  // normalised by their sum, 10
  KeySpace ks(spec, 4);
  OperationGenerator gen(spec, &ks, 4, 0, 1);
  Operation op;
  const int n = 100000;
  std::array<uint64_t, kOpTypeCount> counts{};
  for (int i = 0; i < n; ++i) {
    gen.NextRun(&op);
    ++counts[static_cast<size_t>(op.type)];
    if (op.type == OpType::kInsert) gen.AcknowledgeInsert(op.keynum);
    if (op.type == OpType::kScan) {
      EXPECT_GE(op.scan_length, 1u);
      EXPECT_LE(op.scan_length, 1000u);
    }
    bool writes = op.type == OpType::kInsert || op.type == OpType::kUpdate ||
                  op.type == OpType::kReadModifyWrite;
    EXPECT_EQ(op.value.size(), writes ? 1000u : 0u);
  }
  for (size_t i = 0; i < kOpTypeCount; ++i) {
    double p = spec.mix[i] / 10;
    double sd = std::sqrt(p * (1 - p) / n);
    EXPECT_NEAR(static_cast<double>(counts[i]) / n, p, 5 * sd) << OpTypeName(OpType(i));
  }
  // Zero weights never occur.
  spec.mix = {1, 0, 0, 0, 0, 0};
  OperationGenerator reads(spec, &ks, 4, 0, 1);
  for (int i = 0; i < 10000; ++i) {
    reads.NextRun(&op);
    ASSERT_EQ(op.type, OpType::kRead);
  }
}

TEST(OperationGeneratorTest, DeterministicPerSeedAndClient) {
  WorkloadSpec spec = Small();
  spec.mix = {0.5, 0.3, 0, 0.2, 0, 0};
  spec.keys.dist = KeyDist::kZipfian;
  spec.field_len = {SizeDist::kUniform, 0, 1, 200};
  auto stream = [&](uint64_t seed, uint32_t client) {
    KeySpace ks(spec, seed);
    OperationGenerator gen(spec, &ks, seed, client, 4);
    Operation op;
    std::string out;
    for (int i = 0; i < 2000; ++i) {
      gen.NextRun(&op);
      out += std::to_string(static_cast<int>(op.type)) + op.key + op.value +
             std::to_string(op.scan_length) + ";";
    }
    return out;
  };
  EXPECT_EQ(stream(1, 0), stream(1, 0));
  EXPECT_NE(stream(1, 0), stream(1, 1));
  EXPECT_NE(stream(1, 0), stream(2, 0));
}

TEST(OperationGeneratorTest, LatestReadsOnlyAcknowledgedInsertsAndFavoursTheNewest) {
  WorkloadSpec spec = Small();
  spec.mix = {0.5, 0, 0.5, 0, 0, 0};
  spec.keys.dist = KeyDist::kLatest;
  KeySpace ks(spec, 5);
  OperationGenerator gen(spec, &ks, 5, 0, 1);
  Operation op;
  std::vector<uint64_t> pending;
  uint64_t newest_reads = 0, reads = 0;
  for (int i = 0; i < 20000; ++i) {
    gen.NextRun(&op);
    if (op.type == OpType::kInsert) {
      EXPECT_EQ(op.keynum, 1000 + pending.size() + (ks.LastAcknowledged() - 999));
      pending.push_back(op.keynum);
      // Acknowledge in batches, so some inserts stay in flight for a while.
      if (pending.size() == 8) {
        for (uint64_t k : pending) gen.AcknowledgeInsert(k);
        pending.clear();
      }
    } else {
      ASSERT_LE(op.keynum, ks.LastAcknowledged());  // never an in-flight insert
      ++reads;
      newest_reads += op.keynum == ks.LastAcknowledged();
    }
  }
  EXPECT_GT(ks.LastAcknowledged(), 1000u + 9000u);
  // The newest acknowledged key gets about 1/zeta(n) of the reads (>= 1/zeta(11000) = 9.4 %).
  EXPECT_GT(static_cast<double>(newest_reads) / reads, 0.09);
  EXPECT_LT(static_cast<double>(newest_reads) / reads, 0.14);
}

TEST(OperationGeneratorTest, RunPhaseReusesBuffers) {
  WorkloadSpec spec = Small();
  spec.mix = {0.5, 0.5, 0, 0, 0, 0};
  spec.keys.dist = KeyDist::kZipfian;
  KeySpace ks(spec, 6);
  OperationGenerator gen(spec, &ks, 6, 0, 1);
  Operation op;
  for (int i = 0; i < 1000; ++i) gen.NextRun(&op);
  const char* key_data = op.key.data();
  const char* value_data = op.value.data();
  for (int i = 0; i < 10000; ++i) {
    gen.NextRun(&op);
    ASSERT_EQ(op.key.data(), key_data);
    ASSERT_EQ(op.value.data(), value_data);
  }
}

}  // namespace
}  // namespace kvlab::workloads
