// SimDevice: an in-memory Device with a durable/unsynced model and faults.
//
// Per file (inode): a durable image, the current image (what reads see) and
// the list of unsynced writes and truncates since the last Sync (their bytes
// in one per-inode buffer). Invariant: current == durable with the unsynced
// ops applied in order. So Sync applies the unsynced ops to the durable image
// (cost: the unsynced bytes, not the file size), and a crash rebuilds only the
// files that have unsynced ops. Directory
// entries have a live view and a durable view; every create, remove, rename
// and mkdir is logged per parent directory until SyncDir(parent) makes it
// durable. Crash() computes the state a power loss leaves (see
// fault_profile.h for the outcome knobs) and kills every earlier handle.
//
// Faults are injected as the FaultProfile says, with the device's own seeded
// Random, and counted in SimCounters. Every operation (each request of a batch
// too) is one "device op": it may be a crash point, it is folded into the
// trace hash as one event (trace_hash.h: kind, status code, path, offset,
// length, bytes moved, the bytes read or written, virtual time), and it
// advances the SimClock by its modelled
// latency (a batch by the time of its busiest channel, see fault_profile.h).
//
// Thread-safe (one mutex, sim/device_mutex.h), but deterministic only when
// driven from one thread.
// File and FileLock handles must not outlive the device.
#ifndef KVLAB_SIM_SIM_DEVICE_H_
#define KVLAB_SIM_SIM_DEVICE_H_

#include <atomic>
#include <cstdint>
#include <forward_list>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "engine/common/check.h"
#include "engine/env/env.h"
#include "sim/device_mutex.h"
#include "sim/fault_profile.h"
#include "sim/sim_clock.h"
#include "sim/sim_env.h"
#include "sim/sim_path.h"
#include "sim/trace_hash.h"

namespace kvlab::sim {

class SimFile;

class SimDevice final : public Device {
 public:
  // What a device shares with the rest of a SimEnv. Not owned; must outlive it.
  struct Context {
    Random random{0};  // The device's own stream.
    SimClock* clock = nullptr;
    TraceHash* trace = nullptr;
    SimCounters* counters = nullptr;
  };
  SimDevice(const FaultProfile& profile, Context context);
  // A standalone device that owns its clock, trace and counters (for tests
  // and the conformance suite).
  explicit SimDevice(uint64_t seed, const FaultProfile& profile = FaultProfile::None());
  ~SimDevice() override;

  // ---- Device ----
  std::string name() const override { return "sim"; }
  absl::StatusOr<std::unique_ptr<File>> Open(std::string_view path,
                                             const OpenOptions& options) override;
  absl::Status Remove(std::string_view path) override;
  absl::Status Rename(std::string_view from, std::string_view to) override;
  absl::Status CreateDir(std::string_view path) override;
  absl::Status SyncDir(std::string_view dir) override;
  absl::StatusOr<std::vector<std::string>> List(std::string_view dir) override;
  absl::StatusOr<bool> Exists(std::string_view path) override;
  absl::StatusOr<uint64_t> FileSize(std::string_view path) override;
  absl::StatusOr<std::unique_ptr<FileLock>> Lock(std::string_view path) override;
  absl::Status SubmitBatch(absl::Span<IoRequest> batch) override;
  size_t direct_alignment() const override { return profile_.sector_size; }
  const IoCounters* counters() const override { return &io_counters_; }

  // ---- Simulation control ----
  // Applies the crash model: unsynced writes kept / dropped / torn, unsynced
  // directory operations possibly lost, handles dead, locks released, crash
  // point cleared. Counted in SimCounters::crashes.
  void Crash();

  // Enumerating crash outcomes (additive hook for `kvlab sim --exhaustive`).
  // The fate of one unsynced operation at Crash(chooser).
  enum class CrashFate : uint8_t { kKeep, kDrop, kTear };
  // Returns the fate of unsynced operation i (0-based, numbered as below).
  using CrashChooser = std::function<CrashFate(size_t i)>;
  // How many unsynced operations a crash now decides, numbered in this order:
  // first every unsynced directory operation, in order (kKeep applies it,
  // kDrop or kTear loses it); then every unsynced write and truncate of every
  // file named in the live or the durable namespace (files in path order, live
  // names first, each file once; each file's operations in order; kTear tears
  // a write at sector granularity with the device's Random and drops a
  // truncate). Operations of a file that does not survive the directory fates
  // are numbered too, and have no effect.
  size_t UnsyncedOpsForCrash() const;
  // Crash() with every fate chosen by `chooser` instead of the fault profile
  // (torn_write, unsynced_keep, lose_unsynced_dir_ops are not consulted).
  // Counted like Crash(); the trace records the crash the same way.
  void Crash(const CrashChooser& chooser);

