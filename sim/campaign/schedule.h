// Schedule: the recorded operation list of one simulated seed.
//
// A campaign seed is two things: the op list below (generated up front from the
// seed, so that the shrinker can cut it) and the SimEnv seed that drives every
// fault decision, latency and task order. Replaying the same Schedule with the
// same engine config and fault profile gives the same trace hash, bit for bit.
//
// Crash points are ops too: `crash` with after_ops = 0 crashes between two
// operations; after_ops = n arms SimEnv::ScheduleCrashAfterOps(n), so the crash
// lands in the middle of whatever operation (or background task) performs the
// n-th next device operation.
//
// Each op has an id, its index in the generated schedule. The runner reseeds
// the device's fault stream from (seed, id) before the op (SimDevice::
// ReseedFaults), so the faults an op meets do not depend on how many device
// operations came before it: when the shrinker cuts ops, the faults of the
// ops it keeps stay where they were, and a failure that needs a fault keeps
// failing.
#ifndef KVLAB_SIM_CAMPAIGN_SCHEDULE_H_
#define KVLAB_SIM_CAMPAIGN_SCHEDULE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/kv_store.h"

namespace kvlab::sim {

enum class OpKind : uint8_t {
  kPut,
  kGet,
  kDelete,
  kBatch,
  kSync,
  kMaintain,
  kReopen,
  kCrash,
};

struct Op {
  OpKind kind = OpKind::kGet;
  std::string key;    // kPut, kGet, kDelete.
  std::string value;  // kPut.
  bool sync = false;  // kPut, kDelete, kBatch: WriteOptions::sync.
  WriteBatch batch;  // kBatch (a WriteBatch, so the runner passes it to Write as is).
  MaintenanceKind maintenance = MaintenanceKind::kMerge;       // kMaintain.
  uint64_t crash_after_ops = 0;  // kCrash: 0 = now, n = at the n-th next device op.
  uint64_t id = 0;  // Its index in the generated schedule (see the top of this file).
};

struct Schedule {
  uint64_t seed = 0;  // Seeds the SimEnv (faults, latency, task order).
  std::vector<Op> ops;
};

// What the generator draws from.
struct ScheduleOptions {
  uint64_t ops = 2000;
  uint64_t crashes = 0;    // At least this many crash ops, spread over the run.
  uint32_t keys = 16;      // Key universe "k00".."k15": small, so keys repeat.
  uint32_t value_bytes_max = 300;  // Most values; a few are up to 4 KiB.
};

// A seeded random schedule: puts, gets, deletes, batches, syncs, maintenance,
// reopens and crashes (some in the middle of the next operation).
Schedule GenerateSchedule(uint64_t seed, const ScheduleOptions& options);

// One op, readably: `put k03 = <17 bytes "s1o3-..."> sync`, `crash in 7 device ops`.
std::string FormatOp(const Op& op);
// The whole schedule, one numbered op per line.
std::string FormatSchedule(const Schedule& schedule);

// A text form that ParseSchedule reads back (one op per line; values kept
// exactly, hex-escaped), for `kvlab sim --replay FILE`.
std::string SerializeSchedule(const Schedule& schedule);
absl::StatusOr<Schedule> ParseSchedule(const std::string& text);

// Key and write counts, for reports ("6 ops, 1 crash, 2 writes of 2 B").
struct ScheduleShape {
  uint64_t ops = 0, writes = 0, crashes = 0, write_bytes = 0;
};
ScheduleShape Shape(const Schedule& schedule);
std::string FormatShape(const ScheduleShape& shape);

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_CAMPAIGN_SCHEDULE_H_
