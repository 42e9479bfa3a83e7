// Opening a Bitcask store: directory checks, the lock, finishing a committed
// merge, cleaning leftovers, loading hints or scanning data files. The active
// file is then started (the newest writer file continued, its torn tail cut,
// or a new one created) by StartActiveFile in roll.cc.
#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/bitcask/bitcask.h"
#include "engine/bitcask/scan.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"

namespace kvlab::bitcask {
namespace {

constexpr std::string_view kMarkerTmpName = "BITCASK.tmp";

enum class NameKind { kMarker, kLock, kData, kHint, kManifest, kLeftover, kForeign };

NameKind Classify(std::string_view name, uint64_t* id) {
  // Most names are "<10 digits>.data" or ".hint" (none of the fixed names is
  // that long): the suffix picks the one parse, not a parse per suffix.
  static_assert(kDataSuffix.size() == kHintSuffix.size());
  if (name.size() == 10 + kDataSuffix.size()) {
    // The suffix is known to fit: only the digits are left to parse.
    const std::string_view suffix = name.substr(10);
    if (suffix == kDataSuffix && ParseTenDigits(name.data(), id)) return NameKind::kData;
    if (suffix == kHintSuffix && ParseTenDigits(name.data(), id)) return NameKind::kHint;
  }
  if (name == kMarkerName) return NameKind::kMarker;
  if (name == kLockName) return NameKind::kLock;
  if (name == kManifestName) return NameKind::kManifest;
  if (ParseFileName(name, kDataSuffix, id)) return NameKind::kData;
  if (ParseFileName(name, kHintSuffix, id)) return NameKind::kHint;
  if (name == kManifestTmpName || name == kMarkerTmpName) return NameKind::kLeftover;
  for (std::string_view suffix : {kTmpSuffix, kMergingSuffix}) {
    if (absl::EndsWith(AV(name), AV(suffix))) {
      std::string_view base = name.substr(0, name.size() - suffix.size());
      if (ParseFileName(base, kDataSuffix, id) || ParseFileName(base, kHintSuffix, id)) {
        return NameKind::kLeftover;
      }
    }
  }
  return NameKind::kForeign;
}

std::string ParentOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

absl::StatusOr<FileBytes> ReadSmallFile(Device& device, std::string_view path,
                                          kvlab::FileKind kind) {
  OpenOptions options;
  options.read_only = true;
  options.kind = kind;
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, device.Open(path, options));
  ASSIGN_OR_RETURN(uint64_t size, file->Size());
  return ReadWholeFile(*file, size);
}

// Damage the medium can do to the marker (it is written once, whole): a bit
// or two flipped, or the write misdirected to another sector of the file (the
// contents once, zeros elsewhere). Anything else is a foreign file.
bool MarkerDamagedOnTheMedium(std::string_view marker) {
  if (marker.size() == kMarkerContents.size()) {
    int bits = 0;
    for (size_t i = 0; i < marker.size(); ++i) {
      bits += __builtin_popcount(static_cast<uint8_t>(marker[i] ^ kMarkerContents[i]));
    }
    return bits <= 2;
  }
  const size_t at = marker.find(kMarkerContents);
  if (at == std::string_view::npos || marker.size() > (64 << 10)) return false;
  for (size_t i = 0; i < marker.size(); ++i) {
    if ((i < at || i >= at + kMarkerContents.size()) && marker[i] != '\0') return false;
  }
  return true;
}

// The link record at the start of a hinted writer file (`bytes`, right after
// the header), into scan's link fields; none if it does not decode as one.
void ReadLink(std::string_view bytes, ScanResult& scan) {
  Record record;
  size_t size = 0;
  if (DecodeRecordAt(bytes, kFileHeaderSize, &record, &size) != DecodeResult::kOk ||
      record.type != RecordType::kLink) {
    return;
  }
  scan.has_link = true;
  scan.link_prev_id = GetFixed64(record.value.data());
  scan.link_prev_size = GetFixed64(record.value.data() + 8);
}

}  // namespace

