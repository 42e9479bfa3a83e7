// Bitcask on-disk formats: data-file header, data records, hint files, the
// merge manifest and the store marker. Encoders and decoders only: no I/O.
//
// Every multi-byte integer is little-endian. Every structure carries a masked
// CRC-32C (engine/common/crc32c.h). The byte-by-byte layouts are below and in
// FORMAT.md of this folder; the static_asserts pin the sizes.
//
// Data file "<id:010>.data" = file header (32 bytes) + records.
//   File header:
//     [0,8)   magic "KVBCDAT1"
//     [8,12)  format version (1)
//     [12,16) kind: 1 = written by the writer, 2 = written by a merge
//     [16,24) file id (equals the id in the file name)
//     [24,28) reserved, zero
//     [28,32) masked crc32c of bytes [0,28)
//   Record (kRecordHeaderSize = 44 bytes + key + value):
//     [0,4)   masked crc32c of bytes [4, 44 + key_len + value_len): the rest of
//             the header, the key and the value
//     [4,6)   record magic 0xBC5A (lets recovery find record starts after damage)
//     [6,7)   type: 1 = put, 2 = delete (tombstone; value_len is 0), 3 = sync
//             mark (key_len and value_len 0, sequence 0, batch remaining 0;
//             see "Sync marks" below), 4 = link (key_len 0, value_len 16,
//             sequence 0, batch remaining 0; see "Links" below)
//     [7,8)   reserved, zero
//     [8,16)  sequence number (unique, increasing over the store's life)
//     [16,24) durable offset: the length of this file that was known durable
//             (synced) when the record was written. Recovery uses it to tell a
//             torn tail (damage past every durable offset) from corruption of
//             synced data.
//     [24,32) record offset: where in its file this record was written. A
//             record found elsewhere was misdirected by the device: corruption.
//     [32,36) batch remaining: how many records of the same atomic batch follow
//             this one in the same file (0 for a single write and for the last
//             record of a batch). A batch is complete only when its 0 arrives.
//     [36,40) key length
//     [40,44) value length
//     [44, 44 + key_len)  key
//     [44 + key_len, 44 + key_len + value_len)  value
//
//   Sync marks. Sync() first syncs the records, then appends a sync mark whose
//   durable offset is its own offset and syncs again. A durable mark is proof
//   that everything before it was synced: damage found before an intact mark
//   is Corruption, never a torn tail. (Without it, the records of the last
//   sync epoch would be vouched for only by later records, which a crash may
//   drop; a device that then destroys synced bytes, e.g. a torn misdirected
//   write, would make recovery cut synced records as a "torn tail".) Marks
//   hold no key and never enter the keydir or a hint.
//
//   Links. The first record of a writer file, written when it becomes the
//   active file, is a link naming the writer file before it: value = [0,8)
//   previous writer file id (0 if none), [8,16) that file's size when this
//   one took over. A rolled file is synced in the background while records go
//   to its successor, so after a crash an older writer file may have lost its
//   unsynced tail while a newer one kept records: the link lets recovery see
//   it (the predecessor is shorter than the link says, or torn) and drop every
//   later writer file, which then held unsynced records only (Sync() waits for
//   the background syncs of rolled files). Links never enter the keydir or a hint.
//
// Hint file "<id:010>.hint" (describes data file <id> of exactly data_size bytes):
//     [0,8)   magic "KVBCHNT1"
//     [8,12)  format version (1)
//     [12,16) reserved, zero
//     [16,24) data file id
//     [24,32) data file size in bytes (a hint for any other size is stale)
//     entries, each 25 bytes + key:
//       [0,1) type (1 put, 2 delete)  [1,5) key length  [5,13) sequence
//       [13,21) record offset in the data file  [21,25) record size  [25,..) key
//     trailer (12 bytes): [0,8) entry count, [8,12) masked crc32c of every byte
//     of the hint file before these 4 bytes.
//
// Merge manifest "MERGE" (the commit point of a merge, see merge.cc):
//     [0,8) magic "KVBCMRG1"  [8,12) input count n  [12,16) output count m
//     n x u64 input file ids, m x u64 output file ids,
//     [last 4) masked crc32c of every byte before.
//
// Store marker "BITCASK": exactly the text of kMarkerContents.
#ifndef KVLAB_ENGINE_BITCASK_FORMAT_H_
#define KVLAB_ENGINE_BITCASK_FORMAT_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/common/check.h"
#include "engine/common/crc32c.h"

