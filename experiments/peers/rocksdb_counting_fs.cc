// Counting wrappers over RocksDB's FileSystem and its file classes. Reads are
// counted by the bytes returned, writes by the bytes handed to Append.
#include "experiments/peers/rocksdb_counting_fs.h"

#include <string>
#include <utility>

namespace kvlab::peers {
namespace {

using rocksdb::FileOptions;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

class CountingSequentialFile : public rocksdb::FSSequentialFileOwnerWrapper {
 public:
  CountingSequentialFile(std::unique_ptr<rocksdb::FSSequentialFile> t, FileKind kind,
                         PeerIoCounters* counters)
      : FSSequentialFileOwnerWrapper(std::move(t)), kind_(kind), counters_(counters) {}

  IOStatus Read(size_t n, const IOOptions& options, Slice* result, char* scratch,
                IODebugContext* dbg) override {
    IOStatus s = target()->Read(n, options, result, scratch, dbg);
    if (s.ok()) counters_->AddRead(kind_, result->size());
    return s;
  }
  IOStatus PositionedRead(uint64_t offset, size_t n, const IOOptions& options, Slice* result,
                          char* scratch, IODebugContext* dbg) override {
    IOStatus s = target()->PositionedRead(offset, n, options, result, scratch, dbg);
    if (s.ok()) counters_->AddRead(kind_, result->size());
    return s;
  }

 private:
  FileKind kind_;
  PeerIoCounters* counters_;
};

class CountingRandomAccessFile : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  CountingRandomAccessFile(std::unique_ptr<rocksdb::FSRandomAccessFile> t, FileKind kind,
                           PeerIoCounters* counters)
      : FSRandomAccessFileOwnerWrapper(std::move(t)), kind_(kind), counters_(counters) {}

  IOStatus Read(uint64_t offset, size_t n, const IOOptions& options, Slice* result,
                char* scratch, IODebugContext* dbg) const override {
    IOStatus s = target()->Read(offset, n, options, result, scratch, dbg);
    if (s.ok()) counters_->AddRead(kind_, result->size());
    return s;
  }
  IOStatus MultiRead(rocksdb::FSReadRequest* reqs, size_t num_reqs, const IOOptions& options,
                     IODebugContext* dbg) override {
    IOStatus s = target()->MultiRead(reqs, num_reqs, options, dbg);
    for (size_t i = 0; i < num_reqs; ++i) {
      if (reqs[i].status.ok()) counters_->AddRead(kind_, reqs[i].result.size());
    }
    return s;
  }

 private:
  FileKind kind_;
  PeerIoCounters* counters_;
};

class CountingWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  CountingWritableFile(std::unique_ptr<rocksdb::FSWritableFile> t, FileKind kind,
                       PeerIoCounters* counters)
      : FSWritableFileOwnerWrapper(std::move(t)), kind_(kind), counters_(counters) {}

  IOStatus Append(const Slice& data, const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) counters_->AddWrite(kind_, data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
    IOStatus s = target()->Append(data, options, info, dbg);
    if (s.ok()) counters_->AddWrite(kind_, data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            IODebugContext* dbg) override {
    IOStatus s = target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) counters_->AddWrite(kind_, data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    IOStatus s = target()->PositionedAppend(data, offset, options, info, dbg);
    if (s.ok()) counters_->AddWrite(kind_, data.size());
    return s;
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    counters_->AddSync(kind_);
    return target()->Sync(options, dbg);
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    counters_->AddSync(kind_);
    return target()->Fsync(options, dbg);
  }
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& options,
                     IODebugContext* dbg) override {
    return target()->RangeSync(offset, nbytes, options, dbg);
  }

 private:
  FileKind kind_;
  PeerIoCounters* counters_;
};

class CountingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  CountingFileSystem(std::shared_ptr<rocksdb::FileSystem> target, PeerIoCounters* counters)
      : FileSystemWrapper(target), counters_(counters) {}

  const char* Name() const override { return "KvlabCountingFileSystem"; }

  IOStatus NewSequentialFile(const std::string& f, const FileOptions& o,
                             std::unique_ptr<rocksdb::FSSequentialFile>* r,
                             IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSSequentialFile> file;
    IOStatus s = target()->NewSequentialFile(f, o, &file, dbg);
    if (s.ok()) {
      r->reset(new CountingSequentialFile(std::move(file), PeerFileKind(f), counters_));
    }
    return s;
  }
  IOStatus NewRandomAccessFile(const std::string& f, const FileOptions& o,
                               std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                               IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSRandomAccessFile> file;
    IOStatus s = target()->NewRandomAccessFile(f, o, &file, dbg);
    if (s.ok()) {
      r->reset(new CountingRandomAccessFile(std::move(file), PeerFileKind(f), counters_));
    }
    return s;
  }
  IOStatus NewWritableFile(const std::string& f, const FileOptions& o,
                           std::unique_ptr<rocksdb::FSWritableFile>* r,
                           IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    IOStatus s = target()->NewWritableFile(f, o, &file, dbg);
    if (s.ok()) r->reset(new CountingWritableFile(std::move(file), PeerFileKind(f), counters_));
    return s;
  }
  IOStatus ReopenWritableFile(const std::string& f, const FileOptions& o,
                              std::unique_ptr<rocksdb::FSWritableFile>* r,
                              IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    IOStatus s = target()->ReopenWritableFile(f, o, &file, dbg);
    if (s.ok()) r->reset(new CountingWritableFile(std::move(file), PeerFileKind(f), counters_));
    return s;
  }
  IOStatus ReuseWritableFile(const std::string& f, const std::string& old, const FileOptions& o,
                             std::unique_ptr<rocksdb::FSWritableFile>* r,
                             IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    IOStatus s = target()->ReuseWritableFile(f, old, o, &file, dbg);
    if (s.ok()) r->reset(new CountingWritableFile(std::move(file), PeerFileKind(f), counters_));
    return s;
  }

 private:
  PeerIoCounters* counters_;
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> NewCountingFileSystem(
    std::shared_ptr<rocksdb::FileSystem> target, PeerIoCounters* counters) {
  return std::make_shared<CountingFileSystem>(std::move(target), counters);
}

}  // namespace kvlab::peers
