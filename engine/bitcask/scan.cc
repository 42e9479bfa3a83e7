// Data-file scanning and the torn-tail rule; reading whole files (see scan.h).
#include "engine/bitcask/scan.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "engine/bitcask/file_cache.h"
#include "engine/common/check.h"
#include "engine/common/crc32c.h"
#include "engine/common/status_macros.h"
#include "engine/kv_store.h"

namespace kvlab::bitcask {
namespace {

constexpr size_t kReadChunkBytes = 4 << 20;

// Looks for an intact record after `damage_at` that proves the damage is not
// a torn tail: one that claims the file was durable past `damage_at` (a later
// record's durable offset, or a sync mark, which vouches for everything before
// it), or one that sits where it was not written (a misdirected write).
// Returns why, or "".
std::string FindEvidenceAfter(std::string_view bytes, uint64_t damage_at) {
  for (size_t y = damage_at + 1; y + kRecordHeaderSize <= bytes.size(); ++y) {
    if (static_cast<uint8_t>(bytes[y + 4]) != (kRecordMagic & 0xff) ||
        static_cast<uint8_t>(bytes[y + 5]) != (kRecordMagic >> 8)) {
      continue;
    }
    Record record;
    size_t size = 0;
    if (DecodeRecord(bytes.substr(y), &record, &size) != DecodeResult::kOk) continue;
    if (record.offset != y) {
      return absl::StrCat("the intact record at offset ", y, " was written for offset ",
                          record.offset, " (a misdirected write)");
    }
    if (record.durable_offset > damage_at) {
      return absl::StrCat("the intact record at offset ", y,
                          " says the file was synced through offset ", record.durable_offset);
    }
  }
  return "";
}

// CRC-32C's byte table (the reflected Castagnoli polynomial, as crc32c.cc).
struct CrcTable {
  uint32_t t[256];
  CrcTable() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
      t[i] = c;
    }
  }
};

// A bit whose flip makes the damaged record at the start of `bytes` valid.
struct OneBitFix {
  size_t byte = 0;          // In the record.
  int bit = 0;
  size_t record_size = 0;   // Of the record once fixed.
};

// Whether the damaged record at the start of `bytes` becomes valid when one
// single bit is flipped back, and which. A crash tears writes at sector
// granularity (whole sectors zeroed or garbage, or missing), which practically
// never sits one bit away from a valid record, except in the cases that
// TearCanExplain tells apart; a bit flipped on the medium always does.
std::optional<OneBitFix> FindOneBitFix(std::string_view bytes) {
  if (bytes.size() < kRecordHeaderSize) return std::nullopt;
  Record record;
  size_t size = 0;
  // 1. Bits of the fields that decide the record's extent and validity: try each.
  std::string header(bytes.substr(0, kRecordHeaderSize));
  for (size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 36, 37, 38, 39, 40, 41, 42, 43}) {
    for (int bit = 0; bit < 8; ++bit) {
      header[i] = static_cast<char>(header[i] ^ (1 << bit));
      const size_t n = RecordSize(GetFixed32(header.data() + 36), GetFixed32(header.data() + 40));
      if (n <= bytes.size()) {
        std::string candidate = header;
        candidate.append(bytes.substr(kRecordHeaderSize, n - kRecordHeaderSize));
        if (DecodeRecord(candidate, &record, &size) == DecodeResult::kOk) {
          return OneBitFix{i, bit, n};
        }
      }
      header[i] = static_cast<char>(header[i] ^ (1 << bit));
    }
  }
  // 2. Any other bit under the checksum: compare the checksum difference with
  //    the syndrome of a single-bit error at each position (CRC is linear).
  const size_t n = RecordSize(GetFixed32(bytes.data() + 36), GetFixed32(bytes.data() + 40));
  if (n > bytes.size() || n > (64u << 20)) return std::nullopt;
  const uint32_t want = crc32c::Unmask(GetFixed32(bytes.data()));
  const uint32_t have = crc32c::Value(bytes.data() + 4, n - 4);
  const uint32_t syndrome = want ^ have;
  static const CrcTable table;
  uint32_t s[8];
  for (int bit = 0; bit < 8; ++bit) s[bit] = table.t[1u << bit];
  for (size_t p = n; p-- > 4;) {  // Record byte p, from the last one back.
    const bool extent_field = p >= 36 && p < 44;  // Tried in step 1.
    for (int bit = 0; bit < 8; ++bit) {
      if (!extent_field && s[bit] == syndrome) return OneBitFix{p, bit, n};
      s[bit] = table.t[s[bit] & 0xff] ^ (s[bit] >> 8);
    }
  }
  return std::nullopt;
}

