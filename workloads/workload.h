// Workloads: the `kvlab: workload/v1` YAML schema and the operation streams it describes.
//
// A workload file says what a client does: how many records the load phase inserts, what the
// run phase mixes (read, update, insert, scan, read-modify-write, delete), which keys it picks
// (uniform, YCSB's scrambled Zipfian, latest, hotspot, ...), how keys are spelt and how large
// values are. workloads/README.md documents the schema field by field; workloads/ycsb/ holds
// YCSB A-F as YCSB ships them.
//
// Typical use by a runner (one KeySpace per run, one OperationGenerator per client):
//
//   ASSIGN_OR_RETURN(WorkloadSpec spec, LoadWorkload("workloads/ycsb/workloada.yaml"));
//   RETURN_IF_ERROR(ApplyOverride(spec, "records.count", "1000000"));   // --set
//   RETURN_IF_ERROR(Validate(spec));                                     // after overrides
//   KeySpace keys(spec, seed);
//   OperationGenerator gen(spec, &keys, seed, client, clients);
//   Operation op;
//   while (gen.NextLoad(&op)) store->Put(op.key, op.value);             // load phase
//   for (...) { gen.NextRun(&op); ...; if (op.type == OpType::kInsert) gen.AcknowledgeInsert(op.keynum); }
//
// Determinism: an OperationGenerator draws only from kvlab::Random seeded by (seed, client), so
// the same spec, seed, client and sequence of KeySpace states give the same operations. Inserts
// in the run phase take key numbers from the KeySpace shared by all clients (an atomic counter),
// so with several real threads the interleaving of inserts decides which client gets which key,
// as in YCSB; with one thread or simulated (deterministically interleaved) clients it is fixed.
#ifndef KVLAB_WORKLOADS_WORKLOAD_H_
#define KVLAB_WORKLOADS_WORKLOAD_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/env/env.h"

namespace kvlab::workloads {

// ---------------------------------------------------------------------------------------------
// The schema.

// Operation types, in YCSB's DiscreteGenerator order (READ, UPDATE, INSERT, SCAN, RMW) + delete.
enum class OpType : uint8_t { kRead, kUpdate, kInsert, kScan, kReadModifyWrite, kDelete };
inline constexpr size_t kOpTypeCount = 6;
// The YAML `run.mix` key of each type: "read", "update", "insert", "scan", "rmw", "delete".
std::string_view OpTypeName(OpType type);

// How the run phase picks the key number of a read, update, scan, rmw or delete
// (YCSB's `requestdistribution`). Every chooser only returns acknowledged key numbers.
enum class KeyDist : uint8_t {
  kUniform,           // uniform over [insert_start, records.count - 1] (new inserts not read)
  kZipfian,           // YCSB's ScrambledZipfianGenerator (what requestdistribution=zipfian is)
  kZipfianClustered,  // plain Gray et al. Zipfian over the loaded range: key insert_start hottest
  kLatest,            // YCSB's SkewedLatestGenerator over acknowledged inserts: newest hottest
  kHotspot,           // YCSB's HotspotIntegerGenerator
  kSequential,        // YCSB's SequentialGenerator, one cursor per client
  kExponential,       // YCSB's ExponentialGenerator: last acknowledged key minus an exp. draw
};
std::string_view KeyDistName(KeyDist dist);

struct KeyDistSpec {
  KeyDist dist = KeyDist::kUniform;
  double theta = 0.99;         // zipfian, zipfian_clustered, latest; in (0, 1)
  double hot_data = 0.2;       // hotspot: fraction of the key range that is hot, [0, 1]
  double hot_ops = 0.8;        // hotspot: fraction of operations that hit it, [0, 1]
  double percentile = 95;      // exponential: `percentile` % of draws fall in ...
  double frac = 0.8571428571;  // ... the newest frac * records.count keys; (0, 100) and > 0
};

// A random non-negative integer: value sizes, field lengths, scan lengths ("RandVar").
enum class SizeDist : uint8_t { kConstant, kUniform, kZipfian, kNormal, kPareto };
std::string_view SizeDistName(SizeDist dist);

struct SizeDistSpec {
  SizeDist dist = SizeDist::kConstant;
  uint64_t value = 100;    // constant
  uint64_t min = 1;        // uniform, zipfian, normal, pareto: inclusive bounds
  uint64_t max = 100;
  double theta = 0.99;     // zipfian: min is the most frequent value; in (0, 1)
  double mean = 0;         // normal: draws are rounded and clamped to [min, max]
  double stddev = 0;
  double location = 0;     // pareto (generalized, db_bench mixgraph): YAML `theta`
  double shape = 0.2615;   // pareto: YAML `k`
  double scale = 25.45;    // pareto: YAML `sigma`
  uint64_t Max() const;    // The largest value this distribution can produce.
};

// How the 8-byte key number is spelt as a key.
enum class KeyFormat : uint8_t {
  kYcsb,     // "user" + decimal, left-padded with '0' to zero_padding digits (YCSB buildKeyName)
  kOrdered,  // decimal, left-padded with '0' to key.size bytes (lexicographic = numeric order)
  kDbBench,  // db_bench GenerateKeyFromInt: 8-byte big-endian number, '0'-padded to key.size
  kU64Be,    // 8-byte big-endian number
};
std::string_view KeyFormatName(KeyFormat format);

enum class UpdateMode : uint8_t {
  kReadMergePut,  // update = Get then Put of the whole record (YCSB's RocksDB binding)
  kBlindPut,      // update = Put of a whole new record without reading
};
std::string_view UpdateModeName(UpdateMode mode);

enum class LoadOrder : uint8_t {
  kKeynum,    // key numbers insert_start, insert_start+1, ... (YCSB: names arrive hashed)
  kShuffled,  // a seeded permutation of the same key numbers (every key loaded once)
  kWithReplacement,  // count - insert_start seeded uniform draws from the same key numbers,
                     // with replacement: db_bench fillrandom (~63% distinct keys for N over N)
};

// A workload after `extends:` is resolved. Defaults are YCSB CoreWorkload's.
struct WorkloadSpec {
  std::string name;         // `name`, or the file's stem
  std::string origin;       // `origin`: where the definition comes from (free text)
  std::string source_path;  // the file it was loaded from ("" when parsed from text)

