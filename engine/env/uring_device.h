// UringDevice: the Device whose file reads, writes and syncs go through
// io_uring (liburing). The namespace operations (open, rename, list, lock, ...)
// are PosixDevice's, inherited unchanged; only File I/O and SubmitBatch differ.
//
// Queue depth. SubmitBatch keeps the whole batch in flight: up to
// ring_entries requests at once, and as each completes the next one is
// submitted (a sliding window, so a batch larger than the ring is chunked by
// ring size without waiting for stragglers). RunQueue does the same for a
// stream of requests whose length is not known in advance (the benchmark).
//
// Short transfers. A read or write that moves fewer bytes than asked is
// resubmitted for the remainder, at most kMaxResubmits times, then reported
// as Unavailable. A read that returns 0 (or, on a direct file, a short read
// that leaves the offset unaligned) has reached end of file: OK, short.
//
// Threads. Rings are not thread-safe, so the device keeps a pool of rings
// guarded by a mutex: each call (a single Read, or a whole batch) takes a
// ring from the pool, creating one if none is free, and gives it back when it
// returns. Threads therefore never share a ring while I/O is in flight, and
// the pool grows to the number of threads doing I/O at once.
//
// Lifetime. Files opened on the device use its rings: the device must outlive
// every File it opened.
#ifndef KVLAB_ENGINE_ENV_URING_DEVICE_H_
#define KVLAB_ENGINE_ENV_URING_DEVICE_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/env/posix_device.h"

namespace kvlab {

namespace uring_internal {
class Ring;
}  // namespace uring_internal

class UringDevice : public PosixDevice {
 public:
  // How many times a short read or write is resubmitted before it is
  // reported (STYLE.md: never retry forever).
  static constexpr int kMaxResubmits = 16;

  // Makes the device and its first ring, so that a kernel without io_uring
  // (or with kernel.io_uring_disabled set, or a seccomp filter) fails here with
  // Unavailable("io_uring unavailable: io_uring_queue_init: <cause> ...").
  // `ring_entries` is the submission queue size and the largest queue depth.
  static absl::StatusOr<std::unique_ptr<UringDevice>> Create(std::string root,
                                                             unsigned ring_entries = 64);
  ~UringDevice() override;

  std::string name() const override { return "uring"; }

  // Keeps min(batch.size(), ring_entries) requests in flight until all are
  // done. Requests on files not opened by this device run through their File.
  absl::Status SubmitBatch(absl::Span<IoRequest> batch) override;

  // A stream of requests with `depth` (<= ring_entries) in flight: calls
  // next() for a request whenever a slot is free (nullptr: no more), and
  // done(request) in the caller's thread after that request has completed
  // (never inside next()). The request's status and bytes_done are filled
  // before done() runs; the caller may reuse it afterwards. Returns OK, or
  // the error that stopped the ring itself; request errors go to done().
  // REQUIRES: every request's file was opened by this device.
  absl::Status RunQueue(size_t depth, absl::FunctionRef<IoRequest*()> next,
                        absl::FunctionRef<void(IoRequest&)> done);

  unsigned ring_entries() const { return ring_entries_; }

  // Used by this device's files; also handy for tests.
  class RingLease;
  absl::StatusOr<RingLease> AcquireRing();

 protected:
  std::unique_ptr<File> MakeFile(int fd, std::string path, std::string full_path,
                                 const OpenOptions& options) override;

 private:
  UringDevice(std::string root, unsigned ring_entries);
  void ReleaseRing(std::unique_ptr<uring_internal::Ring> ring);

  const unsigned ring_entries_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<uring_internal::Ring>> free_rings_;
};

// A ring taken from the pool; goes back when destroyed.
class UringDevice::RingLease {
 public:
  RingLease(UringDevice* device, std::unique_ptr<uring_internal::Ring> ring);
  RingLease(RingLease&&) noexcept;
  ~RingLease();
  uring_internal::Ring& ring() { return *ring_; }

 private:
  UringDevice* device_;
  std::unique_ptr<uring_internal::Ring> ring_;
};

}  // namespace kvlab

#endif  // KVLAB_ENGINE_ENV_URING_DEVICE_H_