// Whether a torn write can explain the fix. A lost piece of a tear is a whole
// device sector of the write (clipped to the write; sectors are multiples of
// 512 bytes), zeroed or garbage. Let B be the record's bytes in the 512-byte
// block of the file that holds the fixed bit (a lower bound on the record's
// bytes in that lost piece). A tear explains the fix when
//   - B is shorter than 4 bytes: random garbage over 1..3 bytes sits one bit
//     from the lost bytes often enough (3% for one byte; kvlab sim seed 338
//     tore the last byte of a record, which began a new sector); or
//   - B reads all zero and the bit was a 1 (a zeroed piece whose only set bit
//     was this one).
// Over 4 or more garbage bytes the chance is below 1e-8: a flipped bit.
bool TearCanExplain(std::string_view bytes, uint64_t record_at, const OneBitFix& fix) {
  constexpr uint64_t kBlock = 512;
  const uint64_t at = record_at + fix.byte;
  const uint64_t begin = std::max(record_at, at / kBlock * kBlock);
  const uint64_t end = std::min<uint64_t>(record_at + fix.record_size, (at / kBlock + 1) * kBlock);
  if (end - begin < 4) return true;
  if ((static_cast<uint8_t>(bytes[at]) >> fix.bit) & 1) return false;
  for (uint64_t i = begin; i < end; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<ScanResult> ScanDataFile(std::string_view bytes, std::string_view dir, uint64_t id,
                                        bool tolerate_tail) {
  ScanResult result;
  std::string header_problem = CheckFileHeader(bytes, id, &result.kind);
  if (!header_problem.empty()) {
    return CorruptionError(absl::StrCat(AV(FilePath(dir, id, kDataSuffix).view()), ": ",
                                        header_problem, " at offset 0"));
  }
  // A merge output was synced in full before it became visible: no torn tail.
  if (result.kind == DataFileKind::kMerge) tolerate_tail = false;

  // result.entries holds the records of complete batches, [0, committed),
  // then those of the batch being read, which a damaged batch takes back.
  size_t committed = 0;
  auto in_batch = [&] { return result.entries.size() > committed; };
  result.entries.reserve(std::min<size_t>(bytes.size() / RecordSize(0, 0), 4096));
  uint64_t group_start = kFileHeaderSize;
  uint64_t pos = kFileHeaderSize;
  uint64_t damage_at = bytes.size();
  uint64_t bad_record_at = bytes.size();  // The record that failed to decode, if any.
  uint32_t expected_remaining = 0;  // The batch_remaining the next record of a batch carries.
  std::string reason;
  result.valid_end = pos;
  while (pos < bytes.size()) {
    Record record;
    size_t size = 0;
    DecodeResult r = DecodeRecordAt(bytes.substr(pos), pos, &record, &size);
    if (r != DecodeResult::kOk) {
      damage_at = !in_batch() ? pos : group_start;
      bad_record_at = pos;
      reason = std::string(DecodeResultName(r));
      if (in_batch()) absl::StrAppend(&reason, " inside the batch that starts");
      break;
    }
    if (record.type == RecordType::kSyncMark || record.durable_offset > kFileHeaderSize) {
      result.synced = true;
    }
    if (record.type == RecordType::kLink) {
      // A link is the first record of a writer file, and stands alone.
      if (pos != kFileHeaderSize || record.batch_remaining != 0) {
        damage_at = !in_batch() ? pos : group_start;
        reason = "link record out of place";
        break;
      }
      result.has_link = true;
      result.link_prev_id = GetFixed64(record.value.data());
      result.link_prev_size = GetFixed64(record.value.data() + 8);
      pos += size;
      result.valid_end = pos;
      continue;
    }
    if (record.type == RecordType::kSyncMark) {
      // A mark stands alone, between batches (format.h); it holds no key.
      if (in_batch() || record.batch_remaining != 0) {
        damage_at = !in_batch() ? pos : group_start;
        reason = "sync mark inside a batch";
        break;
      }
      pos += size;
      result.valid_end = pos;
      continue;
    }
    if (in_batch() && record.batch_remaining != expected_remaining) {
      damage_at = group_start;
      reason = "broken batch framing in the batch that starts";
      break;
    }
    if (!in_batch()) group_start = pos;
    expected_remaining = record.batch_remaining - 1;  // Wraps when 0: the batch ends.
    result.entries.push_back(
        HintEntry{record.type, record.sequence, pos, static_cast<uint32_t>(size), record.key});
    result.max_sequence = std::max(result.max_sequence, record.sequence);
    pos += size;
    if (record.batch_remaining == 0) {
      committed = result.entries.size();
      result.valid_end = pos;
    }
  }
  if (damage_at == bytes.size() && in_batch()) {
    damage_at = group_start;
    reason = "incomplete batch that starts";
  }
  result.entries.resize(committed);
  if (damage_at == bytes.size()) return result;

  std::string what = absl::StrCat(AV(FilePath(dir, id, kDataSuffix).view()), ": ", reason,
                                  " at offset ", damage_at);
  Record record_unused;
  size_t size_unused = 0;
  if (!tolerate_tail) return CorruptionError(what);
  std::optional<OneBitFix> fix;
  if (bad_record_at < bytes.size()) fix = FindOneBitFix(bytes.substr(bad_record_at));
  if (fix && !TearCanExplain(bytes, bad_record_at, *fix)) {
    return CorruptionError(absl::StrCat(what, ": one flipped bit at offset ", bad_record_at,
                                        " (a whole record damaged on the medium, not a torn "
                                        "write)"));
  }
  if (bad_record_at < bytes.size() &&
      DecodeRecordAt(bytes.substr(bad_record_at), bad_record_at, &record_unused, &size_unused) ==
          DecodeResult::kMisplaced) {
    return CorruptionError(what);  // A crash never moves a record.
  }
  std::string evidence = FindEvidenceAfter(bytes, damage_at);
  if (!evidence.empty()) return CorruptionError(absl::StrCat(what, ", and ", evidence));
  result.valid_end = damage_at;
  result.torn_tail = true;
  result.torn_reason = what;
  return result;
}

absl::StatusOr<FileBytes> ReadWholeFile(File& file, uint64_t size) {
  FileBytes out(static_cast<size_t>(size));
  uint64_t done = 0;
  while (done < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunkBytes, size - done));
    ASSIGN_OR_RETURN(size_t n, file.Read(done, absl::MakeSpan(out.data() + done, want)));
    if (n == 0) {
      out.Truncate(done);  // The file shrank under us; scan what there is.
      break;
    }
    done += n;
  }
  return out;
}

