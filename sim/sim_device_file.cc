// SimDevice: file I/O (read, write, append, sync, truncate, size) with the
// per-operation faults: read/write/sync errors, bit flips, misdirected writes,
// disk full. See fault_profile.h for each fault's exact effect.
#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "sim/sim_device.h"
#include "sim/sim_device_op.h"
#include "sim/sim_file.h"

namespace kvlab::sim {
namespace {

int64_t Latency(int64_t base_ns, double ns_per_byte, uint64_t bytes) {
  return base_ns + static_cast<int64_t>(ns_per_byte * static_cast<double>(bytes));
}

}  // namespace

absl::Status SimDevice::CheckHandle(const SimFile& f, bool write) const {
  if (f.epoch_ == epoch_ && !(write && f.options_.read_only)) [[likely]] {
    return absl::OkStatus();
  }
  return HandleError(f, write);
}

absl::Status SimDevice::HandleError(const SimFile& f, bool write) const {
  if (f.epoch_ != epoch_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "'", f.path_, "': this handle was opened before a simulated crash and is dead; reopen"));
  }
  KVLAB_CHECK(write && f.options_.read_only);
  return absl::FailedPreconditionError(absl::StrCat("'", f.path_, "': opened read-only"));
}

absl::Status SimDevice::CheckDirectIo(const SimFile& f, std::string_view op, uint64_t offset,
                                      const char* buffer, size_t length) const {
  const uint64_t align = profile_.sector_size;
  if (!f.options_.direct) [[likely]] return absl::OkStatus();
  if (offset % align == 0 && length % align == 0 &&
      reinterpret_cast<uintptr_t>(buffer) % align == 0) {
    return absl::OkStatus();
  }
  return DirectIoError(f, op, offset, length);
}

absl::Status SimDevice::DirectIoError(const SimFile& f, std::string_view op, uint64_t offset,
                                      size_t length) const {
  return absl::InvalidArgumentError(absl::StrCat(
      AV(op), " '", f.path_, "' offset ", offset, " length ", length,
      ": direct I/O needs offset, length and buffer aligned to ", profile_.sector_size));
}

// ---- Inodes and image updates ----

void SimDevice::InodeRecycler::operator()(Inode* inode) const {
  if (device->spare_inodes_.size() >= kMaxSpares) {
    delete inode;
    return;
  }
  inode->Reset();
  device->spare_inodes_.emplace_back(inode);
}

std::shared_ptr<SimDevice::Inode> SimDevice::NewInode() {
  if (spare_inodes_.empty()) return std::shared_ptr<Inode>(new Inode, InodeRecycler{this});
  Inode* const inode = spare_inodes_.back().release();
  spare_inodes_.pop_back();
  return std::shared_ptr<Inode>(inode, InodeRecycler{this});
}

void SimDevice::SetCurrent(Inode& inode, std::string image) {
  if (inode.linked) used_bytes_ = used_bytes_ - inode.current.size() + image.size();
  inode.current = std::move(image);
}

void SimDevice::Inode::CopyOutOfCurrent() {
  for (PendingOp& w : unsynced) {
    if (!w.in_current) continue;
    w.data_at = unsynced_data.size();
    unsynced_data.append(current, w.offset, w.size);
    w.in_current = false;
  }
  in_current_lo = ~uint64_t{0};
  in_current_hi = 0;
}

void SimDevice::Inode::ApplyTo(std::string& image, const PendingOp& w) const {
  if (w.truncate) {
    image.resize(w.offset, '\0');
    return;
  }
  if (w.offset == image.size()) {  // An append (the common case): no zero fill.
    image.append(Data(w));
    return;
  }
  const uint64_t end = w.offset + w.size;
  if (image.size() < end) image.resize(end, '\0');
  if (w.size > 0) std::memcpy(image.data() + w.offset, Data(w).data(), w.size);
}

void SimDevice::ApplyWrite(Inode& inode, uint64_t offset, std::string_view data) {
  const uint64_t end = offset + data.size();
  if (end > inode.current.size() && inode.linked) used_bytes_ += end - inode.current.size();
  inode.BeforeCurrentChanges(offset, end);
  // Grow in steps of at least 4 KiB (then doubling): files grow by small
  // appends, and each string regrowth is an allocation and a copy.
  if (end > inode.current.capacity()) {
    inode.current.reserve(std::max<uint64_t>({end, 2 * inode.current.capacity(), 4096}));
  }
  if (offset == inode.current.size()) {
    inode.current.append(data);  // An append: no zero fill to overwrite.
  } else {
    if (end > inode.current.size()) inode.current.resize(end, '\0');
    if (!data.empty()) std::memcpy(inode.current.data() + offset, data.data(), data.size());
  }
  // The bytes stay in current until a later op changes them (no copy into
  // unsynced_data for the common append-then-sync).
  inode.unsynced.push_back(PendingOp{false, true, offset, 0, data.size()});
  inode.in_current_lo = std::min(inode.in_current_lo, offset);
  inode.in_current_hi = std::max(inode.in_current_hi, end);
  inode.unsynced_bytes += data.size();
}

