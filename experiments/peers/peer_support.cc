// Host directories, file kinds and counters for the peer adapters.
#include "experiments/peers/peer_support.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"

namespace kvlab::peers {

absl::StatusOr<std::string> PeerHostDir(std::string_view engine, const Env& env,
                                        std::string_view path) {
  if (env.device == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(AV(engine), ": the Env has no device"));
  }
  const std::string root = env.device->host_root();
  if (root.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        AV(engine), " runs on real devices only: device '", env.device->name(),
        "' has no host directory (use device kind posix or uring, not sim)"));
  }
  std::string dir = root;
  if (!path.empty()) absl::StrAppend(&dir, "/", AV(path));
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat(AV(engine), ": cannot create directory '", dir,
                                               "': ", error.message()));
  }
  return dir;
}

FileKind PeerFileKind(std::string_view file_name) {
  const size_t slash = file_name.rfind('/');
  std::string_view name = slash == std::string_view::npos ? file_name
                                                          : file_name.substr(slash + 1);
  absl::string_view n = AV(name);
  if (absl::EndsWith(n, ".log")) return FileKind::kLog;
  if (absl::EndsWith(n, ".sst") || absl::EndsWith(n, ".ldb")) return FileKind::kIndex;
  if (absl::StartsWith(n, "MANIFEST") || n == "CURRENT" || absl::StartsWith(n, "OPTIONS") ||
      absl::EndsWith(n, ".dbtmp")) {
    return FileKind::kManifest;
  }
  return FileKind::kOther;
}

IoCounters PeerIoCounters::Snapshot() const {
  IoCounters out;
  for (size_t i = 0; i < kFileKindCount; ++i) {
    out.by_kind[i].bytes_read = by_kind_[i].bytes_read.load(std::memory_order_relaxed);
    out.by_kind[i].bytes_written = by_kind_[i].bytes_written.load(std::memory_order_relaxed);
    out.by_kind[i].reads = by_kind_[i].reads.load(std::memory_order_relaxed);
    out.by_kind[i].writes = by_kind_[i].writes.load(std::memory_order_relaxed);
    out.by_kind[i].syncs = by_kind_[i].syncs.load(std::memory_order_relaxed);
  }
  return out;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code error;
  std::filesystem::recursive_directory_iterator it(dir, error), end;
  for (; !error && it != end; it.increment(error)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) {
      const uint64_t size = it->file_size(size_error);
      if (!size_error) total += size;
    }
  }
  return total;
}

void PeerOpCounters::OnScan(
    const absl::StatusOr<std::vector<std::pair<std::string, std::string>>>& result) {
  uint64_t bytes = 0;
  if (result.ok()) {
    for (const auto& [k, v] : *result) bytes += k.size() + v.size();
  }
  Count(scans, user_bytes_read, bytes);
}

void PeerOpCounters::CopyTo(Stats& stats) const {
  stats.user_bytes_written = user_bytes_written.load(std::memory_order_relaxed);
  stats.user_bytes_read = user_bytes_read.load(std::memory_order_relaxed);
  stats.puts = puts.load(std::memory_order_relaxed);
  stats.gets = gets.load(std::memory_order_relaxed);
  stats.deletes = deletes.load(std::memory_order_relaxed);
  stats.batches = batches.load(std::memory_order_relaxed);
  stats.scans = scans.load(std::memory_order_relaxed);
}

}  // namespace kvlab::peers