absl::StatusOr<std::unique_ptr<BitcaskStore>> BitcaskStore::Open(const Env& env,
                                                                 std::string_view path,
                                                                 const Options& options) {
  KVLAB_CHECK(env.device != nullptr && env.executor != nullptr);
  RETURN_IF_ERROR(CheckOptions(options));
  std::unique_ptr<BitcaskStore> store(new BitcaskStore(env, std::string(path), options));
  // Before LOCK lands in a foreign folder.
  ASSIGN_OR_RETURN(const bool listed, store->CheckBeforeLock(/*probe_marker=*/true));
  absl::StatusOr<std::unique_ptr<FileLock>> lock = env.device->Lock(store->PathOf(kLockName));
  if (!lock.ok()) {
    // A foreign file beside an intact marker is named first, as the listing would have.
    if (!listed) RETURN_IF_ERROR(store->CheckBeforeLock(/*probe_marker=*/false).status());
    return absl::Status(lock.status().code(),
                        absl::StrCat("bitcask store '", AV(path),
                                     "' is already open elsewhere (lock '",
                                     store->PathOf(kLockName), "'): ", lock.status().message()));
  }
  store->lock_ = std::move(*lock);
  // Again (or first), now that nobody else writes: from here on only this open
  // changes the directory, and each step below keeps `names` up to date.
  bool fresh = false;
  ASSIGN_OR_RETURN(std::vector<std::string> names, env.device->List(path));
  RETURN_IF_ERROR(store->CheckDirectory(names, &fresh));
  if (fresh || store->marker_damaged_) {
    RETURN_IF_ERROR(store->CreateStore());
    // The marker is new, and a leftover BITCASK.tmp was replaced and renamed.
    ASSIGN_OR_RETURN(names, env.device->List(path));
  }
  RETURN_IF_ERROR(store->FinishCommittedMerge(names));
  RETURN_IF_ERROR(store->LoadFiles(names));
  if (const IoCounters* c = env.device->counters()) store->counters_at_open_ = *c;
  return store;
}

absl::Status BitcaskStore::CheckDirectory(std::vector<std::string>& names, bool* fresh) {
  bool has_marker = false;
  std::string ours;  // The first file that only Bitcask writes.
  for (const std::string& name : names) {
    uint64_t id = 0;
    switch (Classify(name, &id)) {
      case NameKind::kMarker: has_marker = true; break;
      case NameKind::kLock: break;
      case NameKind::kLeftover:
        if (name != kMarkerTmpName && ours.empty()) ours = name;
        break;
      case NameKind::kForeign:
        return absl::InvalidArgumentError(absl::StrCat(
            "'", path_, "' is not a Bitcask store: it holds '", name,
            "', which Bitcask never writes (open an empty or a Bitcask directory)"));
      default:
        if (ours.empty()) ours = name;
        break;
    }
  }
  if (has_marker && marker_intact_) {
    *fresh = false;
    return absl::OkStatus();
  }
  if (has_marker) {
    ASSIGN_OR_RETURN(FileBytes marker_bytes, ReadMarker(*env_.device, PathOf(kMarkerName)));
    const std::string_view marker = marker_bytes.view();
    if (marker != kMarkerContents && MarkerDamagedOnTheMedium(marker)) {
      *fresh = false;  // Still our store: Open rewrites the marker (a constant).
      marker_damaged_ = true;
      return absl::OkStatus();
    }
    if (marker != kMarkerContents) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", PathOf(kMarkerName), "' is not a kvlab Bitcask marker (", marker.size(),
          " bytes, expected \"kvlab bitcask store, format 1\"): a foreign or damaged store"));
    }
    *fresh = false;
    marker_intact_ = true;
    return absl::OkStatus();
  }
  if (!ours.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", path_, "' holds Bitcask files (e.g. '", ours, "') but no ", AV(kMarkerName),
        " marker: not a complete Bitcask store; refusing to open it"));
  }
  *fresh = true;
  return absl::OkStatus();
}

absl::StatusOr<bool> BitcaskStore::CheckBeforeLock(bool probe_marker) {
  if (probe_marker) {
    // Any failure (no folder, no marker, an I/O error) leaves it to the full
    // check below, which reports it as it always did.
    absl::StatusOr<FileBytes> marker = ReadMarker(*env_.device, PathOf(kMarkerName));
    if (marker.ok() && marker->view() == kMarkerContents) {
      marker_intact_ = true;
      return false;
    }
  }
  if (!path_.empty()) RETURN_IF_ERROR(env_.device->CreateDir(path_));
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_.device->List(path_));
  bool fresh = false;
  RETURN_IF_ERROR(CheckDirectory(names, &fresh));
  return true;
}

absl::Status BitcaskStore::CreateStore() {
  // Written under a temporary name and renamed, so a crash never leaves a torn marker.
  const std::string tmp = PathOf(kMarkerTmpName);
  RETURN_IF_ERROR(CreateSyncedFile(tmp, kMarkerContents, kvlab::FileKind::kManifest).status());
  RETURN_IF_ERROR(env_.device->Rename(tmp, PathOf(kMarkerName)));
  RETURN_IF_ERROR(SyncDir());
  if (!path_.empty() && !options_.test_noop_sync) {
    RETURN_IF_ERROR(env_.device->SyncDir(ParentOf(path_)));
  }
  return absl::OkStatus();
}

