// The Env: the only door from engine code to the outside world.
//
// An engine reaches files, time, background work and randomness only through
// the four interfaces below, bundled in `Env`. There are two families of
// implementations that engines cannot tell apart:
//   - real: PosixDevice / UringDevice (engine/env/), RealClock,
//     ThreadPoolExecutor;
//   - simulated: SimDevice, SimClock, SimExecutor (sim/), driven by one seed,
//     with faults injected as the fault profile says.
//
// Errors. Every fallible call returns absl::Status / absl::StatusOr. Codes:
//   NotFound           the file or directory does not exist;
//   AlreadyExists      exclusive create of an existing file, or a held lock;
//   ResourceExhausted  the device is full (ENOSPC);
//   DataLoss           the device reported lost or damaged data (EIO on read);
//   Unavailable        a transient or injected I/O error (EIO on write/sync);
//   InvalidArgument    a bad path, flag or alignment;
//   FailedPrecondition an operation on a closed file, or a wait that can
//                      never finish (the simulator detects this).
// Messages name the path and the operation, so a user can act on them.
//
// Paths. A Device is a namespace of files rooted at a directory chosen when the
// device is made. Paths are relative to that root, '/'-separated, with no "..",
// no leading '/', and no empty components. Engines pass them through unchanged.
#ifndef KVLAB_ENGINE_ENV_ENV_H_
#define KVLAB_ENGINE_ENV_ENV_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/common/check.h"
#include "engine/common/hash.h"

namespace kvlab {

// What a file holds, so that the counters can split I/O by purpose. The kind is
// given at Open and fixed for the life of the handle.
enum class FileKind : uint8_t {
  kOther = 0,
  kData,      // Values / records: Bitcask data files, hybrid-log pages, vlog.
  kIndex,     // SSTables, index pages.
  kLog,       // Write-ahead logs.
  kManifest,  // Manifests, CURRENT, checkpoint metadata.
  kHint,      // Bitcask hint files.
  kCount,
};
inline constexpr size_t kFileKindCount = static_cast<size_t>(FileKind::kCount);
std::string_view FileKindName(FileKind kind);

struct OpenOptions {
  bool create = false;     // Create the file if it is missing.
  bool exclusive = false;  // With create: AlreadyExists if it exists.
  bool truncate = false;   // Truncate to zero length on open.
  bool read_only = false;  // Writes return FailedPrecondition.
  // O_DIRECT on devices that support it. Offsets, lengths and buffers of every
  // read and write must then be multiples of Device::direct_alignment();
  // otherwise InvalidArgument. Devices without direct I/O ignore the flag.
  bool direct = false;
  FileKind kind = FileKind::kOther;
};

// An open file. Thread-safe: Read, Write, Sync and Size may be called from any
// thread at once; Write calls to overlapping ranges from two threads race, as
// they do on a real file. Append is serialised by the file itself.
class File {
 public:
  virtual ~File() = default;

  // Reads up to dst.size() bytes at `offset`. Returns the number read, which
  // is less than dst.size() only at end of file (0 at or past it).
  virtual absl::StatusOr<size_t> Read(uint64_t offset, absl::Span<char> dst) = 0;

  // Writes all of `data` at `offset`, extending the file as needed (a gap is
  // zero-filled). Not durable until Sync() succeeds. Either all bytes are
  // written or a non-OK status is returned (the range may then be partially
  // written, as on a real device).
  virtual absl::Status Write(uint64_t offset, std::string_view data) = 0;

  // Writes `data` at the current end of file and returns the offset it was
  // written at. Concurrent appends never interleave their bytes.
  virtual absl::StatusOr<uint64_t> Append(std::string_view data) = 0;

  // Makes every earlier successful Write/Append/Truncate of this file durable
  // (fdatasync). After a failed Sync, the unsynced data of this file may be
  // gone, even if a later Sync succeeds (the fsync-failure semantics of Linux):
  // callers must treat a failed Sync as a lost write, never retry and go on.
  virtual absl::Status Sync() = 0;

  // Sets the length to `size` (shrinks or zero-extends). Not durable until Sync.
  virtual absl::Status Truncate(uint64_t size) = 0;

