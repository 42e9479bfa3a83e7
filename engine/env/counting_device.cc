// CountingDevice: forwards to the inner device and counts what succeeded.
#include "engine/env/counting_device.h"

#include <atomic>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"

namespace kvlab {
namespace {

void Add(uint64_t& field, uint64_t n) {
  std::atomic_ref<uint64_t>(field).fetch_add(n, std::memory_order_relaxed);
}
uint64_t Load(uint64_t& field) {
  return std::atomic_ref<uint64_t>(field).load(std::memory_order_relaxed);
}

class CountingFile : public File {
 public:
  CountingFile(CountingDevice* device, std::unique_ptr<File> inner, FileKind kind)
      : device_(device), inner_(std::move(inner)), kind_(kind) {}

  absl::StatusOr<size_t> Read(uint64_t offset, absl::Span<char> dst) override {
    absl::StatusOr<size_t> n = inner_->Read(offset, dst);
    if (n.ok()) device_->CountRead(kind_, *n);
    return n;
  }
  absl::Status Write(uint64_t offset, std::string_view data) override {
    RETURN_IF_ERROR(inner_->Write(offset, data));
    device_->CountWrite(kind_, data.size());
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> Append(std::string_view data) override {
    absl::StatusOr<uint64_t> offset = inner_->Append(data);
    if (offset.ok()) device_->CountWrite(kind_, data.size());
    return offset;
  }
  absl::Status Sync() override {
    RETURN_IF_ERROR(inner_->Sync());
    device_->CountSync(kind_);
    return absl::OkStatus();
  }
  absl::Status Truncate(uint64_t size) override { return inner_->Truncate(size); }
  absl::StatusOr<uint64_t> Size() override { return inner_->Size(); }
  const std::string& path() const override { return inner_->path(); }

  const CountingDevice* device() const { return device_; }
  File* inner() const { return inner_.get(); }
  FileKind kind() const { return kind_; }

 private:
  CountingDevice* const device_;
  const std::unique_ptr<File> inner_;
  const FileKind kind_;
};

}  // namespace

CountingDevice::CountingDevice(std::unique_ptr<Device> inner) : inner_(std::move(inner)) {
  KVLAB_CHECK(inner_ != nullptr);
}

std::string CountingDevice::name() const { return absl::StrCat("counting(", inner_->name(), ")"); }

absl::StatusOr<std::unique_ptr<File>> CountingDevice::Open(std::string_view path,
                                                           const OpenOptions& options) {
  KVLAB_CHECK(options.kind < FileKind::kCount);
  ASSIGN_OR_RETURN(std::unique_ptr<File> inner, inner_->Open(path, options));
  return std::unique_ptr<File>(new CountingFile(this, std::move(inner), options.kind));
}

absl::Status CountingDevice::SyncDir(std::string_view dir) {
  RETURN_IF_ERROR(inner_->SyncDir(dir));
  Add(counters_.dir_syncs, 1);
  return absl::OkStatus();
}

absl::Status CountingDevice::SubmitBatch(absl::Span<IoRequest> batch) {
  std::vector<IoRequest> inner_batch(batch.begin(), batch.end());
  std::vector<const CountingFile*> files(batch.size(), nullptr);
  for (size_t i = 0; i < batch.size(); ++i) {
    auto* f = dynamic_cast<CountingFile*>(batch[i].file);
    if (f != nullptr && f->device() == this) {
      files[i] = f;
      inner_batch[i].file = f->inner();
    }
  }
  // Ignoring the returned status on purpose: each request carries its own.
  (void)inner_->SubmitBatch(absl::MakeSpan(inner_batch));
  absl::Status first;
  for (size_t i = 0; i < batch.size(); ++i) {
    IoRequest& r = batch[i];
    r.status = std::move(inner_batch[i].status);
    r.bytes_done = inner_batch[i].bytes_done;
    const FileKind kind = files[i] != nullptr ? files[i]->kind() : FileKind::kOther;
    if (r.status.ok()) {
      if (r.op == IoRequest::Op::kRead) {
        CountRead(kind, r.bytes_done);
      } else {
        CountWrite(kind, r.bytes_done);
      }
    } else if (first.ok()) {
      first = r.status;
    }
  }
  return first;
}

IoCounters CountingDevice::Snapshot() const {
  IoCounters copy;
  for (size_t i = 0; i < kFileKindCount; ++i) {
    IoCounters::PerKind& k = counters_.by_kind[i];
    copy.by_kind[i] = {Load(k.bytes_read), Load(k.bytes_written), Load(k.reads), Load(k.writes),
                       Load(k.syncs)};
  }
  copy.dir_syncs = Load(counters_.dir_syncs);
  return copy;
}

void CountingDevice::CountRead(FileKind kind, uint64_t bytes) {
  IoCounters::PerKind& k = counters_.by_kind[static_cast<size_t>(kind)];
  Add(k.bytes_read, bytes);
  Add(k.reads, 1);
}

void CountingDevice::CountWrite(FileKind kind, uint64_t bytes) {
  IoCounters::PerKind& k = counters_.by_kind[static_cast<size_t>(kind)];
  Add(k.bytes_written, bytes);
  Add(k.writes, 1);
}

void CountingDevice::CountSync(FileKind kind) {
  Add(counters_.by_kind[static_cast<size_t>(kind)].syncs, 1);
}

}  // namespace kvlab
