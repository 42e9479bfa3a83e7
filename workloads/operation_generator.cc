// KeySpace (shared insert counter + YCSB's acknowledged-insert window), key formatting, and the
// per-client OperationGenerator.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "engine/common/check.h"
#include "workloads/generators.h"
#include "workloads/workload.h"

namespace kvlab::workloads {

std::string_view OpTypeName(OpType type) {
  static constexpr std::string_view kNames[kOpTypeCount] = {"read", "update", "insert",
                                                            "scan", "rmw",    "delete"};
  return kNames[static_cast<size_t>(type)];
}

double WorkloadSpec::MixFraction(OpType type) const {
  double sum = 0;
  for (double w : mix) sum += w;
  return sum > 0 ? mix[static_cast<size_t>(type)] / sum : 0;
}

uint64_t WorkloadSpec::MaxValueSize() const { return uint64_t{fields} * field_len.Max(); }

// ---------------------------------------------------------------------------------------------
// Keys.

namespace {

constexpr char kTwoDigits[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the 8 decimal digits of x < 10^8 (leading zeros included) at p.
inline void Write8Digits(uint32_t x, char* p) {
  const uint32_t high = x / 10000, low = x % 10000;  // independent halves: short dependency chains
  std::memcpy(p, kTwoDigits + 2 * (high / 100), 2);
  std::memcpy(p + 2, kTwoDigits + 2 * (high % 100), 2);
  std::memcpy(p + 4, kTwoDigits + 2 * (low / 100), 2);
  std::memcpy(p + 6, kTwoDigits + 2 * (low % 100), 2);
}

// Writes the decimal digits of v (as std::to_chars, no sign) ending just before `end`;
// returns where they start. At most 20 characters. The keys of every operation go through
// here: the low 16 digits are two independent 8-digit groups, then 2 digits at a time.
char* DecimalBackwards(uint64_t v, char* end) {
  char* p = end;
  if (v >= 100000000) {
    const uint64_t q8 = v / 100000000;
    p -= 8;
    Write8Digits(static_cast<uint32_t>(v - q8 * 100000000), p);
    if (v >= 10000000000000000ull) {
      const uint64_t q16 = v / 10000000000000000ull;
      p -= 8;
      Write8Digits(static_cast<uint32_t>(q8 - q16 * 100000000), p);
      v = q16;  // <= 1844
    } else {
      v = q8;  // < 10^8
    }
  }
  uint32_t x = static_cast<uint32_t>(v);
  while (x >= 100) {
    p -= 2;
    std::memcpy(p, kTwoDigits + 2 * (x % 100), 2);
    x /= 100;
  }
  if (x >= 10) {
    p -= 2;
    std::memcpy(p, kTwoDigits + 2 * x, 2);
  } else {
    *--p = static_cast<char>('0' + x);
  }
  return p;
}

// Resizes *out to n (keeping its capacity) and returns its bytes.
char* Sized(std::string* out, size_t n) {
  if (out->size() != n) out->resize(n);
  return out->data();
}

}  // namespace

void FormatKey(const WorkloadSpec& spec, uint64_t keynum, std::string* out) {
  int64_t number = spec.key_hashed ? FnvHash64(static_cast<int64_t>(keynum))
                                   : static_cast<int64_t>(keynum);
  char buf[96];
  switch (spec.key_format) {
    case KeyFormat::kYcsb: {
      // CoreWorkload.buildKeyName: "user" + '0' * (zeropadding - len(digits)) + digits, where
      // digits is Java's Long.toString (a '-' only for Long.MIN_VALUE, which abs keeps).
      char digits[24];
      char* const end = digits + sizeof(digits);
      char* start = DecimalBackwards(
          number < 0 ? 0 - static_cast<uint64_t>(number) : static_cast<uint64_t>(number), end);
      if (number < 0) *--start = '-';
      const size_t len = static_cast<size_t>(end - start);
      const size_t fill = spec.zero_padding > len ? spec.zero_padding - len : 0;
      char* d = Sized(out, 4 + fill + len);
      std::memcpy(d, "user", 4);
      if (fill > 0) std::memset(d + 4, '0', fill);
      std::memcpy(d + 4 + fill, start, len);
      return;
    }
    case KeyFormat::kOrdered: {
      char digits[24];
      char* end = std::to_chars(digits, digits + sizeof(digits), static_cast<uint64_t>(number)).ptr;
      size_t len = static_cast<size_t>(end - digits);
      size_t fill = spec.key_size > len ? spec.key_size - len : 0;
      out->assign(fill, '0');
      out->append(digits, len);
      return;
    }
    case KeyFormat::kDbBench: {
      // GenerateKeyFromInt without prefix: min(key_size, 8) low-order bytes of the number,
      // big-endian, then '0' up to key_size.
      uint64_t v = static_cast<uint64_t>(number);
      size_t bytes = std::min<size_t>(spec.key_size, 8);
      out->assign(spec.key_size, '0');
      for (size_t i = 0; i < bytes; ++i) {
        (*out)[i] = static_cast<char>((v >> ((bytes - i - 1) * 8)) & 0xff);
      }
      return;
    }
    case KeyFormat::kU64Be: {
      uint64_t v = static_cast<uint64_t>(number);
      for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (56 - 8 * i));
      out->assign(buf, 8);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// KeySpace.

namespace {

// db_bench's RandomGenerator: its value buffer is 100-byte pieces, each CompressibleString(
// ratio, 100): (int)(100 * ratio) (at least 1) random printable bytes, repeated to fill it;
// ratio 1 = all random (like YCSB's RandomByteIterator).
constexpr size_t kPiece = 100;

std::string MakeValuePool(size_t size, double compressibility, uint64_t seed) {
  Random rng(seed ^ 0x76616c7565706f6full);  // "valuepool"
  std::string pool(size, ' ');
  // db_bench: raw = (int)(len * compressed_fraction), at least 1.
  size_t raw = std::clamp<size_t>(static_cast<size_t>(kPiece * compressibility), 1, kPiece);
  for (size_t start = 0; start < size; start += kPiece) {
    size_t piece = std::min(kPiece, size - start);
    for (size_t i = 0; i < piece; ++i) {
      pool[start + i] = i < raw ? static_cast<char>(' ' + rng.Uniform(95)) : pool[start + i % raw];
    }
  }
  return pool;
}

}  // namespace

KeySpace::KeySpace(const WorkloadSpec& spec, uint64_t seed)
    : first_insert_(spec.record_count),
      next_insert_(spec.record_count),
      limit_(spec.record_count - 1),
      window_(kWindow, false),
      value_pool_(MakeValuePool(spec.MaxValueSize() + (size_t{1} << 20), spec.compressibility,
                                seed)) {
  KVLAB_CHECK(spec.record_count >= 1);
}

uint64_t KeySpace::InsertsIssued() const {
  return next_insert_.load(std::memory_order_relaxed) - first_insert_;
}

void KeySpace::Acknowledge(uint64_t keynum) {
  absl::MutexLock lock(&mu_);
  uint64_t limit = limit_.load(std::memory_order_relaxed);
  KVLAB_CHECK(keynum > limit && keynum - limit <= kWindow,
              "acknowledged insert key number outside the window (acknowledged twice, or more "
              "than 2^20 inserts outstanding)");
  const size_t slot = keynum & (kWindow - 1);
  KVLAB_CHECK(!window_[slot], "insert key number acknowledged twice");
  window_[slot] = true;
  // Advance over the contiguous acknowledged prefix, as AcknowledgedCounterGenerator does.
  uint64_t index = limit + 1;
  while (window_[index & (kWindow - 1)]) {
    window_[index & (kWindow - 1)] = false;
    ++index;
  }
  limit_.store(index - 1, std::memory_order_release);
}

// ---------------------------------------------------------------------------------------------
// OperationGenerator.

OperationGenerator::OperationGenerator(const WorkloadSpec& spec, KeySpace* keyspace,
                                       uint64_t seed, uint32_t client, uint32_t clients)
    : spec_(spec),
      keyspace_(keyspace),
      client_(client),
      clients_(clients),
      load_rng_(seed ^ (0x9E3779B97F4A7C15ull * (2 * uint64_t{client} + 1))),
      run_rng_(seed ^ (0xD1B54A32D192ED03ull * (2 * uint64_t{client} + 2))) {
  KVLAB_CHECK(keyspace != nullptr && clients > 0 && client < clients);
  KVLAB_CHECK(spec_.record_count > spec_.insert_start);
  const uint64_t total = spec_.record_count - spec_.insert_start;
  load_total_ = total / clients + (client < total % clients ? 1 : 0);
  double sum = 0;
  for (double w : spec_.mix) sum += w;
  KVLAB_CHECK(sum > 0, "workload mix weights are all zero (Validate the spec first)");
  double acc = 0;
  for (size_t i = 0; i < kOpTypeCount; ++i) {
    acc += spec_.mix[i] / sum;
    cumulative_[i] = spec_.mix[i] > 0 ? acc : -1;  // -1: never chosen
  }
  keys_ = std::make_unique<KeyChooser>(spec_, client, clients);
  field_len_ = std::make_unique<SizeGenerator>(spec_.field_len);
  scan_len_ = std::make_unique<SizeGenerator>(spec_.scan_len);
  // The shuffle (and the draws with replacement) are the same for every client: they depend on
  // the seed only.
  Random perm(seed ^ 0x7065726d75746521ull);
  for (uint64_t& k : permutation_key_) k = perm.Next();
  // Compressible values: each client starts its walk over the pool at its own piece.
  Random start(seed ^ (0x76616c7563757273ull * (2 * uint64_t{client} + 1)));  // "valucurs"
  value_cursor_ = kPiece * start.Uniform(keyspace_->value_pool().size() / kPiece);
}

OperationGenerator::~OperationGenerator() = default;

void OperationGenerator::FillValue(Random& rng, std::string* value) {
  uint64_t size = 0;
  if (spec_.field_len.dist == SizeDist::kConstant) {
    size = uint64_t{spec_.fields} * spec_.field_len.value;
  } else {
    for (uint32_t i = 0; i < spec_.fields; ++i) size += field_len_->Next(rng);
  }
  std::string_view pool = keyspace_->value_pool();
  uint64_t offset;
  if (spec_.compressibility < 1) {
    // db_bench's RandomGenerator::Generate: values one after another from the pool, back to
    // its start when the next one does not fit; the cursor starts at a piece, so 100-byte
    // values are exactly one piece each. A value starting mid-piece would hold the random half
    // of two pieces and compress far worse than `compressibility` (snappy kept 4 KiB blocks
    // of such values uncompressed: SSTs 1.7x db_bench's), and random pieces cost cache misses
    // a sequential walk does not (~6% of kvlab run's rocksdb fillrandom throughput).
    if (value_cursor_ + size > pool.size()) value_cursor_ = 0;
    offset = value_cursor_;
    value_cursor_ += size;
  } else {
    offset = rng.Uniform(pool.size() - size + 1);
  }
  value->assign(pool.data() + offset, size);
}

bool OperationGenerator::NextLoad(Operation* op) {
  if (load_done_ >= load_total_) return false;
  const uint64_t total = spec_.record_count - spec_.insert_start;
  uint64_t index = client_ + load_done_ * clients_;
  ++load_done_;
  if (spec_.load_order == LoadOrder::kShuffled) index = Permute(index, total, permutation_key_);
  if (spec_.load_order == LoadOrder::kWithReplacement) {
    index = DrawWithReplacement(index, total, permutation_key_);
  }
  op->type = OpType::kInsert;
  op->keynum = spec_.insert_start + index;
  op->scan_length = 0;
  FormatKey(spec_, op->keynum, &op->key);
  FillValue(load_rng_, &op->value);
  return true;
}

void OperationGenerator::NextRun(Operation* op) {
  // DiscreteGenerator: u in [0, 1), first type whose cumulative share exceeds it.
  double u = run_rng_.NextDouble();
  size_t type = kOpTypeCount - 1;
  for (size_t i = 0; i < kOpTypeCount; ++i) {
    if (u < cumulative_[i]) {
      type = i;
      break;
    }
  }
  // Rounding may leave u above the last cumulative share: take the last type with weight.
  while (cumulative_[type] < 0) --type;
  op->type = static_cast<OpType>(type);
  op->scan_length = 0;
  if (op->type == OpType::kInsert) {
    op->keynum = keyspace_->NextInsertKeynum();
  } else {
    op->keynum = keys_->Next(run_rng_, keyspace_->LastAcknowledged());
  }
  FormatKey(spec_, op->keynum, &op->key);
  switch (op->type) {
    case OpType::kInsert:
    case OpType::kUpdate:
    case OpType::kReadModifyWrite:
      FillValue(run_rng_, &op->value);
      break;
    case OpType::kScan:
      op->value.clear();
      op->scan_length = static_cast<uint32_t>(scan_len_->Next(run_rng_));
      break;
    case OpType::kRead:
    case OpType::kDelete:
      op->value.clear();
      break;
  }
}

}  // namespace kvlab::workloads