  // The n-th next device op (n >= 1) fails as a crash point.
  void ScheduleCrashAfterOps(uint64_t n);
  // Restarts the stream every fault, latency spike, tear and crash outcome is
  // drawn from (not the free-space draws of disk full). A driver that reseeds
  // before each of its operations from that operation's identity makes the
  // faults it meets independent of what ran before it (schedule.h). Inline:
  // the driver calls it before every operation.
  void ReseedFaults(uint64_t seed) {
    DeviceMutexLock lock(&mu_);
    random_ = Random(seed);
  }
  bool crash_pending() const { return crashed_.load(std::memory_order_acquire); }
  void set_faults_enabled(bool enabled);
  bool faults_enabled() const;

  const FaultProfile& profile() const { return profile_; }
  const SimCounters& sim_counters() const { return *counters_; }
  uint64_t trace_hash() const { return trace_->value(); }
  SimClock& clock() { return *clock_; }
  // The sum of the current sizes of all files (what the capacity limits).
  uint64_t used_bytes() const;
  // The capacity now (0 = unlimited); see fault_profile.h, "Disk full".
  uint64_t capacity_bytes() const;
  // Makes room (profiles with free_space_bytes): draws a new free space F and
  // sets the capacity to used_bytes() + F (capped by a fixed capacity_bytes).
  // No effect without free_space_bytes.
  void FreeSpace();
  // While held, the capacity is enforced even with faults disabled: a driver
  // recovers a store on a full disk without any other fault (off by default).
  void set_hold_full(bool hold);

 private:
  friend class SimFile;
  friend class SimFileLock;

