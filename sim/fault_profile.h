// FaultProfile: which faults the simulator injects, how often, and the latency
// model of the simulated device. Read from a YAML file (sim/profiles/*.yaml);
// every field below is one top-level key of that file, with the same name.
//
// Probabilities are in [0, 1] and apply "per" the unit named in the comment:
// per device operation, per read, per write, per sync, or (for the crash
// outcome knobs) per unsynced operation at the moment Crash() is applied.
// Times are virtual nanoseconds of the SimClock.
//
// Crash outcome knobs. At Crash() each unsynced write of a surviving file is
// torn with probability `torn_write`; otherwise it is kept with probability
// `unsynced_keep` and else dropped. Each unsynced directory operation (create,
// remove, rename, mkdir) is lost with probability `lose_unsynced_dir_ops`.
// The defaults (unsynced_keep = 0, lose_unsynced_dir_ops = 1) are the strict
// crash: exactly the synced state survives. That is not a fault but the
// baseline; "no faults" (None()) means no injected errors, no tears, no crash
// points the driver did not schedule.
#ifndef KVLAB_SIM_FAULT_PROFILE_H_
#define KVLAB_SIM_FAULT_PROFILE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/env/env.h"

namespace kvlab::sim {

// What the lost sectors of a torn write hold after the crash.
enum class TornFill : uint8_t {
  kZero,     // Every lost sector reads as zeros.
  kGarbage,  // Every lost sector reads as seeded random bytes.
  kBoth,     // Each lost sector is zeroed or garbage-filled, by a coin flip.
};
std::string_view TornFillName(TornFill fill);

struct FaultProfile {
  // ---- Faults. ----
  // Per device operation: this operation becomes a random crash point. It and
  // every later operation fail with Unavailable until the driver calls Crash().
  double crash = 0;
  // Per unsynced write, at Crash(): the write is torn. Its bytes are split at
  // sector boundaries (of the file offset); each piece lands or is lost, at
  // least one is lost, and a lost piece is filled as `torn_fill` says. Bytes
  // outside the write's own range are never touched.
  double torn_write = 0;
  TornFill torn_fill = TornFill::kBoth;
  // Per unsynced write or truncate that is not torn, at Crash(): kept (else
  // dropped: the bytes read as they did before that write).
  double unsynced_keep = 0;
  // Per unsynced directory operation, at Crash(): lost. Synced ones never are.
  double lose_unsynced_dir_ops = 1;
  // Per write: the whole write lands at another sector-aligned offset of the
  // same file (same offset within the sector); the intended range keeps its
  // old bytes; the call returns OK.
  double misdirected_write = 0;
  // Per read: Unavailable, nothing read (transient: a retry may succeed).
  double read_error = 0;
  // Per write: Unavailable; a random whole-sector prefix of the write landed.
  double write_error = 0;
  // Per file sync: Unavailable, and the unsynced writes and truncates of that
  // file (only that file) are dropped at once (Linux fsync-failure semantics).
  double sync_error = 0;
  // Per read that returns at least one byte: one random bit of the bytes read
  // flips in the stored file (durable and unsynced images), so retries and
  // later reads see it too.
  double bit_flip = 0;
  // Disk full. A write or truncate that would make the sum of the sizes of
  // all files (SimDevice::used_bytes) exceed the device capacity fails with
  // ResourceExhausted (counted as disk_full_errors); nothing of it lands.
  // Overwrites within a file and removes need no space. The capacity is a
  // state of the device, not a per-op draw: set_faults_enabled(false) lifts
  // it, unless the driver holds the disk full (SimDevice::set_hold_full).
  //
  // capacity_bytes: a fixed capacity. 0 = unlimited.
  uint64_t capacity_bytes = 0;
  // free_space_bytes: a capacity relative to what the store holds, so that
  // any workload meets a full disk (a fixed size is reached only by the few
  // seeds that write that much). 0 = off. The device starts with F bytes
  // free, F drawn log-uniformly from [4 KiB, free_space_bytes] (just
  // free_space_bytes if smaller) from the device's own capacity stream (it
  // shifts no other fault draw): capacity = used bytes + F. It stays there
  // (the disk fills up and stays full) until the driver calls
  // SimDevice::FreeSpace(), which draws a new F and sets capacity = used + F
  // (an operator making room). The campaign runner frees space once a store
  // has met the full disk and recovered on it. With both set, the lower
  // capacity applies.
  uint64_t free_space_bytes = 0;
  // Per device operation: the operation takes `latency_spike_ns` longer.
  double latency_spike = 0;
  int64_t latency_spike_ns = 10'000'000;

  // ---- Latency model (applies with or without faults). ----
  // Files are split into sectors of this size for tears and misdirects; it is
  // also the direct-I/O alignment. A power of two.
  uint64_t sector_size = 4096;
  // A read of n bytes takes read_latency_ns + n * read_latency_ns_per_byte.
  int64_t read_latency_ns = 80'000;
  double read_latency_ns_per_byte = 0.25;
  // A write of n bytes takes write_latency_ns + n * write_latency_ns_per_byte.
  int64_t write_latency_ns = 20'000;
  double write_latency_ns_per_byte = 0.5;
  // A file sync with n unsynced bytes takes sync_latency_ns + n * per byte.
  int64_t sync_latency_ns = 500'000;
  double sync_latency_ns_per_byte = 0.5;
  // Open, Remove, Rename, CreateDir, List, Exists, FileSize, Lock and
  // Truncate each take this. SyncDir takes sync_latency_ns; File::Size is free.
  int64_t metadata_latency_ns = 10'000;
  // A batch runs on this many parallel channels: each request goes to the
  // least busy channel in completion order; the batch takes the busiest
  // channel's time plus batch_op_overhead_ns per request (queueing). Single
  // calls add up, so a batch of n independent reads is up to n times faster.
  uint64_t device_parallelism = 32;
  int64_t batch_op_overhead_ns = 1'000;

  // No injected faults; the default latency model; the strict crash.
  static FaultProfile None();

  // Reads a profile from a YAML file: a mapping of the keys above. Missing
  // keys keep their defaults (those of None()). Errors are InvalidArgument
  // naming the file, line, column and key (NotFound if the file is missing).
  static absl::StatusOr<FaultProfile> Load(const std::string& path);
  // The same from text; `source_name` names it in errors.
  static absl::StatusOr<FaultProfile> Parse(std::string_view yaml_text,
                                            std::string_view source_name);

  // Swarm testing: each fault kind is switched on (as configured here) or off
  // with probability 1/2, drawn from `random`. Off means probability 0 (for
  // disk full, capacity_bytes and free_space_bytes both 0: unlimited; for
  // unsynced_keep: 0; for lose_unsynced_dir_ops: 1, the strict crash). The
  // latency model is kept. For a disk-full kind that every seed reaches,
  // give the profile free_space_bytes (sim/profiles/all.yaml does).
  FaultProfile Swarm(Random& random) const;

  // Every key and value, as YAML that Parse() reads back to an equal profile.
  std::string ToYaml() const;

  // True if any injected fault kind is on (a non-zero rate or a capacity).
  bool AnyFault() const;

  bool operator==(const FaultProfile&) const = default;
};

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_FAULT_PROFILE_H_