void SimDevice::ApplyTruncate(Inode& inode, uint64_t size) {
  if (inode.linked) used_bytes_ = used_bytes_ - inode.current.size() + size;
  inode.BeforeCurrentChanges(size, ~uint64_t{0});
  inode.current.resize(size, '\0');
  inode.unsynced.push_back(PendingOp{true, false, size, 0, 0});
}

void SimDevice::FlipBit(Inode& inode, uint64_t pos, int bit) {
  // A bad cell: every stored image of this byte flips, so no later read,
  // sync or crash outcome brings the old bit back.
  const char mask = static_cast<char>(1u << bit);
  KVLAB_CHECK(pos < inode.current.size());
  inode.current[pos] ^= mask;
  inode.flipped.push_back(pos);
  // A durable image in current flipped with it above.
  if (!inode.durable_in_current && pos < inode.durable.size()) inode.durable[pos] ^= mask;
  for (const PendingOp& w : inode.unsynced) {
    // An in_current write's bytes flipped with current above.
    if (!w.truncate && !w.in_current && pos >= w.offset && pos < w.offset + w.size) {
      inode.unsynced_data[w.data_at + (pos - w.offset)] ^= mask;
    }
  }
}

// ---- Read ----

absl::StatusOr<size_t> SimDevice::ReadLocked(SimFile& f, uint64_t offset, absl::Span<char> dst) {
  Op op{OpKind::kRead, f.path_, offset, dst.size()};
  op.path_word = &f.path_word_;
  size_t n = 0;
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckHandle(f, /*write=*/false));
    RETURN_IF_ERROR(CheckDirectIo(f, "read", offset, dst.data(), dst.size()));
    RETURN_IF_ERROR(BeginOp(op));
    op.latency_ns =
        Latency(profile_.read_latency_ns, profile_.read_latency_ns_per_byte, dst.size());
    if (Inject(chances_.read_error)) {
      ++counters_->read_errors;
      return absl::UnavailableError(absl::StrCat("injected read error: '", f.path_, "' offset ",
                                                 offset, " length ", dst.size()));
    }
    Inode& inode = *f.inode_;
    const uint64_t size = inode.current.size();
    n = offset >= size ? 0 : static_cast<size_t>(std::min<uint64_t>(dst.size(), size - offset));
    if (n > 0 && Inject(chances_.bit_flip)) {
      ++counters_->bit_flips;
      const uint64_t pos = offset + random_.Uniform(n);
      FlipBit(inode, pos, static_cast<int>(random_.Uniform(8)));
    }
    if (n > 0) std::memcpy(dst.data(), inode.current.data() + offset, n);
    IoCounters::PerKind& k = io_counters_.by_kind[static_cast<size_t>(f.options_.kind)];
    ++k.reads;
    k.bytes_read += n;
    return absl::OkStatus();
  }();
  FinishOp(op, s, n, std::string_view(dst.data(), n));
  if (!s.ok()) [[unlikely]] return s;
  return n;
}

// ---- Write and append ----

absl::StatusOr<uint64_t> SimDevice::WriteLocked(SimFile& f, bool append, uint64_t offset,
                                                std::string_view data) {
  Op op{append ? OpKind::kAppend : OpKind::kWrite, f.path_, offset, data.size()};
  op.path_word = &f.path_word_;
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckHandle(f, /*write=*/true));
    if (append) op.offset = f.inode_->current.size();
    RETURN_IF_ERROR(
        CheckDirectIo(f, append ? "append" : "write", op.offset, data.data(), data.size()));
    RETURN_IF_ERROR(BeginOp(op));
    return WriteChecked(f, op, data);
  }();
  FinishOp(op, s, s.ok() ? data.size() : 0, data);
  if (!s.ok()) [[unlikely]] return s;
  return op.offset;
}

