// The replayable text form of a Schedule (`kvlab sim --replay FILE`).
//
// One op per line, values hex-encoded ("-" for empty), '#' starts a comment.
// Each op starts with "@ID", its id (schedule.h; it seeds the op's faults);
// in files written before ids existed an op without it gets its position
// in the file, from 0:
//   seed 42
//   @0 put k03 733432 sync
//   @1 get k03
//   @5 delete k07
//   @6 batch sync put:k01:6869 del:k02
//   @7 sync
//   @9 maintain merge
//   @10 reopen
//   @12 crash 7        (0 = now; n = at the n-th next device operation)
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/common/status_macros.h"
#include "sim/campaign/schedule.h"

namespace kvlab::sim {
namespace {

std::string Hex(const std::string& bytes) {
  return bytes.empty() ? "-" : absl::BytesToHexString(bytes);
}

absl::StatusOr<std::string> Unhex(absl::string_view hex, size_t line) {
  if (hex == "-") return std::string();
  bool ok = hex.size() % 2 == 0;
  for (char c : hex) ok = ok && absl::ascii_isxdigit(static_cast<unsigned char>(c));
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("schedule line ", line, ": '", hex, "' is not a hex value"));
  }
  return absl::HexStringToBytes(hex);
}

absl::StatusOr<MaintenanceKind> ParseMaintenance(absl::string_view name, size_t line) {
  for (MaintenanceKind k : {MaintenanceKind::kFlush, MaintenanceKind::kCompact,
                            MaintenanceKind::kMerge, MaintenanceKind::kGc,
                            MaintenanceKind::kCheckpoint}) {
    if (AV(MaintenanceKindName(k)) == name) return k;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("schedule line ", line, ": unknown maintenance kind '", name, "'"));
}

absl::StatusOr<Op> ParseOp(const std::vector<absl::string_view>& w, size_t line) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("schedule line ", line, ": ", why));
  };
  Op op;
  bool sync = !w.empty() && w.back() == "sync";
  size_t n = w.size() - (sync ? 1 : 0);
  op.sync = sync;
  if (w[0] == "put" && n == 3) {
    op.kind = OpKind::kPut;
    op.key = std::string(w[1]);
    ASSIGN_OR_RETURN(op.value, Unhex(w[2], line));
  } else if (w[0] == "get" && n == 2 && !sync) {
    op.kind = OpKind::kGet;
    op.key = std::string(w[1]);
  } else if (w[0] == "delete" && n == 2) {
    op.kind = OpKind::kDelete;
    op.key = std::string(w[1]);
  } else if (w[0] == "batch" && w.size() >= 2) {
    op.kind = OpKind::kBatch;
    for (size_t i = (w.size() > 1 && w[1] == "sync") ? 2 : 1; i < w.size(); ++i) {
      std::vector<absl::string_view> parts = absl::StrSplit(w[i], ':');
      if (parts.size() == 3 && parts[0] == "put") {
        ASSIGN_OR_RETURN(std::string value, Unhex(parts[2], line));
        op.batch.Put(std::string_view(parts[1].data(), parts[1].size()), value);
      } else if (parts.size() == 2 && parts[0] == "del") {
        op.batch.Delete(std::string_view(parts[1].data(), parts[1].size()));
      } else {
        return bad(absl::StrCat("bad batch entry '", w[i], "' (put:KEY:HEX or del:KEY)"));
      }
    }
    op.sync = w[1] == "sync";
  } else if (w[0] == "sync" && w.size() == 1) {
    op.kind = OpKind::kSync;
    op.sync = false;
  } else if (w[0] == "maintain" && w.size() == 2) {
    op.kind = OpKind::kMaintain;
    ASSIGN_OR_RETURN(op.maintenance, ParseMaintenance(w[1], line));
  } else if (w[0] == "reopen" && w.size() == 1) {
    op.kind = OpKind::kReopen;
  } else if (w[0] == "crash" && w.size() == 2) {
    op.kind = OpKind::kCrash;
    if (!absl::SimpleAtoi(w[1], &op.crash_after_ops)) return bad("crash takes a number");
  } else {
    return bad(absl::StrCat("cannot read '", absl::StrJoin(w, " "), "'"));
  }
  return op;
}

}  // namespace

std::string SerializeSchedule(const Schedule& schedule) {
  std::string s = absl::StrCat("seed ", schedule.seed, "\n");
  for (const Op& op : schedule.ops) {
    const char* sync = op.sync ? " sync" : "";
    absl::StrAppend(&s, "@", op.id, " ");
    switch (op.kind) {
      case OpKind::kPut: absl::StrAppend(&s, "put ", op.key, " ", Hex(op.value), sync); break;
      case OpKind::kGet: absl::StrAppend(&s, "get ", op.key); break;
      case OpKind::kDelete: absl::StrAppend(&s, "delete ", op.key, sync); break;
      case OpKind::kBatch:
        absl::StrAppend(&s, "batch", sync);
        for (const WriteBatch::Op& b : op.batch.ops()) {
          if (b.type == WriteBatch::OpType::kPut) {
            absl::StrAppend(&s, " put:", b.key, ":", Hex(b.value));
          } else {
            absl::StrAppend(&s, " del:", b.key);
          }
        }
        break;
      case OpKind::kSync: s += "sync"; break;
      case OpKind::kMaintain:
        absl::StrAppend(&s, "maintain ", AV(MaintenanceKindName(op.maintenance)));
        break;
      case OpKind::kReopen: s += "reopen"; break;
      case OpKind::kCrash: absl::StrAppend(&s, "crash ", op.crash_after_ops); break;
    }
    s += "\n";
  }
  return s;
}

absl::StatusOr<Schedule> ParseSchedule(const std::string& text) {
  Schedule schedule;
  bool have_seed = false;
  size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = line.substr(0, line.find('#'));
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (words.empty()) continue;
    if (words[0] == "seed") {
      if (words.size() != 2 || !absl::SimpleAtoi(words[1], &schedule.seed)) {
        return absl::InvalidArgumentError(
            absl::StrCat("schedule line ", line_number, ": 'seed N' expected"));
      }
      have_seed = true;
      continue;
    }
    uint64_t id = schedule.ops.size();
    if (absl::ConsumePrefix(&words[0], "@")) {
      if (!absl::SimpleAtoi(words[0], &id) || words.size() < 2) {
        return absl::InvalidArgumentError(absl::StrCat(
            "schedule line ", line_number, ": '@", words[0], "' is not an op id and an op"));
      }
      words.erase(words.begin());
    }
    ASSIGN_OR_RETURN(Op op, ParseOp(words, line_number));
    op.id = id;
    schedule.ops.push_back(std::move(op));
  }
  if (!have_seed) return absl::InvalidArgumentError("schedule: no 'seed N' line");
  return schedule;
}

}  // namespace kvlab::sim