absl::Status BitcaskStore::FinishCommittedMerge(std::vector<std::string>& names) {
  if (std::find(names.begin(), names.end(), kManifestName) == names.end()) {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(FileBytes bytes, ReadSmallFile(*env_.device, PathOf(kManifestName),
                                                  kvlab::FileKind::kManifest));
  MergeManifest manifest;
  std::string problem = DecodeManifest(bytes.view(), &manifest);
  if (!problem.empty()) {
    return CorruptionError(absl::StrCat(PathOf(kManifestName), ": ", problem, " at offset 0"));
  }
  // Redo: the outputs take their final names, then the inputs go.
  for (uint64_t id : manifest.outputs) {
    for (const std::string& name : {DataFileName(id), HintFileName(id)}) {
      const std::string merging = PathOf(name, kMergingSuffix);
      ASSIGN_OR_RETURN(bool pending, env_.device->Exists(merging));
      if (pending) RETURN_IF_ERROR(env_.device->Rename(merging, PathOf(name)));
    }
    ASSIGN_OR_RETURN(bool present, env_.device->Exists(PathOf(DataFileName(id))));
    if (!present) {
      return CorruptionError(absl::StrCat(PathOf(kManifestName), ": committed merge output '",
                                          PathOf(DataFileName(id)), "' is missing"));
    }
  }
  RETURN_IF_ERROR(SyncDir());
  RETURN_IF_ERROR(RemoveMergeInputs(manifest.inputs));
  {
    absl::MutexLock lock(&mu_);
    ++finished_merges_at_open_;
    for (uint64_t id : manifest.outputs) next_file_id_ = std::max(next_file_id_, id + 1);
  }
  ASSIGN_OR_RETURN(names, env_.device->List(path_));  // Renamed and removed files.
  return absl::OkStatus();
}

absl::Status BitcaskStore::LoadOneFile(Loaded& f) {
  f.had_hint = false;
  f.valid_size = f.size;
  if (!f.writable) {  // Opened read-only: its hint exists.
    ASSIGN_OR_RETURN(FileBytes hint, ReadHintFile(*env_.device, HintPath(f.id), f.size));
    std::string problem = DecodeHint(hint.view(), f.id, f.size, &f.entries);
    if (problem.empty()) {
      f.had_hint = true;
      f.bytes = std::move(hint);  // The keys of f.entries.
      return absl::OkStatus();
    }
    // A corrupt or stale hint: scan the data file instead.
  }
  if (f.bytes.size() != f.size) {  // Not read in pass 1 (a hint was expected).
    ASSIGN_OR_RETURN(f.bytes, ReadWholeFile(*f.file, f.size));
  }
  // Any writer file may end in a torn tail here (a rolled file is synced in
  // the background); CutBrokenChain decides which may, and what follows.
  ASSIGN_OR_RETURN(f.scan,
                   ScanDataFile(f.bytes.view(), path_, f.id, /*tolerate_tail=*/true));
  f.entries = std::move(f.scan.entries);  // Their keys point into f.bytes.
  f.valid_size = f.scan.valid_end;
  return absl::OkStatus();
}

absl::Status BitcaskStore::CutBrokenChain(std::vector<Loaded>& files) {
  const Loaded* w = nullptr;  // The writer file before files[n], if any.
  for (size_t n = 0; n < files.size(); ++n) {
    const Loaded& next = files[n];
    if (next.kind != DataFileKind::kWriter) continue;
    const Loaded* prev = std::exchange(w, &next);
    if (prev == nullptr) continue;
    std::string why;
    if (prev->scan.torn_tail) {
      why = prev->scan.torn_reason;
    } else if (next.scan.has_link && next.scan.link_prev_id == prev->id &&
               next.scan.link_prev_size != prev->valid_size) {
      why = absl::StrCat(PathOf(DataFileName(prev->id)), " ends at offset ", prev->valid_size,
                         " but ", PathOf(DataFileName(next.id)),
                         " was started when it ended at offset ", next.scan.link_prev_size);
    }
    if (why.empty()) continue;
    // The rolled file *prev lost its unsynced tail. Every later writer file was
    // written after it, so may hold only unsynced records: unless one was
    // synced (then *prev had been synced too, and this is damage), they go.
    for (size_t j = n; j < files.size(); ++j) {
      const Loaded& later = files[j];
      if (later.kind == DataFileKind::kWriter && (later.had_hint || later.scan.synced)) {
        return CorruptionError(absl::StrCat(why, "; yet the later ",
                                            PathOf(DataFileName(later.id)),
                                            " was synced after it, so it was damaged"));
      }
    }
    std::set<uint64_t> dropped;
    for (size_t j = n; j < files.size(); ++j) {
      if (files[j].kind != DataFileKind::kWriter) continue;
      dropped.insert(files[j].id);
      RETURN_IF_ERROR(RemoveDataFile(files[j].id));
    }
    RETURN_IF_ERROR(SyncDir());
    files.erase(std::remove_if(files.begin(), files.end(),
                               [&](const Loaded& f) { return dropped.count(f.id) > 0; }),
                files.end());
    absl::MutexLock lock(&mu_);
    for (uint64_t id : dropped) files_.erase(id);
    dropped_after_broken_chain_ += dropped.size();
    return absl::OkStatus();
  }
  return absl::OkStatus();
}

void BitcaskStore::ApplyEntries(uint64_t file_id, absl::Span<const HintEntry> entries) {
  // One call per file, not per entry: the loop keeps its registers, and the
  // newest sequence is stored once.
  uint64_t max_sequence = 0;
  for (const HintEntry& e : entries) {
    max_sequence = std::max(max_sequence, e.sequence);
    auto [it, inserted] = keydir_.try_emplace(std::string_view(e.key));
    KeyEntry& k = it->second;
    if (!inserted && e.sequence <= k.sequence) continue;  // An older (or duplicate) record.
    k.file_id = file_id;
    k.offset = e.offset;
    k.sequence = e.sequence;
    k.size = e.size;
    k.tombstone = e.type == RecordType::kDelete;
  }
  if (!entries.empty()) next_sequence_ = std::max(next_sequence_, max_sequence + 1);
}

absl::Status BitcaskStore::LoadFiles(const std::vector<std::string>& names) {
  // One pass over the listing removes the leftovers (before any data file is
  // opened) and says which data files and hints exist: nothing else changes
  // the directory while the store opens (the lock is held).
  std::vector<uint64_t> ids;
  ids.reserve(names.size());
  std::vector<uint64_t> hint_ids;
  hint_ids.reserve(names.size());
  uint64_t removed = 0;
  for (const std::string& name : names) {
    uint64_t id = 0;
    const NameKind kind = Classify(name, &id);
    if (kind == NameKind::kData) ids.push_back(id);
    if (kind == NameKind::kHint) hint_ids.push_back(id);
    if (kind == NameKind::kLeftover) {
      RETURN_IF_ERROR(env_.device->Remove(PathOf(name)));
      ++removed;
    }
  }
  if (removed > 0) RETURN_IF_ERROR(SyncDir());
  {
    absl::MutexLock lock(&mu_);
    leftovers_removed_ += removed;
  }
  std::sort(ids.begin(), ids.end());
  std::sort(hint_ids.begin(), hint_ids.end());
  // Pass 1: the kind of every file, from its header, to find the newest
  // writer file. A file without a hint is read whole here (into f.bytes) for
  // pass 2's scan; of a hinted file only the header and the link record that
  // starts a writer file (the hint holds no link, and CutBrokenChain checks
  // every writer file's).
  std::vector<Loaded> loaded;
  loaded.reserve(ids.size());
  size_t next_hint = 0;  // Both lists are sorted: one walk pairs them.
  for (uint64_t id : ids) {
    while (next_hint < hint_ids.size() && hint_ids[next_hint] < id) ++next_hint;
    const bool hinted = next_hint < hint_ids.size() && hint_ids[next_hint] == id;
    const FilePath path = DataPath(id);
    OpenOptions options;
    // A file without a hint is sealed or continued below: writable, so that
    // this one handle serves that too (a hinted file is only read).
    options.read_only = hinted;
    options.kind = kvlab::FileKind::kData;
    ASSIGN_OR_RETURN(std::unique_ptr<File> file, env_.device->Open(path, options));
    ASSIGN_OR_RETURN(uint64_t size, file->Size());
    Loaded f;
    char head[kFileHeaderSize + kRecordHeaderSize + kLinkValueSize];
    std::string_view bytes;
    if (hinted) {
      ASSIGN_OR_RETURN(size_t n, file->Read(0, absl::MakeSpan(head, sizeof(head))));
      bytes = std::string_view(head, n);
    } else {
      ASSIGN_OR_RETURN(f.bytes, ReadWholeFile(*file, size));
      bytes = f.bytes.view();
    }
    std::string problem = CheckFileHeader(bytes.substr(0, kFileHeaderSize), id, &f.kind);
    if (problem.empty()) {
      f.id = id;
      f.size = size;
      f.file = std::move(file);
      f.writable = !hinted;
      // Kept if the hint is sound; a scan (of a file whose hint is not) finds it again.
      if (hinted) ReadLink(bytes.substr(kFileHeaderSize), f.scan);
      loaded.push_back(std::move(f));
      continue;
    }
    if (size <= kFileHeaderSize) {
      // A writer file whose creation a crash or an I/O error interrupted: it
      // never held a record. (The next writer file is created ahead of time,
      // roll.cc, so merge outputs with later ids may exist beside it.)
      file.reset();
      RETURN_IF_ERROR(env_.device->Remove(path));
      RETURN_IF_ERROR(SyncDir());
      continue;
    }
    return CorruptionError(absl::StrCat(AV(path), ": ", problem, " at offset 0"));
  }
  // Pass 2: load hints or scan; cut the writer files at the first that lost
  // its tail (CutBrokenChain); the newest writer file left may have a torn tail.
  uint64_t hint_loads = 0;
  uint64_t hint_fallbacks = 0;  // Hints found corrupt or stale: their files were scanned.
  for (Loaded& f : loaded) {
    RETURN_IF_ERROR(LoadOneFile(f));
    hint_loads += f.had_hint;
    hint_fallbacks += !f.had_hint && !f.writable;  // Opened read-only: a hint was expected.
  }
  RETURN_IF_ERROR(CutBrokenChain(loaded));
  Loaded* newest = nullptr;
  Loaded* previous = nullptr;  // The writer file before the newest.
  for (Loaded& f : loaded) {
    if (f.kind != DataFileKind::kWriter) continue;
    previous = newest;
    newest = &f;
  }
  for (Loaded& f : loaded) {
    if (&f != newest && !f.had_hint) RETURN_IF_ERROR(SealLoadedFile(f));
    // Gets and merges read it through the cache (bounded: the oldest handles
    // close again when there are more files than max_open_files).
    if (&f != newest || f.had_hint) {
      absl::MutexLock lock(&mu_);
      cache_.Put(f.id, std::move(f.file));
    }
  }
  {
    // The keydir and the file table, under one lock (no I/O from here on).
    absl::MutexLock lock(&mu_);
    hint_loads_ += hint_loads;
    hint_fallbacks_ += hint_fallbacks;
    // Sized once for every record loaded (an upper bound: keys repeat across
    // files), so the keydir is not rehashed again and again as it fills.
    size_t entries = 0;
    for (const Loaded& f : loaded) entries += f.entries.size();
    keydir_.reserve(entries);
    for (const Loaded& f : loaded) {
      FileInfo& info = files_[f.id];
      info.kind = f.kind;
      info.total_bytes = f.valid_size;
      if (f.had_hint) info.hint_bytes = f.bytes.size();
      ApplyEntries(f.id, f.entries);
      next_file_id_ = std::max(next_file_id_, f.id + 1);
      torn_tail_bytes_ += f.size - f.valid_size;
    }
    for (auto it = keydir_.begin(); it != keydir_.end();) {
      if (it->second.tombstone) {
        keydir_.erase(it++);
        continue;
      }
      files_[it->second.file_id].live_bytes += it->second.size;
      live_user_bytes_ += it->second.size - kRecordHeaderSize;
      ++it;
    }
  }
  return StartActiveFile(newest, previous == nullptr ? 0 : previous->id,
                         previous == nullptr ? 0 : previous->valid_size);
}

absl::Status BitcaskStore::SealLoadedFile(Loaded& f) {
  // A scanned file that stays immutable: it may hold bytes a process crash
  // left unsynced, so sync it before anything newer counts on it, then give it
  // a hint so the next open is fast (on error the next open scans again).
  if (!f.writable) {  // Its hint was expected (and found unsound): opened read-only.
    OpenOptions options;
    options.kind = kvlab::FileKind::kData;
    ASSIGN_OR_RETURN(f.file, env_.device->Open(DataPath(f.id), options));
    f.writable = true;
  }
  RETURN_IF_ERROR(SyncFile(*f.file));
  uint64_t hint_bytes = 0;
  absl::Status s =
      WriteHintFile(f.id, EncodeHint(f.id, f.size, f.entries), /*merging=*/false, &hint_bytes);
  absl::MutexLock lock(&mu_);
  if (s.ok()) files_[f.id].hint_bytes = hint_bytes;
  return absl::OkStatus();
}

}  // namespace kvlab::bitcask
