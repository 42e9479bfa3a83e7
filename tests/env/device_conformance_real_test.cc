// The device-conformance suite (device_conformance.h) on the real devices:
// PosixDevice, UringDevice, UringDevice with every file O_DIRECT, and the
// CountingDevice wrapper; plus what only real devices have (threads, rings
// smaller than a batch, RunQueue, the errno mapping, MakeDevice).
#include <cerrno>
#include <thread>

#include "engine/env/counting_device.h"
#include "engine/env/io_error.h"
#include "engine/env/posix_device.h"
#include "engine/env/real_env.h"
#include "engine/env/uring_device.h"
#include "tests/env/device_conformance.h"

namespace kvlab {
namespace {

// Opens every file with O_DIRECT: runs the whole suite on direct I/O.
class ForceDirectDevice : public Device {
 public:
  explicit ForceDirectDevice(std::unique_ptr<Device> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return "direct(" + inner_->name() + ")"; }
  absl::StatusOr<std::unique_ptr<File>> Open(std::string_view path,
                                             const OpenOptions& options) override {
    OpenOptions direct = options;
    direct.direct = true;
    return inner_->Open(path, direct);
  }
  absl::Status Remove(std::string_view p) override { return inner_->Remove(p); }
  absl::Status Rename(std::string_view a, std::string_view b) override {
    return inner_->Rename(a, b);
  }
  absl::Status CreateDir(std::string_view p) override { return inner_->CreateDir(p); }
  absl::Status SyncDir(std::string_view p) override { return inner_->SyncDir(p); }
  absl::StatusOr<std::vector<std::string>> List(std::string_view p) override {
    return inner_->List(p);
  }
  absl::StatusOr<bool> Exists(std::string_view p) override { return inner_->Exists(p); }
  absl::StatusOr<uint64_t> FileSize(std::string_view p) override { return inner_->FileSize(p); }
  absl::StatusOr<std::unique_ptr<FileLock>> Lock(std::string_view p) override {
    return inner_->Lock(p);
  }
  absl::Status SubmitBatch(absl::Span<IoRequest> batch) override {
    return inner_->SubmitBatch(batch);
  }
  size_t direct_alignment() const override { return inner_->direct_alignment(); }