namespace kvlab::bitcask {

inline constexpr std::string_view kMarkerName = "BITCASK";
inline constexpr std::string_view kMarkerContents = "kvlab bitcask store, format 1\n";
inline constexpr std::string_view kLockName = "LOCK";
inline constexpr std::string_view kManifestName = "MERGE";
inline constexpr std::string_view kManifestTmpName = "MERGE.tmp";
inline constexpr std::string_view kDataSuffix = ".data";
inline constexpr std::string_view kHintSuffix = ".hint";
inline constexpr std::string_view kTmpSuffix = ".tmp";          // Hints being written.
inline constexpr std::string_view kMergingSuffix = ".merging";  // Merge outputs before commit.

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kFileHeaderSize = 32;
inline constexpr size_t kRecordHeaderSize = 44;
inline constexpr uint16_t kRecordMagic = 0xBC5A;
inline constexpr size_t kHintHeaderSize = 32;
inline constexpr size_t kHintEntryFixedSize = 25;
inline constexpr size_t kHintTrailerSize = 12;
inline constexpr uint32_t kMaxKeySize = 65535;
// A record's size must fit in 32 bits, so values are capped well below.
inline constexpr uint64_t kMaxValueSizeLimit = 1ull << 30;

static_assert(kFileHeaderSize == 8 + 4 + 4 + 8 + 4 + 4);
static_assert(kRecordHeaderSize == 4 + 2 + 1 + 1 + 8 + 8 + 8 + 4 + 4 + 4);
static_assert(kHintHeaderSize == 8 + 4 + 4 + 8 + 8);
static_assert(kHintEntryFixedSize == 1 + 4 + 8 + 8 + 4);
static_assert(kHintTrailerSize == 8 + 4);
static_assert(kRecordHeaderSize + kMaxKeySize + kMaxValueSizeLimit < (1ull << 32));

enum class DataFileKind : uint32_t { kWriter = 1, kMerge = 2 };
enum class RecordType : uint8_t { kPut = 1, kDelete = 2, kSyncMark = 3, kLink = 4 };
inline constexpr size_t kLinkValueSize = 16;  // Previous writer id u64, its size u64.

// ---- names ----
// "<id:010><suffix>": the id zero-padded to 10 digits (more if it needs them).
std::string NumberedFileName(uint64_t id, std::string_view suffix);
// Its digits are DecimalWidth(id, 10) characters written by WriteDecimalWidth
// (engine/common/decimal.h); FilePath builds names in place with them.
inline constexpr size_t kFileIdDigits = 10;
std::string DataFileName(uint64_t id);
std::string HintFileName(uint64_t id);
// Parses "<10 digits><suffix>"; false if `name` is not of that form.
bool ParseFileName(std::string_view name, std::string_view suffix, uint64_t* id);
// The value of the 10 decimal digits at p; false if one is not a digit.
inline bool ParseTenDigits(const char* p, uint64_t* id) {
  // The first 8 digits at once (SWAR): every byte '0'..'9', then the value.
  uint64_t chunk;
  std::memcpy(&chunk, p, 8);
  if constexpr (std::endian::native != std::endian::little) chunk = __builtin_bswap64(chunk);
  if ((chunk & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull ||
      ((chunk + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull) {
    return false;
  }
  chunk = (chunk & 0x0F0F0F0F0F0F0F0Full) * 2561 >> 8;
  chunk = (chunk & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
  uint64_t v = (chunk & 0x0000FFFF0000FFFFull) * 42949672960001ull >> 32;
  for (size_t i = 8; i < 10; ++i) {
    const unsigned digit = static_cast<unsigned char>(p[i]) - '0';
    if (digit > 9) return false;
    v = v * 10 + digit;
  }
  *id = v;
  return true;
}

// ---- data file header ----
std::string EncodeFileHeader(DataFileKind kind, uint64_t id);
// The same kFileHeaderSize bytes, written at out (no allocation).
void EncodeFileHeaderTo(DataFileKind kind, uint64_t id, char* out);
// InvalidArgument-free: returns a message describing what is wrong, or "" if OK.
std::string CheckFileHeader(std::string_view bytes, uint64_t expected_id, DataFileKind* kind);

// ---- records ----
struct Record {
  RecordType type = RecordType::kPut;
  uint64_t sequence = 0;
  uint64_t durable_offset = 0;
  uint64_t offset = 0;  // Where the record sits in its file.
  uint32_t batch_remaining = 0;
  std::string_view key;
  std::string_view value;
};

inline size_t RecordSize(size_t key_size, size_t value_size) {
  return kRecordHeaderSize + key_size + value_size;
}
// Writes the encoded record, RecordSize(key, value) bytes, at dst. The value
// is copied and checksummed in one pass (crc32c::CopyAndExtend); the key is
// checksummed with the header. Returns the bytes written.
inline size_t EncodeRecordTo(const Record& record, char* dst);
// Appends the encoded record to *out.
void EncodeRecord(const Record& record, std::string* out);
// Writes at dst the record `record` (the whole encoded record, its checksum
// verified already) with its durable offset, record offset and batch remaining
// replaced: the bytes EncodeRecordTo would write for the decoded record with
// those fields, produced by one copy and an update of the stored checksum for
// the changed fields (crc32c::Substitute), not a pass over the record.
// Returns the bytes written (record.size()).
size_t ReencodeRecordTo(std::string_view record, uint64_t durable_offset, uint64_t offset,
                        uint32_t batch_remaining, char* dst);
// Writes at dst the link record (format above) written at `offset`; returns
// its size, RecordSize(0, kLinkValueSize).
size_t EncodeLinkTo(uint64_t prev_id, uint64_t prev_size, uint64_t offset, char* dst);

enum class DecodeResult {
  kOk,
  kIncomplete,  // The bytes end before the record does (or before its header).
  kBadHeader,   // Magic, type or lengths are impossible.
  kBadChecksum,
  kMisplaced,   // Intact, but written for another offset (a misdirected write).
};
std::string_view DecodeResultName(DecodeResult result);

// Decodes the record at the start of `bytes`. On kOk fills *record (views into
// `bytes`) and *size. Callers that know where `bytes` starts in the file check
// record->offset against it (CheckPlacement).
inline DecodeResult DecodeRecord(std::string_view bytes, Record* record, size_t* size);
// DecodeRecord of the record at file offset `at`: kMisplaced if it was written for another.
inline DecodeResult DecodeRecordAt(std::string_view bytes, uint64_t at, Record* record,
                                   size_t* size);
// DecodeRecordAt of a record whose checksum was verified already (by a scan of
// the same in-memory bytes): the header's structure (magic, type, lengths,
// extent) and placement are checked, the checksum is not recomputed.
inline DecodeResult DecodeVerifiedRecordAt(std::string_view bytes, uint64_t at, Record* record,
                                           size_t* size);

// ---- hint files ----
struct HintEntry {
  RecordType type = RecordType::kPut;
  uint64_t sequence = 0;
  uint64_t offset = 0;
  uint32_t size = 0;
  // Decoded entries view their key in the bytes decoded (a hint or a data
  // file, DecodeHint and ScanDataFile), which must outlive them: loading a
  // store copies no key until the keydir does.
  std::string_view key;
};
std::string EncodeHint(uint64_t data_id, uint64_t data_size, const std::vector<HintEntry>& entries);

// A hint file built entry by entry while its data file is written: each entry
// is encoded at once into one growing string (no allocation per key), the
// header is filled in and the trailer appended by Finish.
class HintBuilder {
 public:
  // `reserve_bytes`: the expected size of the finished hint (Clear's too).
  explicit HintBuilder(size_t reserve_bytes = 0) : reserve_(reserve_bytes) {}
  HintBuilder(const HintBuilder&) = default;
  HintBuilder& operator=(const HintBuilder&) = default;
  // The moved-from builder is empty (used_ must not outlive its bytes).
  HintBuilder(HintBuilder&& other) noexcept;
  HintBuilder& operator=(HintBuilder&& other) noexcept;

  // Inline (below): one per record written or merged; the rare Start and
  // Grow are not.
  void Add(RecordType type, uint64_t sequence, uint64_t offset, uint32_t size,
           std::string_view key);
  void Add(const HintEntry& e) { Add(e.type, e.sequence, e.offset, e.size, e.key); }
  uint64_t count() const { return count_; }
  // Bytes added so far (header placeholder and entries; 0 before the first Add).
  size_t size() const { return used_; }
  // The hint file of data file `data_id` of `data_size` bytes (the format
  // above); the builder is left empty.
  std::string Finish(uint64_t data_id, uint64_t data_size);
  // Empties the builder. The string Finish hands out takes the block with it,
  // so the next hint's block is reserved once, at the first Add, as large as
  // the largest of `reserve_bytes` (here or earlier) and the hints finished
  // (not grown by doubling from the header's size).
  void Clear(size_t reserve_bytes = 0);

 private:
  void Start();  // The header placeholder, in a block of the reserved size.
  // Makes bytes_ hold at least `n` bytes past used_ plus the trailer.
  void Grow(size_t n);
  // bytes_[0, used_) is the hint so far (empty, or header placeholder +
  // entries); the rest of bytes_, zeros, is room for more entries and always
  // for the trailer. Entries are stored into that room, so an Add makes no
  // library call but the key's memcpy (two appends cost three times as much).
  std::string bytes_;
  size_t used_ = 0;
  uint64_t count_ = 0;
  size_t reserve_ = 0;  // The size Start reserves.
};
// Returns a description of the defect (e.g. "checksum mismatch") or "" and
// fills *entries, whose keys point into `bytes`.
std::string DecodeHint(std::string_view bytes, uint64_t data_id, uint64_t data_size,
                       std::vector<HintEntry>* entries);

// ---- merge manifest ----
struct MergeManifest {
  std::vector<uint64_t> inputs;
  std::vector<uint64_t> outputs;
};
std::string EncodeManifest(absl::Span<const uint64_t> inputs, absl::Span<const uint64_t> outputs);
// Returns a description of the defect or "".
std::string DecodeManifest(std::string_view bytes, MergeManifest* manifest);

// ---- little-endian helpers ----
// Inline, and one load or store on a little-endian CPU: records and hint
// entries are decoded field by field, and a byte loop per field cost more
// than the rest of a decode (the CRC aside).
inline void StoreFixed32(char* p, uint32_t v) {
  if constexpr (std::endian::native != std::endian::little) v = __builtin_bswap32(v);
  std::memcpy(p, &v, sizeof(v));
}
inline void StoreFixed64(char* p, uint64_t v) {
  if constexpr (std::endian::native != std::endian::little) v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof(v));
}
inline uint32_t GetFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native != std::endian::little) v = __builtin_bswap32(v);
  return v;
}
inline uint64_t GetFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native != std::endian::little) v = __builtin_bswap64(v);
  return v;
}
inline void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  StoreFixed32(b, v);
  out->append(b, sizeof(b));
}
inline void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  StoreFixed64(b, v);
  out->append(b, sizeof(b));
}