  // records
  uint64_t record_count = 1000;  // records.count: keys loaded, >= 1
  uint64_t insert_start = 0;     // records.insert_start: first loaded key number (< count)

  // key
  KeyFormat key_format = KeyFormat::kYcsb;
  bool key_hashed = true;      // key.order: hashed (FNV-64 of the key number, YCSB) | ordered
  uint32_t zero_padding = 1;   // key.zero_padding (ycsb format only), 1..20
  uint32_t key_size = 16;      // key.size (ordered, dbbench; u64be is always 8)

  // value: a record's value is `fields` draws of field_len, concatenated
  uint32_t fields = 10;                                      // value.fields, >= 1
  SizeDistSpec field_len = {SizeDist::kConstant, 100, 1, 100};  // value.field_len, bytes
  UpdateMode update_mode = UpdateMode::kReadMergePut;        // value.update_mode
  double compressibility = 1.0;  // value.compressibility: (0, 1], compressed/raw size target

  // load
  LoadOrder load_order = LoadOrder::kKeynum;  // load.order

  // run: stops at whichever of ops / duration is reached first (0 = no limit). Both 0 means
  // the workload has no run phase (a load-only benchmark such as db_bench fillrandom).
  uint64_t operation_count = 1000;  // run.ops
  double duration_seconds = 0;      // run.duration ("30s", "2m", "500ms", or seconds)
  std::array<double, kOpTypeCount> mix = {0.95, 0.05, 0, 0, 0, 0};  // run.mix, normalised
  KeyDistSpec keys;                                           // run.keys
  SizeDistSpec scan_len = {SizeDist::kUniform, 100, 1, 1000};  // run.scan_len
  double target_ops_per_second = 0;  // run.rate: total over all clients; 0 = unlimited

  // Where each key path was last set ("file.yaml:12:3", "--set"), for error messages.
  std::map<std::string, std::string> origins;

