#include "engine/kv_store.h"

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"

namespace kvlab {

absl::Status CorruptionError(std::string_view message) {
  return absl::DataLossError(absl::StrCat("corruption: ", AV(message)));
}

bool IsCorruption(const absl::Status& status) { return absl::IsDataLoss(status); }

void WriteBatch::Put(std::string_view key, std::string_view value) {
  ops_.push_back(Op{OpType::kPut, std::string(key), std::string(value)});
}

void WriteBatch::Delete(std::string_view key) {
  ops_.push_back(Op{OpType::kDelete, std::string(key), std::string()});
}

uint64_t WriteBatch::user_bytes() const {
  uint64_t n = 0;
  for (const Op& op : ops_) n += op.key.size() + op.value.size();
  return n;
}

std::string_view MaintenanceKindName(MaintenanceKind kind) {
  switch (kind) {
    case MaintenanceKind::kFlush: return "flush";
    case MaintenanceKind::kCompact: return "compact";
    case MaintenanceKind::kMerge: return "merge";
    case MaintenanceKind::kGc: return "gc";
    case MaintenanceKind::kCheckpoint: return "checkpoint";
  }
  return "invalid";
}

namespace {
double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
}  // namespace

double Stats::WriteAmplification() const {
  return Ratio(static_cast<double>(device.Total().bytes_written),
               static_cast<double>(user_bytes_written));
}
double Stats::ReadAmplification() const {
  return Ratio(static_cast<double>(device.Total().bytes_read),
               static_cast<double>(user_bytes_read));
}
double Stats::SpaceAmplification() const {
  return Ratio(static_cast<double>(space_used_bytes), static_cast<double>(live_data_bytes));
}

absl::Status KvStore::Get(const ReadOptions& options, std::string_view key, std::string* value) {
  absl::StatusOr<std::string> got = Get(options, key);
  if (!got.ok()) return got.status();
  *value = *std::move(got);
  return absl::OkStatus();
}

absl::StatusOr<std::string> KvStore::ReadModifyWrite(const WriteOptions& options,
                                                     std::string_view key, RmwFunction fn) {
  absl::StatusOr<std::string> old = Get(ReadOptions(), key);
  std::string updated;
  if (old.ok()) {
    updated = fn(std::string_view(*old));
  } else if (absl::IsNotFound(old.status())) {
    updated = fn(std::nullopt);
  } else {
    return old.status();
  }
  absl::Status s = Put(options, key, updated);
  if (!s.ok()) return s;
  return updated;
}

absl::StatusOr<std::unique_ptr<Iterator>> KvStore::NewIterator(const ReadOptions&) {
  return absl::UnimplementedError(
      "this engine is not ordered: iterators and scans need an ordered engine (lsm, wisckey)");
}

absl::StatusOr<std::unique_ptr<Snapshot>> KvStore::NewSnapshot() {
  return absl::UnimplementedError("this engine does not support snapshots");
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> KvStore::Scan(
    const ReadOptions& options, std::string_view start, std::string_view end, size_t limit) {
  absl::StatusOr<std::unique_ptr<Iterator>> it = NewIterator(options);
  if (!it.ok()) return it.status();
  std::vector<std::pair<std::string, std::string>> out;
  for ((*it)->Seek(start); (*it)->Valid() && out.size() < limit; (*it)->Next()) {
    if (!end.empty() && (*it)->key() >= end) break;
    out.emplace_back(std::string((*it)->key()), std::string((*it)->value()));
  }
  if (!(*it)->status().ok()) return (*it)->status();
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> KvStore::PrefixScan(
    const ReadOptions& options, std::string_view prefix, size_t limit) {
  absl::StatusOr<std::unique_ptr<Iterator>> it = NewIterator(options);
  if (!it.ok()) return it.status();
  std::vector<std::pair<std::string, std::string>> out;
  for ((*it)->Seek(prefix); (*it)->Valid() && out.size() < limit; (*it)->Next()) {
    if ((*it)->key().substr(0, prefix.size()) != prefix) break;
    out.emplace_back(std::string((*it)->key()), std::string((*it)->value()));
  }
  if (!(*it)->status().ok()) return (*it)->status();
  return out;
}

}  // namespace kvlab
