// Scanning a Bitcask data file: the records it holds, and where its valid part ends.
//
// Used by recovery (when a hint is missing or corrupt, and always for the
// newest writer file) and by merge (to read an input file). The torn-tail rule:
// damage in the newest writer file is a torn tail, and is cut away, only when
// no later intact record says that the damaged bytes had been synced (each
// record carries the file's durable offset when it was written, format.h).
// Damage anywhere else, or damage that a later record proves was synced, is
// Corruption naming the file and the offset.
#ifndef KVLAB_ENGINE_BITCASK_SCAN_H_
#define KVLAB_ENGINE_BITCASK_SCAN_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/bitcask/format.h"
#include "engine/env/env.h"

namespace kvlab::bitcask {

struct ScanResult {
  DataFileKind kind = DataFileKind::kWriter;
  // Records of complete batches, in file order; keys point into the bytes scanned.
  std::vector<HintEntry> entries;
  uint64_t max_sequence = 0;
  uint64_t valid_end = 0;          // End of the last complete record (or batch).
  bool torn_tail = false;          // Bytes after valid_end were damaged and dropped.
  std::string torn_reason;         // Why the tail was judged torn (for stats and tests).
  // The link record (format.h, "Links"), if the file starts with one.
  bool has_link = false;
  uint64_t link_prev_id = 0;
  uint64_t link_prev_size = 0;
  // An intact sync mark, or a record claiming bytes past the header durable:
  // this file was synced after every earlier writer file was durable.
  bool synced = false;
};

// Scans the whole content `bytes` of data file `id` in store directory `dir`.
// With `tolerate_tail` (the newest writer file only) a torn tail is reported
// in the result; otherwise any damage is Corruption ("<path>: <what> at offset N").
// The file's path is built only for such a message (most scans find none).
absl::StatusOr<ScanResult> ScanDataFile(std::string_view bytes, std::string_view dir, uint64_t id,
                                        bool tolerate_tail);

// Bytes read from a file. The block is allocated without zero-filling it (a
// std::string would be), since the read overwrites it anyway.
class FileBytes {
 public:
  FileBytes() = default;
  explicit FileBytes(size_t size)
      : data_(size > 0 ? std::make_unique_for_overwrite<char[]>(size) : nullptr), size_(size) {}
  char* data() { return data_.get(); }
  size_t size() const { return size_; }
  // Keeps the first n bytes (a short read).
  void Truncate(size_t n) { size_ = std::min(size_, n); }
  std::string_view view() const { return std::string_view(data_.get(), size_); }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
};

// Reads the whole of `file` (of `size` bytes), in chunks.
absl::StatusOr<FileBytes> ReadWholeFile(File& file, uint64_t size);

// The store marker at `path`, read whole, without a Size call when it is no
// longer than the marker should be.
absl::StatusOr<FileBytes> ReadMarker(Device& device, std::string_view path);

// Hint file `path` of a data file of `data_size` bytes, read whole; one read
// (no Size call) when it is no longer than a sound hint of that file and a page.
absl::StatusOr<FileBytes> ReadHintFile(Device& device, std::string_view path,
                                       uint64_t data_size);

}  // namespace kvlab::bitcask

#endif  // KVLAB_ENGINE_BITCASK_SCAN_H_
