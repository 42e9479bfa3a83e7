// UringDevice: PosixDevice's namespace, with file I/O through pooled io_uring
// rings (see uring_device.h for queue depth, short transfers and threads).
#include "engine/env/uring_device.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "engine/env/uring_ring.h"

namespace kvlab {

using uring_internal::Ring;
using uring_internal::RingOp;

namespace {

// A PosixFile whose Read, Write and Sync go through the device's rings.
// Append, Truncate and Size are PosixFile's (Append calls the virtual Write).
class UringFile : public PosixFile {
 public:
  UringFile(UringDevice* device, int fd, std::string path, std::string full_path,
            const OpenOptions& options)
      : PosixFile(fd, std::move(path), std::move(full_path), options), device_(device) {}

  absl::StatusOr<size_t> Read(uint64_t offset, absl::Span<char> dst) override {
    RETURN_IF_ERROR(CheckAligned("read", offset, dst.data(), dst.size()));
    if (dst.empty()) return 0;
    ASSIGN_OR_RETURN(RingOp op, RunOne(RingOp::Kind::kRead, offset, dst.data(), dst.size()));
    RETURN_IF_ERROR(op.status);
    return op.done;
  }

  absl::Status Write(uint64_t offset, std::string_view data) override {
    RETURN_IF_ERROR(CheckWritable("write"));
    RETURN_IF_ERROR(CheckAligned("write", offset, data.data(), data.size()));
    if (data.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(RingOp op, RunOne(RingOp::Kind::kWrite, offset,
                                       const_cast<char*>(data.data()), data.size()));
    return op.status;
  }

  absl::Status Sync() override {
    ASSIGN_OR_RETURN(RingOp op, RunOne(RingOp::Kind::kSync, 0, nullptr, 0));
    return op.status;
  }

  UringDevice* device() const { return device_; }

  // Fills `op` for this file; sets a non-OK status when a precondition fails.
  void Fill(RingOp& op, const IoRequest& r) const {
    op.kind = r.op == IoRequest::Op::kRead ? RingOp::Kind::kRead : RingOp::Kind::kWrite;
    op.fd = fd();
    op.direct = direct();
    op.offset = r.offset;
    op.buffer = r.buffer;
    op.length = r.length;
    op.path = &full_path();
    if (r.op == IoRequest::Op::kWrite) op.status = CheckWritable("write");
    if (op.status.ok()) op.status = CheckAligned(op.kind == RingOp::Kind::kRead ? "read" : "write",
                                                 r.offset, r.buffer, r.length);
  }

 private:
  absl::StatusOr<RingOp> RunOne(RingOp::Kind kind, uint64_t offset, char* buffer, size_t length) {
    ASSIGN_OR_RETURN(UringDevice::RingLease lease, device_->AcquireRing());
    RingOp result;
    bool given = false;
    lease.ring().Drive(
        1,
        [&](RingOp& op) {
          if (given) return false;
          given = true;
          op.kind = kind;
          op.fd = fd();
          op.direct = direct();
          op.offset = offset;
          op.buffer = buffer;
          op.length = length;
          op.path = &full_path();
          return true;
        },
        [&](RingOp& op) { result = std::move(op); });
    return result;
  }

  UringDevice* const device_;
};

// The UringFile of this device behind `file`, or nullptr.
UringFile* AsOwnFile(File* file, const UringDevice* device) {
  auto* f = dynamic_cast<UringFile*>(file);
  return f != nullptr && f->device() == device ? f : nullptr;
}

}  // namespace

UringDevice::RingLease::RingLease(UringDevice* device, std::unique_ptr<Ring> ring)
    : device_(device), ring_(std::move(ring)) {}
UringDevice::RingLease::RingLease(RingLease&& other) noexcept
    : device_(other.device_), ring_(std::move(other.ring_)) {}
UringDevice::RingLease::~RingLease() {
  if (ring_ != nullptr) device_->ReleaseRing(std::move(ring_));
}

UringDevice::UringDevice(std::string root, unsigned ring_entries)
    : PosixDevice(std::move(root)), ring_entries_(ring_entries) {}

UringDevice::~UringDevice() = default;

absl::StatusOr<std::unique_ptr<UringDevice>> UringDevice::Create(std::string root,
                                                                 unsigned ring_entries) {
  ASSIGN_OR_RETURN(std::unique_ptr<Ring> first, Ring::Create(ring_entries));
  std::unique_ptr<UringDevice> device(new UringDevice(std::move(root), ring_entries));
  device->free_rings_.push_back(std::move(first));
  return device;
}

absl::StatusOr<UringDevice::RingLease> UringDevice::AcquireRing() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!free_rings_.empty()) {
      std::unique_ptr<Ring> ring = std::move(free_rings_.back());
      free_rings_.pop_back();
      return RingLease(this, std::move(ring));
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Ring> ring, Ring::Create(ring_entries_));
  return RingLease(this, std::move(ring));
}