  // The current length, including unsynced writes.
  virtual absl::StatusOr<uint64_t> Size() = 0;

  // The path this file was opened with.
  virtual const std::string& path() const = 0;
};

// One request of a batch: a read into `buffer` or a write of `buffer`'s bytes.
// The caller owns the request and the buffer until SubmitBatch returns.
struct IoRequest {
  enum class Op : uint8_t { kRead, kWrite };
  Op op = Op::kRead;
  File* file = nullptr;
  uint64_t offset = 0;
  char* buffer = nullptr;
  size_t length = 0;
  // Filled in by the device: the outcome and the bytes moved (a read past end
  // of file moves fewer than `length`, with an OK status).
  absl::Status status;
  size_t bytes_done = 0;
};

// I/O counters, split by file kind. The source of every amplification figure.
struct IoCounters {
  struct PerKind {
    uint64_t bytes_read = 0;
    uint64_t bytes_written = 0;
    uint64_t reads = 0;
    uint64_t writes = 0;
    uint64_t syncs = 0;
  };
  std::array<PerKind, kFileKindCount> by_kind{};
  uint64_t dir_syncs = 0;

  PerKind Total() const;
  IoCounters operator-(const IoCounters& earlier) const;
};

// Held while a store is open; released when destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// A namespace of files. Thread-safe: every method may be called from any
// thread at once.
class Device {
 public:
  virtual ~Device() = default;

  // A short name of the backend: "posix", "uring", "sim", "counting(posix)".
  virtual std::string name() const = 0;

  // Opens `path`. NotFound when it is missing and !options.create. The parent
  // directory must exist. A new file's directory entry is not durable until
  // SyncDir(parent).
  virtual absl::StatusOr<std::unique_ptr<File>> Open(std::string_view path,
                                                     const OpenOptions& options) = 0;

  // Removes a file. NotFound if missing. Durable after SyncDir(parent).
  virtual absl::Status Remove(std::string_view path) = 0;

  // Atomically replaces `to` with `from` (POSIX rename). Durable after
  // SyncDir of both parents.
  virtual absl::Status Rename(std::string_view from, std::string_view to) = 0;

  // Creates a directory; OK if it already exists. Durable after SyncDir(parent).
  virtual absl::Status CreateDir(std::string_view path) = 0;

  // Makes the creates, removes and renames inside `dir` durable. "" is the root.
  virtual absl::Status SyncDir(std::string_view dir) = 0;

  // The names (not paths) of the entries of `dir`, sorted. NotFound if missing.
  virtual absl::StatusOr<std::vector<std::string>> List(std::string_view dir) = 0;

  // Whether `path` names an existing file or directory.
  virtual absl::StatusOr<bool> Exists(std::string_view path) = 0;

  // The length of the file at `path`, without opening it for I/O.
  virtual absl::StatusOr<uint64_t> FileSize(std::string_view path) = 0;

  // Takes an exclusive lock named by `path` (the file is created if missing).
  // AlreadyExists, naming the path, if any holder (this or another process)
  // has it.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> Lock(std::string_view path) = 0;

  // Completes every request of `batch`, each independently; the requests'
  // own status fields tell the outcome. The return value is the first non-OK
  // request status (or OK). Backends differ only in how much overlaps: io_uring
  // keeps the whole batch in flight (queue depth = batch size, chunked by ring
  // size), POSIX issues them one by one, the simulator charges latency for the
  // batch in parallel. The default issues them one by one through File.
  virtual absl::Status SubmitBatch(absl::Span<IoRequest> batch);

  // Alignment required for direct I/O (1 when the device has none).
  virtual size_t direct_alignment() const { return 1; }

  // The I/O counters of this device, or nullptr if it keeps none (only the
  // CountingDevice wrapper and the simulator keep them).
  virtual const IoCounters* counters() const { return nullptr; }