// Inline: one per record written (and per sync mark); a call and its
// register saves were a fifth of an encode of a small record.
inline size_t EncodeRecordTo(const Record& record, char* dst) {
  KVLAB_CHECK(record.key.size() <= kMaxKeySize);
  KVLAB_CHECK(record.value.size() <= kMaxValueSizeLimit);
  char* p = dst;
  p[4] = static_cast<char>(kRecordMagic & 0xff);
  p[5] = static_cast<char>(kRecordMagic >> 8);
  p[6] = static_cast<char>(record.type);
  p[7] = 0;
  StoreFixed64(p + 8, record.sequence);
  StoreFixed64(p + 16, record.durable_offset);
  StoreFixed64(p + 24, record.offset);
  StoreFixed32(p + 32, record.batch_remaining);
  StoreFixed32(p + 36, static_cast<uint32_t>(record.key.size()));
  StoreFixed32(p + 40, static_cast<uint32_t>(record.value.size()));
  // The checksum covers bytes [4, end): the header rest and the key in one
  // pass (keys are short: a pass of their own cost more than their bytes),
  // then the value, copied into place by the pass that checksums it.
  if (!record.key.empty()) std::memcpy(p + kRecordHeaderSize, record.key.data(), record.key.size());
  uint32_t crc = crc32c::Extend(0, p + 4, kRecordHeaderSize - 4 + record.key.size());
  if (!record.value.empty()) {  // Tombstones and sync marks have none.
    crc = crc32c::CopyAndExtend(crc, p + kRecordHeaderSize + record.key.size(),
                                record.value.data(), record.value.size());
  }
  StoreFixed32(p, crc32c::Mask(crc));
  return RecordSize(record.key.size(), record.value.size());
}

