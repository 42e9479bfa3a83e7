// Generating, printing and parsing campaign schedules (see schedule.h).
#include "sim/campaign/schedule.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/common/check.h"
#include "engine/common/decimal.h"
#include "engine/common/status_macros.h"
#include "engine/env/env.h"

namespace kvlab::sim {
namespace {

// Keys and value tags are formatted with WriteDecimal (engine/common/decimal.h):
// schedules format one of each per op, and StrCat's showed up in profiles.

// "k00".."k99", "k100", ...: "k" and at least two digits (as "k%02u").
void SetKeyName(uint32_t i, std::string& key) {
  char name[12] = {'k'};
  key.assign(name, WriteDecimal(i, 2, name + 1));
}

// The first key names, each formatted once per schedule (a schedule draws a
// key for most of its ops from a small universe: 16 keys by default).
class KeyNames {
 public:
  void Set(uint32_t i, std::string& key) {
    if (i >= kCached) return SetKeyName(i, key);
    std::string& name = names_[i];
    if (name.empty()) SetKeyName(i, name);  // A name is never empty.
    key = name;
  }

 private:
  static constexpr uint32_t kCached = 64;
  std::string names_[kCached];
};

// Values are unique per write ("s<seed>o<index>-" then filler), so a value
// served from the wrong write is told apart from the right one. The
// "s<seed>o" part is formatted once per schedule.
class ValueMaker {
 public:
  ValueMaker(uint64_t seed, const ScheduleOptions& options) : options_(options) {
    tag_[0] = 's';
    prefix_end_ = WriteDecimal(seed, 1, tag_ + 1);
    *prefix_end_++ = 'o';
  }
  // Fills `value` (one assign: it is built in place) for the write `index`.
  void Fill(Random& random, size_t index, std::string& value) {
    uint64_t length = random.OneIn(20) ? random.Range(1, 4096)
                                       : random.Range(0, options_.value_bytes_max);
    char* end = WriteDecimal(index, 1, prefix_end_);
    *end++ = '-';
    value.assign(length, static_cast<char>('a' + index % 26));  // The tag is cut to fit.
    std::copy(tag_, tag_ + std::min<uint64_t>(length, end - tag_), value.begin());
  }

 private:
  const ScheduleOptions& options_;
  char tag_[48];  // "s" 20 digits "o" 20 digits "-"
  char* prefix_end_;
};

MaintenanceKind PickMaintenance(Random& random) {
  if (random.Bernoulli(0.6)) return MaintenanceKind::kMerge;
  static constexpr MaintenanceKind kOthers[] = {
      MaintenanceKind::kFlush, MaintenanceKind::kCompact, MaintenanceKind::kGc,
      MaintenanceKind::kCheckpoint};
  return kOthers[random.Uniform(4)];
}

uint64_t PickCrashAfter(Random& random) {
  // Half the crashes land between operations, half inside one (most within
  // the next few device operations, some deeper, e.g. inside a merge).
  if (random.Bernoulli(0.5)) return 0;
  return random.OneIn(4) ? random.Range(1, 200) : random.Range(1, 12);
}

// Draws op `index` into `op` (default-constructed, already in its vector:
// nothing is built twice or moved).
void FillRandomOp(Random& random, ValueMaker& values, KeyNames& keys, size_t index,
                  const ScheduleOptions& options, Op& op) {
  uint64_t roll = random.Uniform(1000);
  auto key = [&](std::string& out) {
    keys.Set(static_cast<uint32_t>(random.Uniform(options.keys)), out);
  };
  if (roll < 330) {
    op.kind = OpKind::kPut;
    key(op.key);
    values.Fill(random, index, op.value);
    op.sync = random.OneIn(12);
  } else if (roll < 600) {
    op.kind = OpKind::kGet;
    key(op.key);
  } else if (roll < 700) {
    op.kind = OpKind::kDelete;
    key(op.key);
    op.sync = random.OneIn(12);
  } else if (roll < 790) {
    op.kind = OpKind::kBatch;
    op.sync = random.OneIn(8);
    uint64_t n = random.Range(1, 6);
    std::vector<WriteBatch::Op>& batch = op.batch.mutable_ops();
    batch.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      WriteBatch::Op& b = batch.emplace_back();
      // Drawn in this order: delete or put, the key, then the value.
      b.type = random.OneIn(4) ? WriteBatch::OpType::kDelete : WriteBatch::OpType::kPut;
      key(b.key);
      if (b.type == WriteBatch::OpType::kPut) values.Fill(random, index * 8 + i, b.value);
    }
  } else if (roll < 890) {
    op.kind = OpKind::kSync;
  } else if (roll < 960) {
    op.kind = OpKind::kMaintain;
    op.maintenance = PickMaintenance(random);
  } else if (roll < 985) {
    op.kind = OpKind::kReopen;
  } else {
    op.kind = OpKind::kCrash;
    op.crash_after_ops = PickCrashAfter(random);
  }
}

std::string Preview(const std::string& value) {
  std::string shown = value.size() <= 12 ? value : value.substr(0, 12) + "...";
  return absl::StrCat("\"", absl::CHexEscape(shown), "\" (", value.size(), " B)");
}

}  // namespace

