// Data-file scanning and the torn-tail rule (see scan.h).
#include "engine/bitcask/scan.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "engine/kv_store.h"

namespace kvlab::bitcask {
namespace {

constexpr size_t kReadChunkBytes = 4 << 20;

// Looks for an intact record that starts after `damage_at` and claims that the
// file was durable past `damage_at`. Returns its offset, or 0 if none exists.
uint64_t FindDurableRecordAfter(std::string_view bytes, uint64_t damage_at, uint64_t* durable) {
  for (size_t y = damage_at + 1; y + kRecordHeaderSize <= bytes.size(); ++y) {
    if (static_cast<uint8_t>(bytes[y + 4]) != (kRecordMagic & 0xff) ||
        static_cast<uint8_t>(bytes[y + 5]) != (kRecordMagic >> 8)) {
      continue;
    }
    Record record;
    size_t size = 0;
    if (DecodeRecord(bytes.substr(y), &record, &size) != DecodeResult::kOk) continue;
    if (record.durable_offset > damage_at) {
      *durable = record.durable_offset;
      return y;
    }
  }
  return 0;
}

}  // namespace

absl::StatusOr<ScanResult> ScanDataFile(std::string_view bytes, std::string_view path, uint64_t id,
                                        bool tolerate_tail) {
  ScanResult result;
  std::string header_problem = CheckFileHeader(bytes, id, &result.kind);
  if (!header_problem.empty()) {
    return CorruptionError(absl::StrCat(AV(path), ": ", header_problem, " at offset 0"));
  }
  // A merge output was synced in full before it became visible: no torn tail.
  if (result.kind == DataFileKind::kMerge) tolerate_tail = false;

  std::vector<HintEntry> pending;  // Records of the batch being read.
  uint64_t group_start = kFileHeaderSize;
  uint64_t pos = kFileHeaderSize;
  uint64_t damage_at = bytes.size();
  uint32_t expected_remaining = 0;  // The batch_remaining the next record of a batch carries.
  std::string reason;
  result.valid_end = pos;
  while (pos < bytes.size()) {
    Record record;
    size_t size = 0;
    DecodeResult r = DecodeRecord(bytes.substr(pos), &record, &size);
    if (r != DecodeResult::kOk) {
      damage_at = pending.empty() ? pos : group_start;
      reason = std::string(DecodeResultName(r));
      if (!pending.empty()) absl::StrAppend(&reason, " inside the batch that starts");
      break;
    }
    if (!pending.empty() && record.batch_remaining != expected_remaining) {
      damage_at = group_start;
      reason = "broken batch framing in the batch that starts";
      break;
    }
    if (pending.empty()) group_start = pos;
    expected_remaining = record.batch_remaining - 1;  // Wraps when 0: the batch ends.
    pending.push_back(HintEntry{record.type, record.sequence, pos, static_cast<uint32_t>(size),
                                std::string(record.key)});
    result.max_sequence = std::max(result.max_sequence, record.sequence);
    pos += size;
    if (record.batch_remaining == 0) {
      for (HintEntry& e : pending) result.entries.push_back(std::move(e));
      pending.clear();
      result.valid_end = pos;
    }
  }
  if (damage_at == bytes.size() && !pending.empty()) {
    damage_at = group_start;
    reason = "incomplete batch that starts";
  }
  if (damage_at == bytes.size()) return result;

  std::string what = absl::StrCat(AV(path), ": ", reason, " at offset ", damage_at);
  if (!tolerate_tail) return CorruptionError(what);
  uint64_t durable = 0;
  uint64_t later = FindDurableRecordAfter(bytes, damage_at, &durable);
  if (later != 0) {
    return CorruptionError(absl::StrCat(what, ", and the intact record at offset ", later,
                                        " says the file was synced through offset ", durable));
  }
  result.valid_end = damage_at;
  result.torn_tail = true;
  result.torn_reason = what;
  return result;
}

absl::StatusOr<std::string> ReadWholeFile(File& file, uint64_t size) {
  std::string out(size, '\0');
  uint64_t done = 0;
  while (done < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunkBytes, size - done));
    ASSIGN_OR_RETURN(size_t n, file.Read(done, absl::MakeSpan(out.data() + done, want)));
    if (n == 0) {
      out.resize(done);  // The file shrank under us; scan what there is.
      break;
    }
    done += n;
  }
  return out;
}

}  // namespace kvlab::bitcask