  bool has_run_phase() const { return operation_count > 0 || duration_seconds > 0; }
  double MixFraction(OpType type) const;  // mix[type] / sum(mix)
  uint64_t MaxValueSize() const;          // fields * field_len.Max()
  // The fully resolved workload as a `kvlab: workload/v1` YAML document (no extends:);
  // parsing it gives back an equal spec. For the run's resolved-config dump.
  std::string ToYaml() const;
};

// Reads the file, resolves `extends:` (paths relative to the including file's directory;
// cycles are an error), and validates. Errors are InvalidArgument naming file, line, column
// and key; a missing file is NotFound naming the path looked for.
absl::StatusOr<WorkloadSpec> LoadWorkload(std::string_view path);

// Parses one document. `extends:` is resolved relative to the directory of `source_name`
// (so it works when source_name is a real path). Validates.
absl::StatusOr<WorkloadSpec> ParseWorkload(std::string_view yaml_text,
                                           std::string_view source_name);

// Sets one dotted key from a `--set key=value` flag, e.g. ("records.count", "1000000"),
// ("run.mix.read", "0.9"), ("run.keys.dist", "latest"), ("value.field_len", "4096")
// (a number for a distribution means constant), ("run.keys", "{dist: hotspot, hot_data: 0.1}").
// The value is parsed as YAML. Unknown keys get the nearest valid one suggested. Call
// Validate() after the last override.
absl::Status ApplyOverride(WorkloadSpec& spec, std::string_view key, std::string_view value);

// Cross-field checks (mix not all zero, min <= max, ranges); errors name where the offending
// key was set.
absl::Status Validate(const WorkloadSpec& spec);

// ---------------------------------------------------------------------------------------------
// Operation streams.

struct Operation {
  OpType type = OpType::kRead;
  uint64_t keynum = 0;       // the key number `key` spells
  std::string key;           // reused between calls: capacity is kept
  std::string value;         // insert/update/rmw: the new record; empty otherwise
  uint32_t scan_length = 0;  // scan: records to return from `key` on
};

// Spells key number `keynum` as `spec` says (format, order, padding, size) into *out.
void FormatKey(const WorkloadSpec& spec, uint64_t keynum, std::string* out);

// State shared by all clients of one run: the run-phase insert counter and YCSB's
// acknowledged-insert window (AcknowledgedCounterGenerator), and a read-only pool of value
// bytes. Thread-safe. Must outlive the generators that use it.
class KeySpace {
 public:
  // The insert counter starts at spec.record_count, and every key number below it counts as
  // acknowledged (the load phase is assumed complete before the run phase starts).
  KeySpace(const WorkloadSpec& spec, uint64_t seed);

  // The next run-phase insert key number (record_count, record_count+1, ...).
  uint64_t NextInsertKeynum() { return next_insert_.fetch_add(1, std::memory_order_relaxed); }
  // Marks an insert done (successful or not: the runner must acknowledge every key number it
  // got from NextInsertKeynum, as YCSB does in a finally block). At most 2^20 inserts may be
  // unacknowledged at once (CHECK).
  void Acknowledge(uint64_t keynum);
  // The highest key number below which every insert is acknowledged (YCSB lastValue()).
  uint64_t LastAcknowledged() const { return limit_.load(std::memory_order_acquire); }
  uint64_t InsertsIssued() const;  // run-phase inserts handed out so far

  // Random value bytes with the spec's compressibility, at least MaxValueSize() + 1 MiB long.
  std::string_view value_pool() const { return value_pool_; }

 private:
  static constexpr uint64_t kWindow = 1 << 20;
  const uint64_t first_insert_;
  std::atomic<uint64_t> next_insert_;
  std::atomic<uint64_t> limit_;
  absl::Mutex mu_;
  std::vector<bool> window_;  // guarded by mu_
  std::string value_pool_;
};

class KeyChooser;    // generators.h
class SizeGenerator;  // generators.h

// One client's stream of operations. Not thread-safe: one per client thread.
class OperationGenerator {
 public:
  // REQUIRES: Validate(spec) is OK; client < clients; keyspace outlives this generator.
  // The spec is copied.
  OperationGenerator(const WorkloadSpec& spec, KeySpace* keyspace, uint64_t seed,
                     uint32_t client, uint32_t clients);
  ~OperationGenerator();

  // The load phase: this client's share of the records.count - insert_start inserts (key
  // numbers client, client+clients, ... of the load order). Returns false when done.
  bool NextLoad(Operation* op);
  uint64_t load_count() const { return load_total_; }  // this client's share

  // The run phase: the next operation. Does not allocate once op->key and op->value have grown
  // to their largest size. For kInsert the caller must AcknowledgeInsert(op->keynum) after it.
  void NextRun(Operation* op);
  void AcknowledgeInsert(uint64_t keynum) { keyspace_->Acknowledge(keynum); }

 private:
  void FillValue(Random& rng, std::string* value);

  const WorkloadSpec spec_;
  KeySpace* const keyspace_;
  const uint32_t client_;
  const uint32_t clients_;
  Random load_rng_;
  Random run_rng_;
  uint64_t load_total_ = 0;
  uint64_t load_done_ = 0;
  std::array<double, kOpTypeCount> cumulative_{};  // normalised cumulative mix
  std::unique_ptr<KeyChooser> keys_;
  std::unique_ptr<SizeGenerator> field_len_;
  std::unique_ptr<SizeGenerator> scan_len_;
  uint64_t permutation_key_[4] = {};  // load.order: shuffled, with_replacement
  uint64_t value_cursor_ = 0;  // compressibility < 1: next value's offset in the value pool
};

}  // namespace kvlab::workloads

#endif  // KVLAB_WORKLOADS_WORKLOAD_H_