Schedule GenerateSchedule(uint64_t seed, const ScheduleOptions& options) {
  KVLAB_CHECK(options.keys > 0);
  Schedule schedule;
  schedule.seed = seed;
  // The op list has its own stream, apart from the SimEnv's, so that cutting
  // ops (shrinking) does not change how the remaining ops were drawn.
  Random random(seed ^ 0x5CEDu);
  ValueMaker values(seed, options);
  KeyNames keys;
  std::vector<Op>& ops = schedule.ops;
  ops.reserve(options.ops + options.crashes);
  for (uint64_t i = 0; i < options.ops; ++i) {
    FillRandomOp(random, values, keys, i, options, ops.emplace_back());
  }
  // The forced crashes, at random places (each slot of an equal share): the
  // c-th is inserted at `at` among the ops and the c crashes before it.
  // Their final places are worked out first, then the ops move up once.
  std::vector<std::pair<uint64_t, uint64_t>> crashes;  // (final index, crash_after_ops)
  crashes.reserve(options.crashes);
  for (uint64_t c = 0; c < options.crashes; ++c) {
    const uint64_t after_ops = PickCrashAfter(random);
    const uint64_t size = options.ops + c;
    const uint64_t share = std::max<uint64_t>(1, size / options.crashes);
    const uint64_t at = std::min<uint64_t>(size, c * share + random.Uniform(share) + 1);
    for (auto& [index, unused] : crashes) index += index >= at;  // Moved up by the insert.
    crashes.push_back({at, after_ops});
  }
  if (!crashes.empty()) {
    std::sort(crashes.begin(), crashes.end());
    ops.resize(options.ops + options.crashes);
    // From the back: each op moves once, to its final place.
    size_t from = options.ops;  // Ops [0, from) are not placed yet.
    size_t next_crash = crashes.size();
    for (size_t to = ops.size(); to-- > crashes.front().first;) {
      if (next_crash > 0 && crashes[next_crash - 1].first == to) {
        --next_crash;
        Op crash;
        crash.kind = OpKind::kCrash;
        crash.crash_after_ops = crashes[next_crash].second;
        ops[to] = std::move(crash);
      } else {
        ops[to] = std::move(ops[--from]);
      }
    }
  }
  for (size_t i = 0; i < schedule.ops.size(); ++i) schedule.ops[i].id = i;
  return schedule;
}

std::string FormatOp(const Op& op) {
  const char* sync = op.sync ? " sync" : "";
  switch (op.kind) {
    case OpKind::kPut: return absl::StrCat("put ", op.key, " = ", Preview(op.value), sync);
    case OpKind::kGet: return absl::StrCat("get ", op.key);
    case OpKind::kDelete: return absl::StrCat("delete ", op.key, sync);
    case OpKind::kBatch: {
      std::string s = absl::StrCat("batch", sync, " {");
      for (size_t i = 0; i < op.batch.size(); ++i) {
        const WriteBatch::Op& b = op.batch.ops()[i];
        absl::StrAppend(&s, i ? ", " : " ",
                        b.type == WriteBatch::OpType::kPut
                            ? absl::StrCat("put ", b.key, " = ", Preview(b.value))
                            : absl::StrCat("delete ", b.key));
      }
      return s + " }";
    }
    case OpKind::kSync: return "sync";
    case OpKind::kMaintain:
      return absl::StrCat("maintain ", AV(MaintenanceKindName(op.maintenance)));
    case OpKind::kReopen: return "reopen (close, open)";
    case OpKind::kCrash:
      return op.crash_after_ops == 0
                 ? "crash now"
                 : absl::StrCat("crash at the ", op.crash_after_ops, "th next device op");
  }
  return "?";
}

std::string FormatSchedule(const Schedule& schedule) {
  std::string s = absl::StrCat("  sim seed ", schedule.seed, ", ", schedule.ops.size(),
                               " ops:\n");
  for (size_t i = 0; i < schedule.ops.size(); ++i) {
    absl::StrAppend(&s, absl::StrFormat("  %4d  ", i), FormatOp(schedule.ops[i]), "\n");
  }
  return s;
}

ScheduleShape Shape(const Schedule& schedule) {
  ScheduleShape shape;
  shape.ops = schedule.ops.size();
  for (const Op& op : schedule.ops) {
    switch (op.kind) {
      case OpKind::kPut:
        ++shape.writes;
        shape.write_bytes += op.key.size() + op.value.size();
        break;
      case OpKind::kDelete:
        ++shape.writes;
        shape.write_bytes += op.key.size();
        break;
      case OpKind::kBatch:
        for (const WriteBatch::Op& b : op.batch.ops()) {
          ++shape.writes;
          shape.write_bytes += b.key.size() + b.value.size();
        }
        break;
      case OpKind::kCrash: ++shape.crashes; break;
      default: break;
    }
  }
  return shape;
}

std::string FormatShape(const ScheduleShape& shape) {
  return absl::StrCat(shape.ops, " ops, ", shape.crashes, " crashes, ", shape.writes,
                      " writes of ", shape.write_bytes, " B");
}

}  // namespace kvlab::sim
