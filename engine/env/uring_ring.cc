// The io_uring loop: submission, completion, resubmission of short transfers.
// Completion errors go through ErrnoToStatus, the one mapping of io_error.h.
#include "engine/env/uring_ring.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/env/io_error.h"
#include "engine/env/posix_device.h"
#include "engine/env/uring_device.h"

namespace kvlab::uring_internal {
namespace {

const char* KindName(RingOp::Kind kind) {
  switch (kind) {
    case RingOp::Kind::kRead: return "read";
    case RingOp::Kind::kWrite: return "write";
    case RingOp::Kind::kSync: return "fdatasync";
  }
  return "?";
}

IoKind ToIoKind(RingOp::Kind kind) {
  switch (kind) {
    case RingOp::Kind::kRead: return IoKind::kRead;
    case RingOp::Kind::kWrite: return IoKind::kWrite;
    case RingOp::Kind::kSync: return IoKind::kSync;
  }
  return IoKind::kWrite;
}

// Why io_uring_queue_init may fail, in words a user can act on.
const char* SetupHint(int err) {
  switch (err) {
    case EPERM: return " (kernel.io_uring_disabled, or a seccomp filter in a container?)";
    case ENOSYS: return " (the kernel was built without io_uring)";
    case ENOMEM: return " (RLIMIT_MEMLOCK too low for the ring? try fewer ring entries)";
    case EINVAL: return " (ring entries out of range, or the kernel is too old)";
    default: return "";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Ring>> Ring::Create(unsigned entries) {
  if (entries == 0 || entries > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("io_uring ring entries must be in [1, 4096], got ", entries));
  }
  std::unique_ptr<Ring> ring(new Ring(entries));
  const int ret = io_uring_queue_init(entries, &ring->ring_, 0);
  if (ret < 0) {
    ring.release();  // Nothing to tear down: the ring was never set up.
    return absl::UnavailableError(absl::StrCat("io_uring unavailable: io_uring_queue_init: ",
                                               std::strerror(-ret), SetupHint(-ret)));
  }
  return ring;
}

Ring::~Ring() { io_uring_queue_exit(&ring_); }

void Ring::Prep(RingOp& op, size_t slot) {
  struct io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  // Never more ops prepared or in flight than entries, so the SQ has room.
  KVLAB_CHECK(sqe != nullptr, "io_uring submission queue full");
  switch (op.kind) {
    case RingOp::Kind::kRead:
      io_uring_prep_read(sqe, op.fd, op.buffer + op.done,
                         static_cast<unsigned>(op.length - op.done), op.offset + op.done);
      break;
    case RingOp::Kind::kWrite:
      io_uring_prep_write(sqe, op.fd, op.buffer + op.done,
                          static_cast<unsigned>(op.length - op.done), op.offset + op.done);
      break;
    case RingOp::Kind::kSync: io_uring_prep_fsync(sqe, op.fd, IORING_FSYNC_DATASYNC); break;
  }
  io_uring_sqe_set_data64(sqe, slot);
}

bool Ring::Complete(RingOp& op, size_t slot, int res) {
  const int kMax = UringDevice::kMaxResubmits;
  if (res < 0) {
    if ((res == -EINTR || res == -EAGAIN) && op.resubmits < kMax) {
      ++op.resubmits;
      Prep(op, slot);
      return false;
    }
    op.status = ErrnoToStatus(
        -res, ToIoKind(op.kind),
        absl::StrCat("io_uring ", KindName(op.kind), " at offset ", op.offset + op.done, " of"),
        *op.path);
    return true;
  }
  if (op.kind == RingOp::Kind::kSync) return true;
  op.done += static_cast<size_t>(res);
  KVLAB_CHECK_LE(op.done, op.length);
  if (op.done == op.length) return true;
  if (op.kind == RingOp::Kind::kRead &&
      (res == 0 || (op.direct && op.done % kDirectAlignment != 0))) {
    return true;  // End of file: a short read is OK.
  }
  if (res == 0 || ++op.resubmits > kMax) {
    op.status = absl::UnavailableError(absl::StrCat(
        "io_uring ", KindName(op.kind), " at offset ", op.offset, " of ", *op.path, ": short ",
        KindName(op.kind), ", ", op.done, " of ", op.length, " bytes after ", op.resubmits,
        " resubmissions"));
    return true;
  }
  Prep(op, slot);  // Short transfer: resubmit the remainder.
  return false;
}

void Ring::Drive(size_t depth, absl::FunctionRef<bool(RingOp&)> next,
                 absl::FunctionRef<void(RingOp&)> done) {
  KVLAB_CHECK(depth >= 1 && depth <= entries_);
  std::vector<RingOp> slots(depth);
  std::vector<size_t> free_slots;
  free_slots.reserve(depth);
  for (size_t s = depth; s > 0; --s) free_slots.push_back(s - 1);
  size_t in_flight = 0;
  bool more = true;
  while (true) {
    // Fill every free slot; ops that failed before submission finish at once.
    while (more && !free_slots.empty()) {
      const size_t s = free_slots.back();
      slots[s] = RingOp{};
      if (!next(slots[s])) {
        more = false;
        break;
      }
      if (!slots[s].status.ok()) {
        done(slots[s]);
        continue;
      }
      free_slots.pop_back();
      Prep(slots[s], s);
      ++in_flight;
    }
    if (in_flight == 0) return;
    const int ret = io_uring_submit_and_wait(&ring_, 1);
    KVLAB_CHECK(ret >= 0 || ret == -EINTR || ret == -EAGAIN || ret == -EBUSY,
                "io_uring_submit_and_wait failed: a bug in the ring loop");
    struct io_uring_cqe* cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      const size_t s = static_cast<size_t>(io_uring_cqe_get_data64(cqe));
      KVLAB_CHECK_LT(s, depth);
      if (Complete(slots[s], s, cqe->res)) {
        done(slots[s]);
        free_slots.push_back(s);
        --in_flight;
      }
    }
    io_uring_cq_advance(&ring_, seen);
  }
}

}  // namespace kvlab::uring_internal
