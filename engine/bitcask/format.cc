// Encoders and decoders of the Bitcask formats documented in format.h / FORMAT.md.
#include "engine/bitcask/format.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/common/check.h"
#include "engine/common/decimal.h"
#include "engine/common/crc32c.h"
#include "engine/common/status_macros.h"

namespace kvlab::bitcask {
namespace {

constexpr std::string_view kDataMagic = "KVBCDAT1";
constexpr std::string_view kHintMagic = "KVBCHNT1";
constexpr std::string_view kManifestMagic = "KVBCMRG1";
static_assert(kDataMagic.size() == 8 && kHintMagic.size() == 8 && kManifestMagic.size() == 8);

uint32_t MaskedCrc(const char* data, size_t n) { return crc32c::Mask(crc32c::Value(data, n)); }

// Types a key-value record (and a hint entry) may have.
bool ValidType(uint8_t t) {
  return t == static_cast<uint8_t>(RecordType::kPut) ||
         t == static_cast<uint8_t>(RecordType::kDelete);
}

}  // namespace

// Formatted by hand: recovery and merge name every file several times, and
// the 15-character names fit a std::string without allocating.
std::string NumberedFileName(uint64_t id, std::string_view suffix) {
  const size_t n = DecimalWidth(id, kFileIdDigits);
  std::string name(n + suffix.size(), '\0');
  WriteDecimalWidth(id, n, name.data());
  std::memcpy(name.data() + n, suffix.data(), suffix.size());
  return name;
}
std::string DataFileName(uint64_t id) { return NumberedFileName(id, kDataSuffix); }
std::string HintFileName(uint64_t id) { return NumberedFileName(id, kHintSuffix); }

bool ParseFileName(std::string_view name, std::string_view suffix, uint64_t* id) {
  if (name.size() != 10 + suffix.size()) return false;
  if (std::memcmp(name.data() + 10, suffix.data(), suffix.size()) != 0) return false;
  return ParseTenDigits(name.data(), id);
}

void EncodeFileHeaderTo(DataFileKind kind, uint64_t id, char* out) {
  std::memcpy(out, kDataMagic.data(), kDataMagic.size());
  StoreFixed32(out + 8, kFormatVersion);
  StoreFixed32(out + 12, static_cast<uint32_t>(kind));
  StoreFixed64(out + 16, id);
  StoreFixed32(out + 24, 0);
  StoreFixed32(out + 28, MaskedCrc(out, 28));
}

std::string EncodeFileHeader(DataFileKind kind, uint64_t id) {
  std::string out(kFileHeaderSize, '\0');
  EncodeFileHeaderTo(kind, id, out.data());
  return out;
}

std::string CheckFileHeader(std::string_view bytes, uint64_t expected_id, DataFileKind* kind) {
  if (bytes.size() < kFileHeaderSize) {
    return absl::StrCat("file header is ", bytes.size(), " bytes, expected ", kFileHeaderSize);
  }
  if (bytes.substr(0, 8) != kDataMagic) return "bad magic (not a Bitcask data file)";
  if (GetFixed32(bytes.data() + 28) != MaskedCrc(bytes.data(), 28)) {
    return "file header checksum mismatch";
  }
  uint32_t version = GetFixed32(bytes.data() + 8);
  if (version != kFormatVersion) return absl::StrCat("unsupported format version ", version);
  uint32_t k = GetFixed32(bytes.data() + 12);
  if (k != 1 && k != 2) return absl::StrCat("unknown file kind ", k);
  uint64_t id = GetFixed64(bytes.data() + 16);
  if (id != expected_id) return absl::StrCat("header says file id ", id);
  *kind = static_cast<DataFileKind>(k);
  return "";
}

size_t ReencodeRecordTo(std::string_view record, uint64_t durable_offset, uint64_t offset,
                        uint32_t batch_remaining, char* dst) {
  KVLAB_CHECK(record.size() >= kRecordHeaderSize);
  const size_t n = record.size();
  std::memcpy(dst, record.data(), n);
  StoreFixed64(dst + 16, durable_offset);
  StoreFixed64(dst + 24, offset);
  StoreFixed32(dst + 32, batch_remaining);
  // The stored checksum (verified) covers [4, n); only the fields [16, 36)
  // changed, so it is updated for them instead of recomputed over the record.
  constexpr size_t kFieldsAt = 16;
  constexpr size_t kFieldsEnd = 36;
  const uint32_t crc =
      crc32c::Substitute(crc32c::Unmask(GetFixed32(record.data())), record.data() + kFieldsAt,
                         dst + kFieldsAt, kFieldsEnd - kFieldsAt, n - kFieldsEnd);
  StoreFixed32(dst, crc32c::Mask(crc));
  return n;
}

void EncodeRecord(const Record& record, std::string* out) {
  const size_t start = out->size();
  out->resize(start + RecordSize(record.key.size(), record.value.size()));
  EncodeRecordTo(record, out->data() + start);
}

size_t EncodeLinkTo(uint64_t prev_id, uint64_t prev_size, uint64_t offset, char* dst) {
  char value[kLinkValueSize];
  StoreFixed64(value, prev_id);
  StoreFixed64(value + 8, prev_size);
  Record link;
  link.type = RecordType::kLink;
  link.offset = offset;
  link.durable_offset = 0;
  link.value = std::string_view(value, sizeof(value));
  return EncodeRecordTo(link, dst);
}

std::string_view DecodeResultName(DecodeResult result) {
  switch (result) {
    case DecodeResult::kOk: return "ok";
    case DecodeResult::kIncomplete: return "incomplete record";
    case DecodeResult::kBadHeader: return "bad record header";
    case DecodeResult::kBadChecksum: return "record checksum mismatch";
    case DecodeResult::kMisplaced: return "record written for another offset (misdirected)";
  }
  return "?";
}

HintBuilder::HintBuilder(HintBuilder&& other) noexcept
    : bytes_(std::move(other.bytes_)),
      used_(std::exchange(other.used_, 0)),
      count_(std::exchange(other.count_, 0)),
      reserve_(other.reserve_) {
  other.bytes_.clear();
}

HintBuilder& HintBuilder::operator=(HintBuilder&& other) noexcept {
  bytes_ = std::move(other.bytes_);
  other.bytes_.clear();
  used_ = std::exchange(other.used_, 0);
  count_ = std::exchange(other.count_, 0);
  reserve_ = other.reserve_;
  return *this;
}

void HintBuilder::Start() {
  // The block is reserved at once; its bytes are zero-filled (resize) only
  // as entries need them.
  bytes_.reserve(std::max(reserve_, kHintHeaderSize) + kHintTrailerSize);
  bytes_.resize(kHintHeaderSize + kHintTrailerSize);  // Zeros: the header is written by Finish.
  used_ = kHintHeaderSize;
}

void HintBuilder::Grow(size_t n) {
  const size_t need = used_ + n + kHintTrailerSize;
  // Doubling the zero-filled part within the reserved block, or past it
  // (std::string then doubles the block).
  bytes_.resize(std::max(need, std::min(2 * bytes_.size(), bytes_.capacity())));
}

std::string HintBuilder::Finish(uint64_t data_id, uint64_t data_size) {
  if (used_ == 0) Start();
  // The header in place of its placeholder, the trailer in the room kept for it.
  char* h = bytes_.data();
  std::memcpy(h, kHintMagic.data(), kHintMagic.size());
  StoreFixed32(h + 8, kFormatVersion);
  StoreFixed32(h + 12, 0);
  StoreFixed64(h + 16, data_id);
  StoreFixed64(h + 24, data_size);
  StoreFixed64(h + used_, count_);
  StoreFixed32(h + used_ + 8, MaskedCrc(h, used_ + 8));
  bytes_.resize(used_ + kHintTrailerSize);  // Shrinks: no copy.
  std::string out = std::move(bytes_);
  Clear(out.size());
  return out;
}

void HintBuilder::Clear(size_t reserve_bytes) {
  bytes_.clear();
  used_ = 0;
  count_ = 0;
  reserve_ = std::max(reserve_, reserve_bytes);
}

std::string EncodeHint(uint64_t data_id, uint64_t data_size,
                       const std::vector<HintEntry>& entries) {
  size_t bytes = kHintHeaderSize;
  for (const HintEntry& e : entries) bytes += kHintEntryFixedSize + e.key.size();
  HintBuilder builder(bytes);
  for (const HintEntry& e : entries) builder.Add(e);
  return builder.Finish(data_id, data_size);
}

std::string DecodeHint(std::string_view bytes, uint64_t data_id, uint64_t data_size,
                       std::vector<HintEntry>* entries) {
  entries->clear();
  if (bytes.size() < kHintHeaderSize + kHintTrailerSize) {
    return absl::StrCat("hint file is only ", bytes.size(), " bytes");
  }
  const size_t crc_at = bytes.size() - 4;
  if (GetFixed32(bytes.data() + crc_at) != MaskedCrc(bytes.data(), crc_at)) {
    return "hint checksum mismatch";
  }
  if (bytes.substr(0, 8) != kHintMagic) return "bad hint magic";
  if (GetFixed32(bytes.data() + 8) != kFormatVersion) return "unsupported hint version";
  if (GetFixed64(bytes.data() + 16) != data_id) return "hint names another data file";
  if (GetFixed64(bytes.data() + 24) != data_size) {
    return absl::StrCat("hint describes ", GetFixed64(bytes.data() + 24),
                        " data bytes, the data file has ", data_size);
  }
  const size_t end = bytes.size() - kHintTrailerSize;
  const uint64_t count = GetFixed64(bytes.data() + end);
  // As many entries as the trailer says, if that many could fit.
  entries->reserve(std::min<uint64_t>(count, (end - kHintHeaderSize) / kHintEntryFixedSize));
  size_t pos = kHintHeaderSize;
  while (pos < end) {
    if (end - pos < kHintEntryFixedSize) return "truncated hint entry";
    const char* p = bytes.data() + pos;
    HintEntry e;
    const uint8_t type = static_cast<uint8_t>(p[0]);
    const uint32_t key_len = GetFixed32(p + 1);
    if (!ValidType(type) || key_len > kMaxKeySize) return "bad hint entry";
    if (end - pos - kHintEntryFixedSize < key_len) return "truncated hint key";
    e.type = static_cast<RecordType>(type);
    e.sequence = GetFixed64(p + 5);
    e.offset = GetFixed64(p + 13);
    e.size = GetFixed32(p + 21);
    e.key = std::string_view(p + kHintEntryFixedSize, key_len);
    const bool size_ok = e.type == RecordType::kDelete ? e.size == RecordSize(key_len, 0)
                                                       : e.size >= RecordSize(key_len, 0);
    if (e.offset < kFileHeaderSize || e.offset + e.size > data_size || !size_ok) {
      return "hint entry points outside its data file";
    }
    entries->push_back(e);
    pos += kHintEntryFixedSize + key_len;
  }
  if (entries->size() != count) return "hint entry count mismatch";
  return "";
}

std::string EncodeManifest(absl::Span<const uint64_t> inputs, absl::Span<const uint64_t> outputs) {
  // Sized once: the layout is fixed by the two counts.
  std::string out(kManifestMagic.size() + 8 + 8 * (inputs.size() + outputs.size()) + 4, '\0');
  char* p = out.data();
  std::memcpy(p, kManifestMagic.data(), kManifestMagic.size());
  StoreFixed32(p + 8, static_cast<uint32_t>(inputs.size()));
  StoreFixed32(p + 12, static_cast<uint32_t>(outputs.size()));
  p += 16;
  for (uint64_t id : inputs) {
    StoreFixed64(p, id);
    p += 8;
  }
  for (uint64_t id : outputs) {
    StoreFixed64(p, id);
    p += 8;
  }
  StoreFixed32(p, MaskedCrc(out.data(), out.size() - 4));
  return out;
}

std::string DecodeManifest(std::string_view bytes, MergeManifest* manifest) {
  if (bytes.size() < 20) return absl::StrCat("manifest is only ", bytes.size(), " bytes");
  const size_t crc_at = bytes.size() - 4;
  if (GetFixed32(bytes.data() + crc_at) != MaskedCrc(bytes.data(), crc_at)) {
    return "manifest checksum mismatch";
  }
  if (bytes.substr(0, 8) != kManifestMagic) return "bad manifest magic";
  const uint64_t n = GetFixed32(bytes.data() + 8);
  const uint64_t m = GetFixed32(bytes.data() + 12);
  if (16 + 8 * (n + m) + 4 != bytes.size()) return "manifest length mismatch";
  manifest->inputs.clear();
  manifest->outputs.clear();
  for (uint64_t i = 0; i < n; ++i) manifest->inputs.push_back(GetFixed64(bytes.data() + 16 + 8 * i));
  for (uint64_t i = 0; i < m; ++i) {
    manifest->outputs.push_back(GetFixed64(bytes.data() + 16 + 8 * (n + i)));
  }
  return "";
}

}  // namespace kvlab::bitcask