  // The host directory this device's paths are relative to, or "" if the
  // device has none (the simulator). Only for code that does its own file I/O
  // beside the Env: the RocksDB and LevelDB peers in experiments/peers/.
  // Engines under engine/ never use it. Real devices return their root;
  // wrappers (e.g. CountingDevice) forward their target's.
  virtual std::string host_root() const { return ""; }
};

// Monotonic time. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Nanoseconds since an arbitrary epoch; never decreases. Virtual in sim/.
  virtual int64_t NowNanos() const = 0;
  // Blocks the caller for `nanos` (the simulator advances virtual time instead).
  virtual void SleepNanos(int64_t nanos) = 0;
};

using Task = absl::AnyInvocable<void() &&>;

// Background work as discrete tasks: a flush, a compaction step, a merge, a GC
// pass, a checkpoint phase. Engines start no threads of their own.
// Thread-safe: any thread may schedule or wait.
class Executor {
 public:
  virtual ~Executor() = default;

  // Runs `task` later, never inside this call. Tasks may schedule tasks.
  virtual void Schedule(Task task) = 0;

  // Runs `task` no sooner than `delay_nanos` from now (on the Env's clock).
  virtual void ScheduleAfter(int64_t delay_nanos, Task task) = 0;

  // The one blocking primitive engines may use. Returns OK once done() is true.
  // done() is evaluated by the caller's thread, first at once and then each
  // time a task finishes or Notify() is called. On real threads the caller
  // sleeps in between; in the simulator the wait runs pending tasks (and moves
  // virtual time to the next delayed one) until done() holds, and returns
  // FailedPrecondition ("deadlock") if nothing is left that could make it true.
  // REQUIRES: the caller holds no lock that a task needs.
  virtual absl::Status WaitUntil(absl::FunctionRef<bool()> done) = 0;

  // Wakes WaitUntil callers to re-check their condition. For state changes
  // made outside a task (e.g. by a foreground thread releasing a resource).
  virtual void Notify() = 0;

  // Waits until no task is queued or running (delayed tasks included).
  virtual void Drain() = 0;
};

// A seeded pseudo-random generator of our own (xoshiro256**, seeded through
// SplitMix64), so that the same seed gives the same stream on every build.
// NOT thread-safe: a thread that needs its own stream calls Fork().
class Random {
 public:
  // Inline: the simulator reseeds its fault stream before every operation.
  explicit Random(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& word : s_) word = SplitMix64(x);
  }

  inline uint64_t Next();                // Uniform over all 64-bit values.
  inline uint64_t Uniform(uint64_t n);   // Uniform in [0, n); REQUIRES: n > 0.
  inline uint64_t Range(uint64_t lo, uint64_t hi);  // Uniform in [lo, hi].
  double NextDouble();                   // Uniform in [0, 1), 53 bits.
  bool Bernoulli(double p);              // True with probability p.
  bool OneIn(uint64_t n) { return Uniform(n) == 0; }
  Random Fork();                         // An independent stream from this one.

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  // Uniform's rare rejection loop, out of line.
  uint64_t UniformRejecting(uint64_t n, uint64_t x);

  std::array<uint64_t, 4> s_;
};

// Next and Uniform are inline: the simulator draws several per device op.
inline uint64_t Random::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

// Lemire's multiply-shift with rejection: unbiased and fixed across builds.
inline uint64_t Random::Uniform(uint64_t n) {
  KVLAB_CHECK(n > 0);
  const uint64_t x = Next();
  const __uint128_t m = static_cast<__uint128_t>(x) * n;
  if (static_cast<uint64_t>(m) < n) return UniformRejecting(n, x);
  return static_cast<uint64_t>(m >> 64);
}

// Inline: schedule generation draws one per operation.
inline uint64_t Random::Range(uint64_t lo, uint64_t hi) {
  KVLAB_CHECK(lo <= hi);
  if (lo == 0 && hi == ~0ull) return Next();
  return lo + Uniform(hi - lo + 1);
}

// The bundle engines hold. Not owning: whoever makes the Env keeps its parts
// alive longer than every engine that uses it.
struct Env {
  Device* device = nullptr;
  Clock* clock = nullptr;
  Executor* executor = nullptr;
  Random* random = nullptr;
};

}  // namespace kvlab

#endif  // KVLAB_ENGINE_ENV_ENV_H_
