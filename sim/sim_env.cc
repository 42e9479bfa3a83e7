// SimEnv: wires one seed into a SimClock, SimExecutor and SimDevice that share
// a trace hash and counters (see sim_env.h).
#include "sim/sim_env.h"

#include "sim/sim_device.h"
#include "sim/sim_executor.h"

namespace kvlab::sim {

SimEnv::SimEnv(uint64_t seed, const FaultProfile& profile)
    : seed_(seed), profile_(profile), random_(seed) {
  // Independent streams for the device and the scheduler, derived from the
  // seed, so that an engine drawing from random() does not shift them.
  Random streams(seed ^ 0x53494d454e560001ull);  // "SIMENV" tag.
  trace_.Add(TraceEvent(TraceHash::kSeed).Word(seed));
  clock_ = std::make_unique<SimClock>();
  executor_ = std::make_unique<SimExecutor>(clock_.get(), streams.Fork(), &trace_);
  device_ = std::make_unique<SimDevice>(
      profile_, SimDevice::Context{streams.Fork(), clock_.get(), &trace_, &counters_});
  env_ = Env{device_.get(), clock_.get(), executor_.get(), &random_};
}

SimEnv::~SimEnv() {
  // Pending tasks may own handles into the device: drop them first.
  executor_->Crash();
  device_.reset();
}

SimDevice& SimEnv::device() { return *device_; }
SimClock& SimEnv::clock() { return *clock_; }
SimExecutor& SimEnv::executor() { return *executor_; }

void SimEnv::Crash() {
  executor_->Crash();
  device_->Crash();
}

void SimEnv::ScheduleCrashAfterOps(uint64_t n) { device_->ScheduleCrashAfterOps(n); }
bool SimEnv::crash_pending() const { return device_->crash_pending(); }
void SimEnv::set_faults_enabled(bool enabled) { device_->set_faults_enabled(enabled); }
uint64_t SimEnv::trace_hash() const { return trace_.value(); }
const SimCounters& SimEnv::counters() const { return counters_; }

}  // namespace kvlab::sim
