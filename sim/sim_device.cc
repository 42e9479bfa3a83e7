// SimDevice: construction, op accounting (crash points; latency and the
// trace in sim_device_op.h), batches, control and disk full. The namespace
// operations are in sim_device_namespace.cc, file I/O in sim_device_file.cc,
// the crash model in sim_device_crash.cc.
#include "sim/sim_device.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "sim/sim_file.h"

namespace kvlab::sim {

std::string_view SimDevice::KindName(OpKind kind) {
  static constexpr std::string_view kNames[] = {
      "?",      "open", "remove", "rename", "create_dir", "sync_dir", "list",     "exists",
      "file_size", "lock", "read",   "write",  "append",     "sync",     "truncate", "size"};
  const auto i = static_cast<uint8_t>(kind);
  return i < std::size(kNames) ? kNames[i] : "?";
}

SimDevice::SimDevice(const FaultProfile& profile, Context context)
    : profile_(profile),
      chances_(profile_),
      random_(context.random),
      capacity_random_(Random(context.random).Fork()),
      clock_(context.clock),
      trace_(context.trace),
      counters_(context.counters) {
  KVLAB_CHECK(clock_ != nullptr);
  KVLAB_CHECK(trace_ != nullptr);
  KVLAB_CHECK(counters_ != nullptr);
  KVLAB_CHECK(profile_.sector_size > 0 && (profile_.sector_size & (profile_.sector_size - 1)) == 0,
              "sector_size must be a power of two");
  KVLAB_CHECK(profile_.device_parallelism > 0);
  DeviceMutexLock lock(&mu_);
  capacity_ = DrawCapacity();
}

SimDevice::SimDevice(uint64_t seed, const FaultProfile& profile)
    : owned_clock_(std::make_unique<SimClock>()),
      owned_trace_(std::make_unique<TraceHash>()),
      owned_counters_(std::make_unique<SimCounters>()),
      profile_(profile),
      chances_(profile_),
      random_(seed),
      capacity_random_(Random(seed).Fork()),
      clock_(owned_clock_.get()),
      trace_(owned_trace_.get()),
      counters_(owned_counters_.get()) {
  KVLAB_CHECK(profile_.sector_size > 0 && (profile_.sector_size & (profile_.sector_size - 1)) == 0,
              "sector_size must be a power of two");
  KVLAB_CHECK(profile_.device_parallelism > 0);
  DeviceMutexLock lock(&mu_);
  capacity_ = DrawCapacity();
}

SimDevice::~SimDevice() {
  for (void* memory : spare_files_) ::operator delete(memory);
}

void SimFile::operator delete(SimFile* f, std::destroying_delete_t) {
  SimDevice* const device = f->device_;
  DeviceMutexLock lock(&device->mu_);
  f->~SimFile();
  if (device->spare_files_.size() < SimDevice::kMaxSpares) {
    device->spare_files_.push_back(f);
  } else {
    ::operator delete(f);
  }
}

// ---- Op accounting ----

SimDevice::Chance::Chance(double p) {
  if (p >= 1.0) {
    threshold = kAlways;
  } else if (p > 0.0) {
    threshold = static_cast<uint64_t>(std::ceil(p * 0x1.0p53));  // In [1, 2^53].
  }
}

SimDevice::FaultChances::FaultChances(const FaultProfile& profile)
    : crash(profile.crash),
      latency_spike(profile.latency_spike),
      read_error(profile.read_error),
      bit_flip(profile.bit_flip),
      write_error(profile.write_error),
      misdirected_write(profile.misdirected_write),
      sync_error(profile.sync_error) {}

absl::Status SimDevice::DownError(const Op& op) const {
  return absl::UnavailableError(absl::StrCat(
      "simulated crash: the device is down since ", crash_reason_,
      "; ", AV(KindName(op.kind)), " '", AV(op.path),
      "' fails until the driver calls Crash()"));
}

absl::Status SimDevice::CrashPoint(const Op& op) {
  crashed_.store(true, std::memory_order_release);
  crash_reason_ = absl::StrCat("device op #", counters_->device_ops, " (",
                               AV(KindName(op.kind)), " '", AV(op.path),
                               "')");
  return absl::UnavailableError(absl::StrCat("simulated crash at ", crash_reason_));
}

// ---- Batches ----

absl::Status SimDevice::SubmitBatch(absl::Span<IoRequest> batch) {
  DeviceMutexLock lock(&mu_);
  // Complete the requests in a seeded order (Fisher-Yates).
  std::vector<size_t> order(batch.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random_.Uniform(i)]);
  std::vector<int64_t> latencies;
  batch_latencies_ = &latencies;
  for (size_t i : order) {
    IoRequest& r = batch[i];
    SimFile* file = dynamic_cast<SimFile*>(r.file);
    KVLAB_CHECK(file != nullptr, "SubmitBatch on a SimDevice takes only its own files");
    if (r.op == IoRequest::Op::kRead) {
      absl::StatusOr<size_t> n = ReadLocked(*file, r.offset, absl::MakeSpan(r.buffer, r.length));
      r.status = n.status();
      r.bytes_done = n.ok() ? *n : 0;
    } else {
      absl::StatusOr<uint64_t> at =
          WriteLocked(*file, /*append=*/false, r.offset, std::string_view(r.buffer, r.length));
      r.status = at.status();
      r.bytes_done = at.ok() ? r.length : 0;
    }
  }
  batch_latencies_ = nullptr;
  // The ops overlap on `device_parallelism` channels: each goes to the least
  // busy one, in completion order; the batch lasts as long as the busiest,
  // plus a per-request queueing overhead.
  std::vector<int64_t> channels(std::min<size_t>(profile_.device_parallelism,
                                                 std::max<size_t>(1, latencies.size())),
                                0);
  for (int64_t l : latencies) *std::min_element(channels.begin(), channels.end()) += l;
  clock_->Advance(*std::max_element(channels.begin(), channels.end()) +
                  profile_.batch_op_overhead_ns * static_cast<int64_t>(latencies.size()));
  for (const IoRequest& r : batch) {
    if (!r.status.ok()) return r.status;
  }
  return absl::OkStatus();
}