 private:
  std::unique_ptr<Device> inner_;
};

std::unique_ptr<Device> MakeOrDie(std::string_view kind, std::string root,
                                  unsigned ring_entries = 64) {
  DeviceOptions options;
  options.ring_entries = ring_entries;
  absl::StatusOr<std::unique_ptr<Device>> d = MakeDevice(kind, std::move(root), options);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? std::move(*d) : nullptr;
}

INSTANTIATE_TEST_SUITE_P(Posix, DeviceConformanceTest,
                         ::testing::Values(DeviceFactory([](std::string root) {
                           return MakeOrDie("posix", std::move(root));
                         })));
// A ring of 4 entries, smaller than the suite's batches: exercises chunking.
INSTANTIATE_TEST_SUITE_P(Uring, DeviceConformanceTest,
                         ::testing::Values(DeviceFactory([](std::string root) {
                           return MakeOrDie("uring", std::move(root), 4);
                         })));
INSTANTIATE_TEST_SUITE_P(UringDirect, DeviceConformanceTest,
                         ::testing::Values(DeviceFactory([](std::string root) {
                           return std::unique_ptr<Device>(new ForceDirectDevice(
                               MakeOrDie("uring", std::move(root))));
                         })));
INSTANTIATE_TEST_SUITE_P(PosixDirect, DeviceConformanceTest,
                         ::testing::Values(DeviceFactory([](std::string root) {
                           return std::unique_ptr<Device>(new ForceDirectDevice(
                               MakeOrDie("posix", std::move(root))));
                         })));
INSTANTIATE_TEST_SUITE_P(CountingUring, DeviceConformanceTest,
                         ::testing::Values(DeviceFactory([](std::string root) {
                           return std::unique_ptr<Device>(
                               new CountingDevice(MakeOrDie("uring", std::move(root))));
                         })));

// Real-device tests that need threads or backend knowledge; they reuse the
// fixture (fresh root per test) and are instantiated for posix and uring.
using RealDeviceTest = DeviceConformanceTest;

TEST_P(RealDeviceTest, ConcurrentAppendsNeverInterleave) {
  std::unique_ptr<File> f = Create("log");
  ASSERT_NE(f, nullptr);
  constexpr int kThreads = 4, kAppends = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      AlignedBuffer b(kBlock, static_cast<char>('a' + t));
      for (int i = 0; i < kAppends; ++i) EXPECT_TRUE(f->Append(b.view()).ok());
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(*f->Size(), kThreads * kAppends * kBlock);
  std::vector<int> per_thread(kThreads, 0);
  for (int i = 0; i < kThreads * kAppends; ++i) {
    const std::string block = ReadAll(*f, i * kBlock, kBlock);
    ASSERT_TRUE(AllBytes(block, block[0])) << "block " << i << " is interleaved";
    ++per_thread[block[0] - 'a'];
  }
  for (int n : per_thread) EXPECT_EQ(n, kAppends);
}

TEST_P(RealDeviceTest, ManyThreadsReadAtOnce) {
  MakeFile("a", 16, 'A');
  std::unique_ptr<File> f = OpenOrDie("a");
  ASSERT_NE(f, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const size_t block = (t * 7 + i) % 16;
        EXPECT_EQ(ReadAll(*f, block * kBlock, kBlock),
                  std::string(kBlock, static_cast<char>('A' + block)));
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

TEST_P(RealDeviceTest, LargeBatchAcrossTwoFiles) {
  MakeFile("a", 64, 0);
  MakeFile("b", 64, 64);
  std::unique_ptr<File> a = OpenOrDie("a"), b = OpenOrDie("b");
  ASSERT_TRUE(a != nullptr && b != nullptr);
  constexpr size_t kRequests = 200;  // Far more than the 4-entry test ring.
  AlignedBuffer buffers(kRequests * kBlock);
  std::vector<IoRequest> batch(kRequests);
  for (size_t i = 0; i < kRequests; ++i) {
    batch[i].file = i % 2 == 0 ? a.get() : b.get();
    batch[i].offset = (i * 13 % 64) * kBlock;
    batch[i].buffer = buffers.data() + i * kBlock;
    batch[i].length = kBlock;
  }
  ASSERT_TRUE(device_->SubmitBatch(absl::MakeSpan(batch)).ok());
  for (size_t i = 0; i < kRequests; ++i) {
    const char expect = static_cast<char>((i % 2 == 0 ? 0 : 64) + i * 13 % 64);
    ASSERT_EQ(batch[i].bytes_done, kBlock);
    ASSERT_TRUE(AllBytes(std::string_view(batch[i].buffer, kBlock), expect)) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Posix, RealDeviceTest,
                         ::testing::Values(DeviceFactory([](std::string root) {
                           return MakeOrDie("posix", std::move(root));
                         })));
INSTANTIATE_TEST_SUITE_P(Uring, RealDeviceTest,
                         ::testing::Values(DeviceFactory([](std::string root) {
                           return MakeOrDie("uring", std::move(root), 4);
                         })));

TEST(UringDevice, RunQueueKeepsTheWindowFullAndDeliversEveryCompletion) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/runqueue";
  std::unique_ptr<Device> d = MakeOrDie("uring", root, 8);
  auto* uring = dynamic_cast<UringDevice*>(d.get());
  ASSERT_NE(uring, nullptr);
  OpenOptions o;
  o.create = true;
  std::unique_ptr<File> f = *d->Open("f", o);
  AlignedBuffer data = Pattern(32, 0);
  ASSERT_TRUE(f->Write(0, data.view()).ok());
  std::vector<IoRequest> slots(8);
  AlignedBuffer buffers(8 * kBlock);
  std::vector<bool> busy(8, false);
  int issued = 0, completed = 0;
  auto next = [&]() -> IoRequest* {
    if (issued == 100) return nullptr;
    for (size_t s = 0; s < slots.size(); ++s) {
      if (busy[s]) continue;
      busy[s] = true;
      slots[s] = {IoRequest::Op::kRead, f.get(), (issued++ % 32) * kBlock,
                  buffers.data() + s * kBlock, kBlock, {}, 0};
      return &slots[s];
    }
    ADD_FAILURE() << "next() called with every slot busy";
    return nullptr;
  };
  auto done = [&](IoRequest& r) {
    EXPECT_TRUE(r.status.ok()) << r.status;
    EXPECT_TRUE(AllBytes(std::string_view(r.buffer, kBlock), static_cast<char>(r.offset / kBlock)));
    busy[&r - slots.data()] = false;
    ++completed;
  };
  ASSERT_TRUE(uring->RunQueue(8, next, done).ok());
  EXPECT_EQ(completed, 100);
  EXPECT_EQ(uring->RunQueue(9, next, done).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ErrnoToStatus, MapsEachErrnoAndNamesOpAndPath) {
  struct Case {
    int err;
    IoKind kind;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {ENOENT, IoKind::kMetadata, absl::StatusCode::kNotFound},
      {EEXIST, IoKind::kMetadata, absl::StatusCode::kAlreadyExists},
      {ENOSPC, IoKind::kWrite, absl::StatusCode::kResourceExhausted},
      {EIO, IoKind::kRead, absl::StatusCode::kDataLoss},
      {EIO, IoKind::kWrite, absl::StatusCode::kUnavailable},
      {EIO, IoKind::kSync, absl::StatusCode::kUnavailable},
      {EWOULDBLOCK, IoKind::kLock, absl::StatusCode::kAlreadyExists},
      {EINVAL, IoKind::kRead, absl::StatusCode::kInvalidArgument},
      {EACCES, IoKind::kMetadata, absl::StatusCode::kPermissionDenied},
      {EISDIR, IoKind::kMetadata, absl::StatusCode::kFailedPrecondition},
      {EXDEV, IoKind::kMetadata, absl::StatusCode::kInternal},
      {EXDEV, IoKind::kWrite, absl::StatusCode::kUnavailable},
  };
  for (const Case& c : cases) {
    const absl::Status s = ErrnoToStatus(c.err, c.kind, "pread at offset 8 of", "/x/data.log");
    EXPECT_EQ(s.code(), c.code) << c.err;
    EXPECT_NE(s.message().find("pread at offset 8 of /x/data.log"), std::string_view::npos) << s;
  }
}

TEST(MakeDevice, UnknownKindIsInvalidArgumentListingValidKinds) {
  absl::StatusOr<std::unique_ptr<Device>> d = MakeDevice("spdk", "/tmp/unused");
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("posix, uring"), std::string_view::npos) << d.status();
}

TEST(MakeDevice, NamesAndMissingRoot) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/names/deep";
  EXPECT_EQ(MakeOrDie("posix", root)->name(), "posix");
  EXPECT_EQ(MakeOrDie("uring", root)->name(), "uring");
  DeviceOptions no_create;
  no_create.create_root = false;
  EXPECT_EQ(MakeDevice("posix", root + "/absent", no_create).status().code(),
            absl::StatusCode::kNotFound);
  DeviceOptions bad_ring;
  bad_ring.ring_entries = 0;
  absl::StatusOr<std::unique_ptr<Device>> d = MakeDevice("uring", root, bad_ring);
  EXPECT_FALSE(d.ok());
  bad_ring.fallback_to_posix = true;  // Falls back only when asked.
  d = MakeDevice("uring", root, bad_ring);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ((*d)->name(), "posix");
}

}  // namespace
}  // namespace kvlab