void UringDevice::ReleaseRing(std::unique_ptr<Ring> ring) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  free_rings_.push_back(std::move(ring));
}

std::unique_ptr<File> UringDevice::MakeFile(int fd, std::string path, std::string full_path,
                                            const OpenOptions& options) {
  return std::make_unique<UringFile>(this, fd, std::move(path), std::move(full_path), options);
}

absl::Status UringDevice::SubmitBatch(absl::Span<IoRequest> batch) {
  size_t own = 0;
  for (IoRequest& r : batch) {
    KVLAB_CHECK(r.file != nullptr);
    r.status = absl::OkStatus();
    r.bytes_done = 0;
    if (AsOwnFile(r.file, this) != nullptr) ++own;
  }
  if (own > 0) {
    ASSIGN_OR_RETURN(RingLease lease, AcquireRing());
    size_t i = 0;
    lease.ring().Drive(
        std::min<size_t>(own, ring_entries_),
        [&](RingOp& op) {
          while (i < batch.size() && AsOwnFile(batch[i].file, this) == nullptr) ++i;
          if (i == batch.size()) return false;
          IoRequest& r = batch[i++];
          AsOwnFile(r.file, this)->Fill(op, r);
          op.request = &r;
          return true;
        },
        [](RingOp& op) {
          op.request->status = std::move(op.status);
          op.request->bytes_done = op.done;
        });
  }
  if (own < batch.size()) {
    // Files of another device: one by one through their own File.
    for (IoRequest& r : batch) {
      if (AsOwnFile(r.file, this) != nullptr) continue;
      // Ignoring the returned status on purpose: it is also in r.status.
      (void)Device::SubmitBatch(absl::MakeSpan(&r, 1));
    }
  }
  for (const IoRequest& r : batch) {
    if (!r.status.ok()) return r.status;
  }
  return absl::OkStatus();
}

absl::Status UringDevice::RunQueue(size_t depth, absl::FunctionRef<IoRequest*()> next,
                                   absl::FunctionRef<void(IoRequest&)> done) {
  if (depth == 0 || depth > ring_entries_) {
    return absl::InvalidArgumentError(absl::StrCat("RunQueue depth ", depth,
                                                   " must be in [1, ring entries = ",
                                                   ring_entries_, "]"));
  }
  ASSIGN_OR_RETURN(RingLease lease, AcquireRing());
  lease.ring().Drive(
      depth,
      [&](RingOp& op) {
        IoRequest* r = next();
        if (r == nullptr) return false;
        UringFile* file = AsOwnFile(r->file, this);
        KVLAB_CHECK(file != nullptr, "RunQueue: request on a file of another device");
        file->Fill(op, *r);
        op.request = r;
        return true;
      },
      [&](RingOp& op) {
        op.request->status = std::move(op.status);
        op.request->bytes_done = op.done;
        done(*op.request);
      });
  return absl::OkStatus();
}

}  // namespace kvlab