// The marker's bytes. One read into a buffer a byte longer than the marker:
// a short read ends at the end of the file, so no Size call is needed unless
// the file is longer (a misdirected write), which is then read whole.
absl::StatusOr<FileBytes> ReadMarker(Device& device, std::string_view path) {
  OpenOptions options;
  options.read_only = true;
  options.kind = kvlab::FileKind::kManifest;
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, device.Open(path, options));
  FileBytes bytes(kMarkerContents.size() + 1);
  ASSIGN_OR_RETURN(size_t n, file->Read(0, absl::MakeSpan(bytes.data(), bytes.size())));
  if (n < bytes.size()) {
    bytes.Truncate(n);
    return bytes;
  }
  ASSIGN_OR_RETURN(uint64_t size, file->Size());
  return ReadWholeFile(*file, size);
}

// Hint file `path` of a data file of `data_size` bytes. A sound hint is at
// most data_size + kHintTrailerSize bytes (its header is the size of a data
// file's, and an entry is smaller than its record), so the first read, of up
// to one page, is usually the whole file: a short read ends at the end of the
// file, and no Size call is needed. A longer hint is read on after a Size.
absl::StatusOr<FileBytes> ReadHintFile(Device& device, std::string_view path,
                                       uint64_t data_size) {
  constexpr uint64_t kFirstReadBytes = 4096;
  static_assert(kHintHeaderSize <= kFileHeaderSize && kHintEntryFixedSize < kRecordHeaderSize);
  OpenOptions options;
  options.read_only = true;
  options.kind = kvlab::FileKind::kHint;
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, device.Open(path, options));
  FileBytes first(static_cast<size_t>(
      std::min(data_size + kHintTrailerSize + 1, kFirstReadBytes)));
  ASSIGN_OR_RETURN(size_t n, file->Read(0, absl::MakeSpan(first.data(), first.size())));
  if (n < first.size()) {
    first.Truncate(n);
    return first;
  }
  ASSIGN_OR_RETURN(uint64_t size, file->Size());
  FileBytes all(static_cast<size_t>(std::max<uint64_t>(size, n)));
  std::memcpy(all.data(), first.data(), n);
  for (size_t done = n; done < all.size();) {
    ASSIGN_OR_RETURN(size_t got,
                     file->Read(done, absl::MakeSpan(all.data() + done, all.size() - done)));
    if (got == 0) {
      all.Truncate(done);  // Shorter than Size said: DecodeHint judges what there is.
      break;
    }
    done += got;
  }
  return all;
}

}  // namespace kvlab::bitcask
