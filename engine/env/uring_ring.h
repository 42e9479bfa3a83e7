// One io_uring and the loop that drives operations through it: the internals
// of UringDevice, shared by single calls, SubmitBatch and RunQueue.
#ifndef KVLAB_ENGINE_ENV_URING_RING_H_
#define KVLAB_ENGINE_ENV_URING_RING_H_

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/env/env.h"

namespace kvlab::uring_internal {

// One read, write or fdatasync on a descriptor. Filled by the caller's next();
// the ring fills status and done.
struct RingOp {
  enum class Kind : uint8_t { kRead, kWrite, kSync };
  Kind kind = Kind::kRead;
  int fd = -1;
  bool direct = false;
  uint64_t offset = 0;
  char* buffer = nullptr;
  size_t length = 0;
  const std::string* path = nullptr;  // Host path, for messages.
  IoRequest* request = nullptr;       // The caller's cookie.
  // Outcome. If next() leaves status non-OK (a failed precondition), the op
  // is not submitted and goes straight to done().
  absl::Status status;
  size_t done = 0;
  int resubmits = 0;
};

class Ring {
 public:
  // Unavailable naming the cause when the kernel refuses io_uring.
  static absl::StatusOr<std::unique_ptr<Ring>> Create(unsigned entries);
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  unsigned entries() const { return entries_; }

  // Keeps up to `depth` (<= entries()) operations in flight. next(op) fills a
  // free slot and returns true, or returns false when there is no more work;
  // done(op) runs after an op has completed (in this thread, never inside
  // next). Returns once next() said no more and every op is done.
  void Drive(size_t depth, absl::FunctionRef<bool(RingOp&)> next,
             absl::FunctionRef<void(RingOp&)> done);

 private:
  explicit Ring(unsigned entries) : entries_(entries) {}
  void Prep(RingOp& op, size_t slot);
  // Handles a completion; true when the op is finished, false when it was
  // resubmitted for its remainder.
  bool Complete(RingOp& op, size_t slot, int res);

  const unsigned entries_;
  struct io_uring ring_;
};

}  // namespace kvlab::uring_internal

#endif  // KVLAB_ENGINE_ENV_URING_RING_H_