  enum class OpKind : uint8_t {
    kOpen = 1, kRemove, kRename, kCreateDir, kSyncDir, kList, kExists, kFileSize, kLock,
    kRead, kWrite, kAppend, kSync, kTruncate, kSize,
  };
  // "open", "file_size", ...: the name of an op in errors and crash reasons.
  static std::string_view KindName(OpKind kind);
  struct PendingOp {
    bool truncate = false;
    // A write's bytes are Inode::current[offset, +size) while in_current
    // (no later op changed them), else Inode::unsynced_data[data_at, +size).
    bool in_current = false;
    uint64_t offset = 0;  // A write's offset, or a truncate's new size.
    uint64_t data_at = 0;
    uint64_t size = 0;
  };
  // A path a file was opened with and its word in the trace.
  struct OpenPath {
    OpenPath() = default;
    OpenPath(std::string_view p, uint64_t word) : path(p), trace_word(word) {}
    std::string path;
    uint64_t trace_word = 0;
  };
  struct Inode {
    // The durable image is current[0, durable_size) while durable_in_current
    // (true after every sync: no op has changed that range since), else the
    // string `durable`; Durable() is it either way.
    std::string durable;
    bool durable_in_current = true;
    uint64_t durable_size = 0;
    std::string current;  // == the durable image with `unsynced` applied in order.
    std::vector<PendingOp> unsynced;
    std::string unsynced_data;  // The bytes of the writes not in_current, back to back.
    uint64_t unsynced_bytes = 0;  // Sum of the unsynced writes' sizes.
    // [in_current_lo, in_current_hi) covers every in_current write; empty if none.
    uint64_t in_current_lo = ~uint64_t{0};
    uint64_t in_current_hi = 0;
    // Bytes bit-flipped since the last sync or crash. A flip lands in current,
    // durable and the unsynced writes that cover it, but a byte that an
    // unsynced truncate or gap zero-fill produced is in neither of the latter:
    // Sync copies these bytes from current so that durable == current after
    // it, exactly (the invariant holds everywhere else).
    std::vector<uint64_t> flipped;
    bool linked = false;  // Named in the live namespace (counts towards used bytes).
    // The paths handles were opened with, each kept once (usually just the
    // first; a rename adds one) with its TracePathWord: a handle's path()
    // refers to one of them, so opening a file again copies no path, and an
    // op on a handle traces the word instead of hashing the path again.
    // Path "" = none yet (no file path is).
    OpenPath open_path;
    std::forward_list<OpenPath> other_open_paths;  // Stable references.
    // `word` is TracePathWord(path).
    const OpenPath& FindOpenPath(std::string_view path, uint64_t word) {
      if (BytesEqual(open_path.path, path)) return open_path;
      if (open_path.path.empty()) {  // Assigned in place: a recycled inode's buffer.
        open_path.path.assign(path);
        open_path.trace_word = word;
        return open_path;
      }
      for (const OpenPath& p : other_open_paths) {
        if (BytesEqual(p.path, path)) return p;
      }
      return other_open_paths.emplace_front(path, word);
    }
    std::string_view Data(const PendingOp& w) const {
      if (w.in_current) return std::string_view(current).substr(w.offset, w.size);
      return std::string_view(unsynced_data).substr(w.data_at, w.size);
    }
    // Call before current[lo, hi) changes: the in_current writes there get
    // their own copy of their bytes first.
    void BeforeCurrentChanges(uint64_t lo, uint64_t hi) {
      if (lo < in_current_hi && in_current_lo < hi) [[unlikely]] CopyOutOfCurrent();
      if (durable_in_current && lo < durable_size) [[unlikely]] CopyOutDurable();
    }
    void CopyOutOfCurrent();
    void CopyOutDurable() {
      durable.assign(current, 0, durable_size);
      durable_in_current = false;
    }
    std::string_view Durable() const {
      if (durable_in_current) return std::string_view(current).substr(0, durable_size);
      return durable;
    }
    // After a sync or crash made the durable image equal current.
    void DurableIsCurrent() {
      durable.clear();
      durable_in_current = true;
      durable_size = current.size();
    }
    // Back to the state of a new Inode, keeping the buffers' capacities
    // (InodeRecycler). Every member is reset here.
    void Reset() {
      current.clear();
      ClearUnsynced();
      DurableIsCurrent();
      linked = false;
      open_path.path.clear();
      open_path.trace_word = 0;
      other_open_paths.clear();
    }
    // Applies unsynced op `w` to `image` (a write past the end zero-fills the
    // gap; a truncate cuts or zero-extends).
    void ApplyTo(std::string& image, const PendingOp& w) const;
    void ClearUnsynced() {
      unsynced.clear();
      unsynced_data.clear();
      unsynced_bytes = 0;
      flipped.clear();
      in_current_lo = ~uint64_t{0};
      in_current_hi = 0;
    }
  };
  // Inodes are recycled: the deleter of every inode's shared_ptr hands a dead
  // one (always under mu_: deleting a SimFile takes it) back to the device,
  // and NewInode gives it out again with its buffers: a file grows by small
  // appends, and each regrowth of its image or op list is an allocation and a
  // copy. Only sizes are observable, never capacities.
  struct InodeRecycler {
    SimDevice* device;
    void operator()(Inode* inode) const;
  };
  struct Node {
    bool is_dir = false;
    std::shared_ptr<Inode> inode;  // Files only.
  };
  // A path and its TracePathWord, which is also its hash in live_ and
  // durable_ (PathHash): a namespace op computes the word once, for its
  // lookups, its inserts and its trace event.
  struct HashedPath {
    explicit HashedPath(std::string_view p) : path(p), word(TracePathWord(p)) {}
    HashedPath(std::string_view p, uint64_t w) : path(p), word(w) {}
    operator std::string_view() const { return path; }  // Makes a key; compares.
    std::string_view path;
    uint64_t word;
  };
  // The hash of a path in live_ and durable_: inline, one multiply per 8
  // bytes (absl::Hash calls into a shared library for strings over 16 bytes).
  // Not part of the trace, and no result depends on the maps' order.
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view path) const {
      return static_cast<size_t>(TracePathWord(path));
    }
    size_t operator()(const HashedPath& path) const { return static_cast<size_t>(path.word); }
  };
  struct PathEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return BytesEqual(a, b); }
  };
  // Path -> entry, looked up by string_view or HashedPath. A hash map's
  // iteration order is not fixed across processes, so whatever depends on
  // order (List, the crash numbering, the crash's random draws) walks
  // Sorted(), in path order.
  using Names = absl::flat_hash_map<std::string, Node, PathHash, PathEq>;
  using NameEntry = std::pair<const std::string, Node>;
  // One directory entry change; `node` empty means the entry is erased. The
  // records of one operation (a rename has two, or more for a directory) are
  // consecutive in dir_log_ and share `op`: a crash keeps or loses them
  // together. The path is dir_log_paths_[path_at, +path_size) (one buffer for
  // the whole log, so a record costs no allocation). The directory whose
  // SyncDir makes it durable is always a prefix of the path (the entry's
  // parent; for the entries under a renamed directory, that directory's
  // parent), so only its length is kept.
  struct DirRecord {
    uint64_t op;
    uint64_t word;  // TracePathWord(path).
    size_t path_at;
    size_t path_size;
    size_t dir_size;
    std::optional<Node> node;
  };
  // One op in flight: what is traced and charged when it finishes.
  struct Op {
    OpKind kind;
    std::string_view path;
    uint64_t offset = 0;
    uint64_t length = 0;
    int64_t latency_ns = 0;
    // TracePathWord(path) when known (an op on a handle: computed at open).
    const uint64_t* path_word = nullptr;
  };

  // Counts the op; the crash point check. Unavailable once crashed. Inline:
  // every op passes here, and only the two error paths build strings.
  absl::Status BeginOp(Op& op) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++counters_->device_ops;
    if (crashed_.load(std::memory_order_relaxed)) [[unlikely]] return DownError(op);
    // A scheduled crash point is not also drawn for (|| stops at it).
    const bool hit = (crash_after_ops_ > 0 && --crash_after_ops_ == 0) || Inject(chances_.crash);
    if (!hit) [[likely]] return absl::OkStatus();
    return CrashPoint(op);
  }
  // BeginOp's error paths: the device is down; the op is the crash point.
  absl::Status DownError(const Op& op) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CrashPoint(const Op& op) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Charges latency (a spike maybe), folds the op and its outcome `s` into
  // the trace. The caller returns `s` itself (no Status copy per op).
  // Defined inline in sim_device_op.h.
  void FinishOp(const Op& op, const absl::Status& s, uint64_t bytes, std::string_view data)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A fault probability p, decided exactly as Random::Bernoulli(p) decides
  // it (the same draws, the same answers) without floating point per draw:
  // for p in (0, 1) Bernoulli draws n = Next() >> 11 and answers
  // n * 2^-53 < p, i.e. n < ceil(p * 2^53) (n * 2^-53 and p * 2^53 are exact).
  // Bernoulli draws nothing for p >= 1 (true), and Inject drew nothing for
  // p <= 0 or NaN (false).
  struct Chance {
    static constexpr uint64_t kNever = 0;
    static constexpr uint64_t kAlways = ~uint64_t{0};
    uint64_t threshold = kNever;  // Else draw: true iff (Next() >> 11) < threshold.
    explicit Chance(double p);
  };
  // The profile's per-op fault probabilities as Chances, computed once.
  struct FaultChances {
    explicit FaultChances(const FaultProfile& profile);
    Chance crash, latency_spike, read_error, bit_flip, write_error, misdirected_write,
        sync_error;
  };
  // A fault, drawn while faults are enabled (see Chance).
  bool Inject(const Chance& c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!faults_enabled_ || c.threshold == Chance::kNever) return false;
    return c.threshold == Chance::kAlways || (random_.Next() >> 11) < c.threshold;
  }
  // What a namespace op does once its path is valid and the op counted: runs
  // under mu_, gets the normalised path and its live entry (live_.end() if
  // none), may set the bytes the trace records.
  using NamespaceBody =
      absl::FunctionRef<absl::Status(const HashedPath& path, Names::iterator entry, uint64_t& bytes)>;
  // One namespace op on one path (every one but Rename): takes mu_, finds
  // `path` in live_ or else normalises it (errors name the op), BeginOp (a
  // crash point), charges `latency_ns`, runs `body` and FinishOp (traced with
  // no data). Returns the path error, the crash or body's status.
  absl::Status NamespaceOp(OpKind kind, std::string_view path, bool allow_root,
                           int64_t latency_ns, NamespaceBody body) ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<size_t> ReadLocked(SimFile& f, uint64_t offset, absl::Span<char> dst)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<uint64_t> WriteLocked(SimFile& f, bool append, uint64_t offset,
                                       std::string_view data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteChecked(SimFile& f, Op& op, std::string_view data)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SyncFile(SimFile& f);
  absl::Status TruncateFile(SimFile& f, uint64_t size);
  absl::StatusOr<uint64_t> SizeOf(SimFile& f);
  absl::Status CheckHandle(const SimFile& f, bool write) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // CheckHandle's error (out of line: the check itself inlines).
  absl::Status HandleError(const SimFile& f, bool write) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // On a direct-I/O handle: InvalidArgument (naming `op`) unless offset,
  // length and buffer are aligned to the sector size.
  absl::Status CheckDirectIo(const SimFile& f, std::string_view op, uint64_t offset,
                             const char* buffer, size_t length) const;
  // CheckDirectIo's error (out of line).
  absl::Status DirectIoError(const SimFile& f, std::string_view op, uint64_t offset,
                             size_t length) const;

  // Applies a write to an inode's current image and logs it as unsynced.
  void ApplyWrite(Inode& inode, uint64_t offset, std::string_view data)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyTruncate(Inode& inode, uint64_t size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetCurrent(Inode& inode, std::string image) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Flips bit `bit` of byte `pos` everywhere the inode stores that byte.
  void FlipBit(Inode& inode, uint64_t pos, int bit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // A new empty inode: a dead one reset if there is one (InodeRecycler).
  std::shared_ptr<Inode> NewInode() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Namespace helpers (sim_device_namespace.cc).
  const Node* Lookup(std::string_view path) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // True if `dir` (not "") names a directory in live_: Lookup, but the last
  // directory found is remembered until a directory entry goes (dir_version_).
  bool IsLiveDir(std::string_view dir) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // OK if `parent` (ParentDirView(path)) is the root or a live directory;
  // else the error for op `op` on `path`.
  absl::Status CheckParentDir(std::string_view op, std::string_view path, std::string_view parent)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Finds `path` in live_, normalised: a name in live_ is valid and normal
  // (each was normalised when it was made), so only a path not found there is
  // checked (errors name `op`) and, if a "." component went, found again
  // (*path then views *storage). Sets *path and *entry (live_.end() if none).
  absl::Status FindPath(OpKind op, std::string_view raw, bool allow_root,
                        std::string* storage, HashedPath* path, Names::iterator* entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts the next operation of the dir log: the records appended until the
  // next call belong to it.
  void BeginDirOp() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++dir_op_seq_;
    ++dir_log_ops_;
  }
  // Logs one entry change of the current operation as unsynced (`node` empty:
  // `path` is erased); `dir` is a prefix of `path`. Returns the record.
  const DirRecord& AppendDirRecord(std::string_view dir, const HashedPath& path,
                                   std::optional<Node> node) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string_view RecordPath(const DirRecord& r) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return std::string_view(dir_log_paths_.data() + r.path_at, r.path_size);
  }
  // One operation of one entry change: logged, and applied to live_.
  // `parent` is ParentDirView(path.path).
  void LogEntryChange(std::string_view parent, const HashedPath& path, std::optional<Node> node)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetEntry(const HashedPath& path, const std::optional<Node>& node)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A live entry goes: its file (if any) no longer counts towards used bytes.
  void Unlink(const Node& node) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Crash model pieces (sim_device_crash.cc).
  void CrashLocked(const CrashChooser* chooser) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Inodes with unsynced operations, in UnsyncedOpsForCrash() order.
  std::vector<Inode*> CrashCandidates() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes inode.durable the image a crash leaves (its unsynced ops kept,
  // dropped or torn) and current a copy of it; with a chooser, the fate of the
  // inode's j-th unsynced op is (*chooser)(first_index + j).
  void CrashInode(Inode& inode, const CrashChooser* chooser, size_t first_index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TearWrite(std::string& image, uint64_t offset, std::string_view data)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RecomputeUsedBytes() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Disk full: true if growing by `growth` bytes would exceed the capacity
  // now; then DiskFull() counts it and says so, naming `what` (the write or
  // truncate) in the ResourceExhausted message.
  bool NoSpace(uint64_t growth) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status DiskFull(uint64_t growth, std::string_view what) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The capacity for used_bytes_ + a fresh draw of the free space.
  uint64_t DrawCapacity() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Owned parts of a standalone device.
  std::unique_ptr<SimClock> owned_clock_;
  std::unique_ptr<TraceHash> owned_trace_;
  std::unique_ptr<SimCounters> owned_counters_;

  const FaultProfile profile_;
  const FaultChances chances_;  // From profile_ (declared after it).
  // Dead inodes, reset (InodeRecycler; at most kMaxSpares). Declared before
  // everything that holds inodes, so that it outlives them.
  static constexpr size_t kMaxSpares = 16;
  std::vector<std::unique_ptr<Inode>> spare_inodes_;
  // The memory of deleted SimFiles, for the next Open (at most kMaxSpares).
  std::vector<void*> spare_files_ ABSL_GUARDED_BY(mu_);
  mutable DeviceMutex mu_;
  Random random_ ABSL_GUARDED_BY(mu_);
  // Draws of the free space only, so that disk full shifts no other fault.
  Random capacity_random_ ABSL_GUARDED_BY(mu_);
  uint64_t capacity_ ABSL_GUARDED_BY(mu_) = 0;  // 0 = unlimited.
  bool hold_full_ ABSL_GUARDED_BY(mu_) = false;
  SimClock* clock_;
  TraceHash* trace_;
  SimCounters* counters_;
  IoCounters io_counters_;

  // Erases a live entry (SetEntry of no node, once the entry is found).
  void EraseEntry(Names::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The entries of `names` in path (byte) order.
  static std::vector<const NameEntry*> Sorted(const Names& names);
  Names live_ ABSL_GUARDED_BY(mu_);
  Names durable_ ABSL_GUARDED_BY(mu_);
  // Bumped by every change of live_. The last List result is kept with the
  // version it saw: an engine lists a directory again before changing it
  // (Bitcask lists before and after taking its lock), which costs a copy.
  uint64_t live_version_ ABSL_GUARDED_BY(mu_) = 0;
  // Bumped whenever a directory leaves live_ (erased, replaced, a crash):
  // the directory IsLiveDir found last, with the version it saw.
  uint64_t dir_version_ ABSL_GUARDED_BY(mu_) = 0;
  std::string known_dir_ ABSL_GUARDED_BY(mu_);
  uint64_t known_dir_version_ ABSL_GUARDED_BY(mu_) = ~uint64_t{0};
  struct ListCache {
    std::string dir;
    uint64_t version = ~uint64_t{0};
    std::vector<std::string> names;
    std::vector<std::string_view> children;  // Scratch space of a List.
  };
  ListCache list_cache_ ABSL_GUARDED_BY(mu_);
  // The unsynced directory entry changes, in order (DirRecord).
  std::vector<DirRecord> dir_log_ ABSL_GUARDED_BY(mu_);
  std::string dir_log_paths_ ABSL_GUARDED_BY(mu_);  // Their paths, back to back.
  uint64_t dir_log_ops_ ABSL_GUARDED_BY(mu_) = 0;   // The operations they make up.
  uint64_t dir_op_seq_ ABSL_GUARDED_BY(mu_) = 0;    // The last operation's `op`.
  std::set<std::string, std::less<>> locks_ ABSL_GUARDED_BY(mu_);
  uint64_t used_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;  // Bumped by Crash(); older handles are dead.
  bool faults_enabled_ ABSL_GUARDED_BY(mu_) = true;
  // A crash point was hit. Written under mu_; atomic so that crash_pending()
  // (the driver asks after every operation) reads it without taking mu_.
  std::atomic<bool> crashed_{false};
  uint64_t crash_after_ops_ ABSL_GUARDED_BY(mu_) = 0;  // 0 = none scheduled.
  std::string crash_reason_ ABSL_GUARDED_BY(mu_);
  // While a batch runs: the latency of each of its ops, charged together.
  std::vector<int64_t>* batch_latencies_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_SIM_DEVICE_H_