// ---- Control ----

void SimDevice::ScheduleCrashAfterOps(uint64_t n) {
  KVLAB_CHECK(n >= 1);
  DeviceMutexLock lock(&mu_);
  crash_after_ops_ = n;
}

void SimDevice::set_faults_enabled(bool enabled) {
  DeviceMutexLock lock(&mu_);
  faults_enabled_ = enabled;
}

bool SimDevice::faults_enabled() const {
  DeviceMutexLock lock(&mu_);
  return faults_enabled_;
}

uint64_t SimDevice::used_bytes() const {
  DeviceMutexLock lock(&mu_);
  return used_bytes_;
}

// ---- Disk full ----

uint64_t SimDevice::DrawCapacity() {
  const uint64_t fixed = profile_.capacity_bytes;
  const uint64_t most = profile_.free_space_bytes;
  if (most == 0) return fixed;
  // Log-uniform in [least, most] with integers only (libm may differ across
  // builds): a uniform octave [least * 2^k, least * 2^(k+1)], then uniform in it.
  const uint64_t least = std::min<uint64_t>(4096, most);
  uint64_t octaves = 0;
  while ((least << (octaves + 1)) <= most && octaves < 62) ++octaves;
  const uint64_t k = capacity_random_.Uniform(octaves + 1);
  const uint64_t lo = least << k;
  const uint64_t hi = std::min(most, lo * 2);
  const uint64_t free_space = capacity_random_.Range(lo, hi);
  const uint64_t relative = used_bytes_ + free_space;
  return fixed == 0 ? relative : std::min(fixed, relative);
}

bool SimDevice::NoSpace(uint64_t growth) const {
  return capacity_ > 0 && growth > 0 && (faults_enabled_ || hold_full_) &&
         used_bytes_ + growth > capacity_;
}

absl::Status SimDevice::DiskFull(uint64_t growth, std::string_view what) {
  ++counters_->disk_full_errors;
  return absl::ResourceExhaustedError(absl::StrCat("device full: ", AV(what), " needs ", growth,
                                                   " more bytes; capacity ", capacity_,
                                                   ", used ", used_bytes_));
}

uint64_t SimDevice::capacity_bytes() const {
  DeviceMutexLock lock(&mu_);
  return capacity_;
}

void SimDevice::FreeSpace() {
  DeviceMutexLock lock(&mu_);
  if (profile_.free_space_bytes == 0) return;
  capacity_ = DrawCapacity();
}

void SimDevice::set_hold_full(bool hold) {
  DeviceMutexLock lock(&mu_);
  hold_full_ = hold;
}

}  // namespace kvlab::sim