namespace format_internal {

// DecodeRecord, with the checksum verified only when kVerifyCrc. Inline (with
// the three decoders below): a scan decodes every record of a file, a Get
// one, and the call and its register saves cost a third of a decode (the
// checksum aside).
template <bool kVerifyCrc>
inline DecodeResult DecodeRecordImpl(std::string_view bytes, Record* record, size_t* size) {
  if (bytes.size() < kRecordHeaderSize) return DecodeResult::kIncomplete;
  const char* p = bytes.data();
  // Bytes [4,8) in one load: the magic, then the type and the reserved zero
  // byte, which a switch on both checks at once (any reserved bit set: no case).
  const uint32_t word = GetFixed32(p + 4);
  const uint32_t key_len = GetFixed32(p + 36);
  const uint32_t value_len = GetFixed32(p + 40);
  if ((word & 0xffff) != kRecordMagic) return DecodeResult::kBadHeader;
  bool lengths_ok = false;
  switch (word >> 16) {
    case static_cast<uint8_t>(RecordType::kPut):
      lengths_ok = key_len <= kMaxKeySize && value_len <= kMaxValueSizeLimit;
      break;
    case static_cast<uint8_t>(RecordType::kDelete):
      lengths_ok = key_len <= kMaxKeySize && value_len == 0;
      break;
    case static_cast<uint8_t>(RecordType::kSyncMark):
      lengths_ok = key_len == 0 && value_len == 0;
      break;
    case static_cast<uint8_t>(RecordType::kLink):
      lengths_ok = key_len == 0 && value_len == kLinkValueSize;
      break;
    default:
      break;  // An unknown type, or the reserved byte is not zero.
  }
  if (!lengths_ok) return DecodeResult::kBadHeader;
  const size_t n = RecordSize(key_len, value_len);
  if (bytes.size() < n) return DecodeResult::kIncomplete;
  if constexpr (kVerifyCrc) {
    if (GetFixed32(p) != crc32c::Mask(crc32c::Value(p + 4, n - 4))) {
      return DecodeResult::kBadChecksum;
    }
  }
  record->type = static_cast<RecordType>(word >> 16);
  record->sequence = GetFixed64(p + 8);
  record->durable_offset = GetFixed64(p + 16);
  record->offset = GetFixed64(p + 24);
  record->batch_remaining = GetFixed32(p + 32);
  record->key = std::string_view(p + kRecordHeaderSize, key_len);
  record->value = std::string_view(p + kRecordHeaderSize + key_len, value_len);
  *size = n;
  return DecodeResult::kOk;
}

}  // namespace format_internal

