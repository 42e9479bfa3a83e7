// CountingDevice: counts what succeeded, per file kind, through single calls
// and batches, and forwards everything else unchanged.
#include "engine/env/counting_device.h"

#include <filesystem>
#include <thread>

#include "engine/env/real_env.h"
#include "gtest/gtest.h"
#include "tests/env/device_conformance.h"

namespace kvlab {
namespace {

using conformance::AlignedBuffer;
using conformance::kBlock;

class CountingDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::string(std::getenv("TEST_TMPDIR")) + "/counting_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    absl::StatusOr<std::unique_ptr<Device>> inner = MakeDevice("uring", root_);
    ASSERT_TRUE(inner.ok()) << inner.status();
    device_ = std::make_unique<CountingDevice>(std::move(*inner));
  }
  std::unique_ptr<File> Open(std::string_view path, FileKind kind) {
    OpenOptions o;
    o.create = true;
    o.kind = kind;
    return *device_->Open(path, o);
  }
  std::string root_;
  std::unique_ptr<CountingDevice> device_;
};

TEST_F(CountingDeviceTest, NameWrapsTheInnerName) { EXPECT_EQ(device_->name(), "counting(uring)"); }

TEST_F(CountingDeviceTest, CountsPerKind) {
  std::unique_ptr<File> log = Open("wal", FileKind::kLog);
  std::unique_ptr<File> data = Open("data", FileKind::kData);
  AlignedBuffer b(2 * kBlock, 'x');
  ASSERT_TRUE(log->Append(b.view()).ok());
  ASSERT_TRUE(log->Write(2 * kBlock, std::string_view(b.data(), 100)).ok());
  ASSERT_TRUE(log->Sync().ok());
  ASSERT_TRUE(data->Write(0, b.view()).ok());
  ASSERT_TRUE(data->Read(kBlock, b.span()).ok());  // Returns one block: end of file.
  ASSERT_TRUE(device_->SyncDir("").ok());
  const IoCounters c = device_->Snapshot();
  const IoCounters::PerKind& l = c.by_kind[static_cast<size_t>(FileKind::kLog)];
  const IoCounters::PerKind& d = c.by_kind[static_cast<size_t>(FileKind::kData)];
  EXPECT_EQ(l.bytes_written, 2 * kBlock + 100);
  EXPECT_EQ(l.writes, 2u);
  EXPECT_EQ(l.syncs, 1u);
  EXPECT_EQ(l.reads, 0u);
  EXPECT_EQ(d.bytes_written, 2 * kBlock);
  EXPECT_EQ(d.bytes_read, kBlock);  // What the read returned, not what was asked.
  EXPECT_EQ(d.reads, 1u);
  EXPECT_EQ(c.dir_syncs, 1u);
  EXPECT_EQ(c.Total().bytes_written, 4 * kBlock + 100);
  // counters() is the same live state.
  EXPECT_EQ(device_->counters()->by_kind[static_cast<size_t>(FileKind::kLog)].writes, 2u);
}

TEST_F(CountingDeviceTest, FailuresCountNothing) {
  std::unique_ptr<File> f = Open("a", FileKind::kIndex);
  OpenOptions ro;
  ro.read_only = true;
  ro.kind = FileKind::kIndex;
  std::unique_ptr<File> r = *device_->Open("a", ro);
  EXPECT_FALSE(r->Write(0, "x").ok());
  EXPECT_FALSE(device_->SyncDir("missing").ok());
  const IoCounters c = device_->Snapshot();
  EXPECT_EQ(c.Total().writes, 0u);
  EXPECT_EQ(c.dir_syncs, 0u);
}

TEST_F(CountingDeviceTest, BatchesAreCountedAndStillOverlap) {
  std::unique_ptr<File> f = Open("h", FileKind::kHint);
  AlignedBuffer b(4 * kBlock, 'h');
  std::vector<IoRequest> batch(4);
  for (size_t i = 0; i < 4; ++i) {
    batch[i] = {IoRequest::Op::kWrite, f.get(), i * kBlock, b.data() + i * kBlock, kBlock, {}, 0};
  }
  ASSERT_TRUE(device_->SubmitBatch(absl::MakeSpan(batch)).ok());
  for (IoRequest& r : batch) r.op = IoRequest::Op::kRead;
  batch[3].offset = 100 * kBlock;  // Past end of file: reads 0 bytes.
  ASSERT_TRUE(device_->SubmitBatch(absl::MakeSpan(batch)).ok());
  EXPECT_EQ(batch[0].bytes_done, kBlock);
  EXPECT_EQ(batch[3].bytes_done, 0u);
  const IoCounters::PerKind h = device_->Snapshot().by_kind[static_cast<size_t>(FileKind::kHint)];
  EXPECT_EQ(h.writes, 4u);
  EXPECT_EQ(h.bytes_written, 4 * kBlock);
  EXPECT_EQ(h.reads, 4u);
  EXPECT_EQ(h.bytes_read, 3 * kBlock);
}

TEST_F(CountingDeviceTest, ConcurrentCountsAreExact) {
  std::unique_ptr<File> f = Open("m", FileKind::kManifest);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) EXPECT_TRUE(f->Append("0123456789").ok());
    });
  }
  for (std::thread& t : threads) t.join();
  const IoCounters::PerKind m =
      device_->Snapshot().by_kind[static_cast<size_t>(FileKind::kManifest)];
  EXPECT_EQ(m.writes, 800u);
  EXPECT_EQ(m.bytes_written, 8000u);
  EXPECT_EQ(*f->Size(), 8000u);
}

TEST(RealEnv, BundlesCountingDeviceClockExecutorRandom) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/realenv";
  RealEnvOptions options;
  options.seed = 7;
  absl::StatusOr<std::unique_ptr<RealEnv>> env = RealEnv::Open("posix", root, options);
  ASSERT_TRUE(env.ok()) << env.status();
  const Env& e = (*env)->env();
  EXPECT_EQ(e.device->name(), "counting(posix)");
  EXPECT_NE(e.device->counters(), nullptr);
  Random expected(7);
  EXPECT_EQ(e.random->Next(), expected.Next());
  int ran = 0;
  e.executor->Schedule([&] { ran = 1; });
  e.executor->Drain();
  EXPECT_EQ(ran, 1);
  EXPECT_GT(e.clock->NowNanos(), 0);
  EXPECT_EQ(RealEnv::Open("nvme", root).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kvlab