absl::Status SimDevice::WriteChecked(SimFile& f, Op& op, std::string_view data) {
  op.latency_ns =
      Latency(profile_.write_latency_ns, profile_.write_latency_ns_per_byte, data.size());
  Inode& inode = *f.inode_;
  const uint64_t offset = op.offset;
  const uint64_t end = offset + data.size();
  const uint64_t growth = end > inode.current.size() ? end - inode.current.size() : 0;
  if (NoSpace(growth)) {
    return DiskFull(growth, absl::StrCat("writing ", data.size(), " bytes at offset ", offset,
                                         " of '", f.path_, "'"));
  }
  const uint64_t sector = profile_.sector_size;
  if (!data.empty() && Inject(chances_.write_error)) {
    ++counters_->write_errors;
    // A whole-sector prefix of the write landed: cut at one of the sector
    // boundaries inside the write (or before it), never the whole write.
    std::vector<uint64_t> cuts = {0};
    for (uint64_t b = (offset / sector + 1) * sector; b < end; b += sector) {
      cuts.push_back(b - offset);
    }
    const uint64_t landed = cuts[random_.Uniform(cuts.size())];
    if (landed > 0) ApplyWrite(inode, offset, data.substr(0, landed));
    return absl::UnavailableError(absl::StrCat("injected write error: '", f.path_, "' offset ",
                                               offset, " length ", data.size(), " (the first ",
                                               landed, " bytes landed)"));
  }
  if (!data.empty() && Inject(chances_.misdirected_write)) {
    ++counters_->misdirected_writes;
    // Same offset within the sector, another sector of the file.
    const uint64_t sectors = std::max<uint64_t>(1, (inode.current.size() + sector - 1) / sector);
    const uint64_t home = offset / sector;
    uint64_t target = home + 1;
    if (sectors > 1 || home != 0) {
      target = random_.Uniform(sectors - (home < sectors ? 1 : 0));
      if (home < sectors && target >= home) ++target;
    }
    ApplyWrite(inode, target * sector + offset % sector, data);
  } else {
    ApplyWrite(inode, offset, data);
  }
  IoCounters::PerKind& k = io_counters_.by_kind[static_cast<size_t>(f.options_.kind)];
  ++k.writes;
  k.bytes_written += data.size();
  return absl::OkStatus();
}

// ---- Sync, truncate, size ----

absl::Status SimDevice::SyncFile(SimFile& f) {
  DeviceMutexLock lock(&mu_);
  Op op{OpKind::kSync, f.path_};
  op.path_word = &f.path_word_;
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckHandle(f, /*write=*/false));
    RETURN_IF_ERROR(BeginOp(op));
    Inode& inode = *f.inode_;
    const uint64_t unsynced_bytes = inode.unsynced_bytes;
    op.length = unsynced_bytes;
    op.latency_ns =
        Latency(profile_.sync_latency_ns, profile_.sync_latency_ns_per_byte, unsynced_bytes);
    if (Inject(chances_.sync_error)) {
      ++counters_->sync_errors;
      const size_t dropped = inode.unsynced.size();
      SetCurrent(inode, std::string(inode.Durable()));
      inode.ClearUnsynced();
      inode.DurableIsCurrent();
      return absl::UnavailableError(absl::StrCat(
          "injected sync error on '", f.path_, "': its ", dropped,
          " unsynced writes/truncates are dropped (Linux fsync-failure semantics)"));
    }
    // current == durable + the unsynced ops (the Inode invariant), and a
    // flipped byte is flipped in both once synced: the new durable image is
    // current, with no bytes copied.
    inode.ClearUnsynced();
    inode.DurableIsCurrent();
    ++io_counters_.by_kind[static_cast<size_t>(f.options_.kind)].syncs;
    return absl::OkStatus();
  }();
  FinishOp(op, s, 0, {});
  return s;
}

absl::Status SimDevice::TruncateFile(SimFile& f, uint64_t size) {
  DeviceMutexLock lock(&mu_);
  Op op{OpKind::kTruncate, f.path_, size};
  op.path_word = &f.path_word_;
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckHandle(f, /*write=*/true));
    RETURN_IF_ERROR(BeginOp(op));
    op.latency_ns = profile_.metadata_latency_ns;
    Inode& inode = *f.inode_;
    const uint64_t growth = size > inode.current.size() ? size - inode.current.size() : 0;
    if (NoSpace(growth)) {
      return DiskFull(growth, absl::StrCat("truncating '", f.path_, "' to ", size, " bytes"));
    }
    ApplyTruncate(inode, size);
    return absl::OkStatus();
  }();
  FinishOp(op, s, 0, {});
  return s;
}

absl::StatusOr<uint64_t> SimDevice::SizeOf(SimFile& f) {
  DeviceMutexLock lock(&mu_);
  Op op{OpKind::kSize, f.path_};
  op.path_word = &f.path_word_;
  uint64_t size = 0;
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckHandle(f, /*write=*/false));
    RETURN_IF_ERROR(BeginOp(op));
    size = f.inode_->current.size();
    return absl::OkStatus();
  }();
  FinishOp(op, s, size, {});
  if (!s.ok()) [[unlikely]] return s;
  return size;
}

}  // namespace kvlab::sim