inline DecodeResult DecodeRecord(std::string_view bytes, Record* record, size_t* size) {
  return format_internal::DecodeRecordImpl<true>(bytes, record, size);
}

inline DecodeResult DecodeRecordAt(std::string_view bytes, uint64_t at, Record* record,
                                   size_t* size) {
  DecodeResult r = format_internal::DecodeRecordImpl<true>(bytes, record, size);
  if (r == DecodeResult::kOk && record->offset != at) return DecodeResult::kMisplaced;
  return r;
}

inline DecodeResult DecodeVerifiedRecordAt(std::string_view bytes, uint64_t at, Record* record,
                                           size_t* size) {
  DecodeResult r = format_internal::DecodeRecordImpl<false>(bytes, record, size);
  if (r == DecodeResult::kOk && record->offset != at) return DecodeResult::kMisplaced;
  return r;
}

inline void HintBuilder::Add(RecordType type, uint64_t sequence, uint64_t offset, uint32_t size,
                             std::string_view key) {
  KVLAB_CHECK(key.size() <= kMaxKeySize);
  if (used_ == 0) Start();
  const size_t n = kHintEntryFixedSize + key.size();
  if (bytes_.size() - used_ < n + kHintTrailerSize) Grow(n);
  char* p = bytes_.data() + used_;
  p[0] = static_cast<char>(type);
  StoreFixed32(p + 1, static_cast<uint32_t>(key.size()));
  StoreFixed64(p + 5, sequence);
  StoreFixed64(p + 13, offset);
  StoreFixed32(p + 21, size);
  if (!key.empty()) std::memcpy(p + kHintEntryFixedSize, key.data(), key.size());
  used_ += n;
  ++count_;
}

}  // namespace kvlab::bitcask

#endif  // KVLAB_ENGINE_BITCASK_FORMAT_H_
