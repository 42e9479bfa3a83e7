// SimDevice::FinishOp, inline: every device op ends here (the trace fold of
// about ten words), and a call costs as much again in saved registers and
// argument moves. Internal to sim/: included by the files whose ops call it.
#ifndef KVLAB_SIM_SIM_DEVICE_OP_H_
#define KVLAB_SIM_SIM_DEVICE_OP_H_

#include "sim/sim_device.h"

namespace kvlab::sim {

inline void SimDevice::FinishOp(const Op& op, const absl::Status& s, uint64_t bytes,
                                std::string_view data) {
  int64_t latency = op.latency_ns;
  if (latency > 0 && Inject(chances_.latency_spike)) {
    latency += profile_.latency_spike_ns;
    ++counters_->latency_spikes;
  }
  if (batch_latencies_ != nullptr) {
    batch_latencies_->push_back(latency);
  } else {
    clock_->Advance(latency);
  }
  // Kind and status code in one word (both are below 256). An OK status is
  // code 0, known without a call into absl.
  const uint64_t code = s.ok() ? 0 : static_cast<uint64_t>(s.code());
  trace_->Add(TraceEvent(TraceHash::kDeviceOp)
                  .Word(static_cast<uint64_t>(op.kind) | code << 8)
                  .Word(op.path_word != nullptr ? *op.path_word : TracePathWord(op.path))
                  .Word(op.offset)
                  .Word(op.length)
                  .Word(bytes)
                  .Bytes(data)
                  .Word(static_cast<uint64_t>(clock_->NowNanos())));
}

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_SIM_DEVICE_OP_H_
