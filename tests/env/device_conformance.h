// The device-conformance suite: ONE test body that every Device must pass
// (PosixDevice, UringDevice with and without O_DIRECT, SimDevice without
// faults), so that engines see the same observable results on all of them.
//
// Use: include this header in a cc_test and instantiate it with a factory
//   INSTANTIATE_TEST_SUITE_P(Posix, DeviceConformanceTest,
//       ::testing::Values(kvlab::DeviceFactory([](std::string root) { ... })));
// The factory gets a fresh, empty host directory per test (a simulator may
// ignore it) and returns the device to test, rooted there.
//
// Every data transfer here is 4 KiB aligned (offsets, lengths and buffers), so
// the same body also runs on devices that open every file with O_DIRECT.
#ifndef KVLAB_TESTS_ENV_DEVICE_CONFORMANCE_H_
#define KVLAB_TESTS_ENV_DEVICE_CONFORMANCE_H_

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/env/env.h"
#include "gtest/gtest.h"

namespace kvlab {

using DeviceFactory = std::function<std::unique_ptr<Device>(std::string root)>;

namespace conformance {

inline constexpr size_t kBlock = 4096;

// A zero-initialised buffer aligned to 4 KiB.
class AlignedBuffer {
 public:
  explicit AlignedBuffer(size_t size, char fill = 0)
      : size_(size), data_(static_cast<char*>(std::aligned_alloc(kBlock, RoundUp(size)))) {
    std::memset(data_.get(), fill, RoundUp(size));
  }
  char* data() { return data_.get(); }
  size_t size() const { return size_; }
  std::string_view view() const { return std::string_view(data_.get(), size_); }
  absl::Span<char> span() { return absl::MakeSpan(data_.get(), size_); }

 private:
  static size_t RoundUp(size_t n) { return n == 0 ? kBlock : (n + kBlock - 1) / kBlock * kBlock; }
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  size_t size_;
  std::unique_ptr<char, Free> data_;
};

// `blocks` blocks, block i filled with the byte first + i.
inline AlignedBuffer Pattern(size_t blocks, char first) {
  AlignedBuffer b(blocks * kBlock);
  for (size_t i = 0; i < blocks; ++i) std::memset(b.data() + i * kBlock, first + i, kBlock);
  return b;
}

inline bool AllBytes(std::string_view s, char c) {
  return s.find_first_not_of(c) == std::string_view::npos;
}

}  // namespace conformance

class DeviceConformanceTest : public ::testing::TestWithParam<DeviceFactory> {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    static std::atomic<int> counter{0};
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "." + info->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    root_ = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") /
            ("dev_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + name);
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    device_ = GetParam()(root_.string());
    ASSERT_NE(device_, nullptr);
  }
  void TearDown() override {
    device_.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  std::unique_ptr<File> OpenOrDie(std::string_view path, OpenOptions options = {}) {
    absl::StatusOr<std::unique_ptr<File>> f = device_->Open(path, options);
    EXPECT_TRUE(f.ok()) << path << ": " << f.status();
    return f.ok() ? std::move(*f) : nullptr;
  }
  std::unique_ptr<File> Create(std::string_view path, FileKind kind = FileKind::kData) {
    OpenOptions o;
    o.create = true;
    o.kind = kind;
    return OpenOrDie(path, o);
  }
  // Writes `blocks` pattern blocks at 0 into a new file and closes it.
  void MakeFile(std::string_view path, size_t blocks, char first) {
    std::unique_ptr<File> f = Create(path);
    ASSERT_NE(f, nullptr);
    conformance::AlignedBuffer b = conformance::Pattern(blocks, first);
    ASSERT_TRUE(f->Write(0, b.view()).ok());
  }
  std::string ReadAll(File& f, uint64_t offset, size_t length) {
    conformance::AlignedBuffer b(length);
    absl::StatusOr<size_t> n = f.Read(offset, b.span());
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? std::string(b.data(), *n) : std::string();
  }

  std::filesystem::path root_;
  std::unique_ptr<Device> device_;
};

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DeviceConformanceTest);

using conformance::AlignedBuffer;
using conformance::AllBytes;
using conformance::kBlock;
using conformance::Pattern;

TEST_P(DeviceConformanceTest, WriteThenReadBack) {
  std::unique_ptr<File> f = Create("a");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->path(), "a");
  AlignedBuffer b = Pattern(3, 'a');
  ASSERT_TRUE(f->Write(0, b.view()).ok());
  EXPECT_EQ(*f->Size(), 3 * kBlock);
  EXPECT_EQ(ReadAll(*f, 0, 3 * kBlock), std::string(b.view()));
  EXPECT_EQ(ReadAll(*f, kBlock, kBlock), std::string(kBlock, 'b'));
  // Overwrite the middle block.
  AlignedBuffer z(kBlock, 'z');
  ASSERT_TRUE(f->Write(kBlock, z.view()).ok());
  EXPECT_EQ(ReadAll(*f, kBlock, kBlock), std::string(kBlock, 'z'));
  EXPECT_EQ(*f->Size(), 3 * kBlock);
}

TEST_P(DeviceConformanceTest, DataOutlivesTheHandle) {
  MakeFile("a", 2, 'p');
  std::unique_ptr<File> again = OpenOrDie("a");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(ReadAll(*again, 0, 2 * kBlock), std::string(Pattern(2, 'p').view()));
  OpenOptions trunc;
  trunc.truncate = true;
  std::unique_ptr<File> truncated = OpenOrDie("a", trunc);
  ASSERT_NE(truncated, nullptr);
  EXPECT_EQ(*truncated->Size(), 0u);
}

TEST_P(DeviceConformanceTest, ReadsPastEndOfFileAreShort) {
  MakeFile("a", 2, 'a');
  std::unique_ptr<File> f = OpenOrDie("a");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(ReadAll(*f, 2 * kBlock, kBlock), "");            // At end of file.
  EXPECT_EQ(ReadAll(*f, 10 * kBlock, kBlock), "");           // Past it.
  EXPECT_EQ(ReadAll(*f, kBlock, 3 * kBlock).size(), kBlock); // Across it.
  ASSERT_TRUE(f->Truncate(kBlock + 100).ok());
  const std::string tail = ReadAll(*f, kBlock, 2 * kBlock);
  EXPECT_EQ(tail.size(), 100u);
  EXPECT_TRUE(AllBytes(tail, 'b'));
}

TEST_P(DeviceConformanceTest, WritePastEndZeroFillsTheGap) {
  std::unique_ptr<File> f = Create("a");
  ASSERT_NE(f, nullptr);
  AlignedBuffer b(kBlock, 'x');
  ASSERT_TRUE(f->Write(3 * kBlock, b.view()).ok());
  EXPECT_EQ(*f->Size(), 4 * kBlock);
  EXPECT_TRUE(AllBytes(ReadAll(*f, 0, 3 * kBlock), '\0'));
  EXPECT_EQ(ReadAll(*f, 3 * kBlock, kBlock), std::string(kBlock, 'x'));
}

TEST_P(DeviceConformanceTest, AppendReturnsSuccessiveOffsets) {
  std::unique_ptr<File> f = Create("log", FileKind::kLog);
  ASSERT_NE(f, nullptr);
  for (int i = 0; i < 4; ++i) {
    AlignedBuffer b(kBlock, static_cast<char>('0' + i));
    absl::StatusOr<uint64_t> at = f->Append(b.view());
    ASSERT_TRUE(at.ok()) << at.status();
    EXPECT_EQ(*at, i * kBlock);
  }
  EXPECT_EQ(*f->Size(), 4 * kBlock);
  EXPECT_EQ(ReadAll(*f, 2 * kBlock, kBlock), std::string(kBlock, '2'));
}

TEST_P(DeviceConformanceTest, TruncateShrinksAndZeroExtends) {
  MakeFile("a", 2, 'a');
  std::unique_ptr<File> f = OpenOrDie("a");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->Truncate(kBlock).ok());
  EXPECT_EQ(*f->Size(), kBlock);
  EXPECT_EQ(*device_->FileSize("a"), kBlock);
  ASSERT_TRUE(f->Truncate(3 * kBlock).ok());
  EXPECT_EQ(*f->Size(), 3 * kBlock);
  EXPECT_EQ(ReadAll(*f, 0, kBlock), std::string(kBlock, 'a'));
  EXPECT_TRUE(AllBytes(ReadAll(*f, kBlock, 2 * kBlock), '\0'));  // Old 'b' block is gone.
}

TEST_P(DeviceConformanceTest, SyncAndSyncDirSucceed) {
  ASSERT_TRUE(device_->CreateDir("d").ok());
  OpenOptions o;
  o.create = true;
  std::unique_ptr<File> f = OpenOrDie("d/f", o);
  ASSERT_NE(f, nullptr);
  AlignedBuffer b(kBlock, 's');
  ASSERT_TRUE(f->Write(0, b.view()).ok());
  EXPECT_TRUE(f->Sync().ok());
  EXPECT_TRUE(device_->SyncDir("d").ok());
  EXPECT_TRUE(device_->SyncDir("").ok());
  EXPECT_EQ(device_->SyncDir("missing").code(), absl::StatusCode::kNotFound);
}

TEST_P(DeviceConformanceTest, RenameReplacesTheTarget) {
  MakeFile("from", 1, 'f');
  MakeFile("to", 2, 't');
  ASSERT_TRUE(device_->Rename("from", "to").ok());
  EXPECT_FALSE(*device_->Exists("from"));
  EXPECT_EQ(*device_->FileSize("to"), kBlock);
  std::unique_ptr<File> f = OpenOrDie("to");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(ReadAll(*f, 0, 2 * kBlock), std::string(kBlock, 'f'));
  EXPECT_EQ(device_->Rename("from", "x").code(), absl::StatusCode::kNotFound);
  // Into a subdirectory.
  ASSERT_TRUE(device_->CreateDir("d").ok());
  ASSERT_TRUE(device_->Rename("to", "d/moved").ok());
  EXPECT_TRUE(*device_->Exists("d/moved"));
}

TEST_P(DeviceConformanceTest, RemoveDeletes) {
  MakeFile("a", 1, 'a');
  ASSERT_TRUE(device_->Remove("a").ok());
  EXPECT_FALSE(*device_->Exists("a"));
  EXPECT_EQ(device_->Open("a", {}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(device_->Remove("a").code(), absl::StatusCode::kNotFound);
}

TEST_P(DeviceConformanceTest, ListIsSortedAndNamesOnly) {
  for (const char* name : {"c", "a", "b10", "b2"}) MakeFile(name, 1, 'x');
  ASSERT_TRUE(device_->CreateDir("dir").ok());
  MakeFile("dir/inner", 1, 'y');
  absl::StatusOr<std::vector<std::string>> root = device_->List("");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(*root, (std::vector<std::string>{"a", "b10", "b2", "c", "dir"}));
  absl::StatusOr<std::vector<std::string>> dir = device_->List("dir");
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(*dir, std::vector<std::string>{"inner"});
  EXPECT_EQ(device_->List("missing").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(DeviceConformanceTest, CreateDirIsIdempotentAndNeedsItsParent) {
  ASSERT_TRUE(device_->CreateDir("d").ok());
  EXPECT_TRUE(device_->CreateDir("d").ok());
  ASSERT_TRUE(device_->CreateDir("d/e").ok());
  EXPECT_TRUE(*device_->Exists("d/e"));
  EXPECT_EQ(device_->CreateDir("x/y").code(), absl::StatusCode::kNotFound);
  OpenOptions o;
  o.create = true;
  EXPECT_EQ(device_->Open("nodir/f", o).status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(OpenOrDie("d/e/f", o), nullptr);
}

TEST_P(DeviceConformanceTest, ExistsAndFileSize) {
  EXPECT_FALSE(*device_->Exists("a"));
  EXPECT_TRUE(*device_->Exists(""));
  MakeFile("a", 3, 'a');
  EXPECT_TRUE(*device_->Exists("a"));
  EXPECT_EQ(*device_->FileSize("a"), 3 * kBlock);
  ASSERT_TRUE(device_->CreateDir("d").ok());
  EXPECT_TRUE(*device_->Exists("d"));
  EXPECT_EQ(device_->FileSize("missing").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(DeviceConformanceTest, MissingFilesAreNotFound) {
  absl::StatusOr<std::unique_ptr<File>> f = device_->Open("missing", {});
  EXPECT_EQ(f.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(f.status().message().find("missing"), std::string_view::npos) << f.status();
  EXPECT_FALSE(*device_->Exists("missing"));
}

TEST_P(DeviceConformanceTest, ExclusiveCreateOfExistingFileIsAlreadyExists) {
  MakeFile("a", 1, 'a');
  OpenOptions o;
  o.create = true;
  o.exclusive = true;
  EXPECT_EQ(device_->Open("a", o).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(OpenOrDie("b", o), nullptr);
}

TEST_P(DeviceConformanceTest, LockIsExclusiveUntilReleased) {
  absl::StatusOr<std::unique_ptr<FileLock>> first = device_->Lock("LOCK");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<FileLock>> second = device_->Lock("LOCK");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(second.status().message().find("LOCK"), std::string_view::npos) << second.status();
  first->reset();
  EXPECT_TRUE(device_->Lock("LOCK").ok());
}

TEST_P(DeviceConformanceTest, ReadOnlyFilesRefuseWrites) {
  MakeFile("a", 1, 'a');
  OpenOptions ro;
  ro.read_only = true;
  std::unique_ptr<File> f = OpenOrDie("a", ro);
  ASSERT_NE(f, nullptr);
  AlignedBuffer b(kBlock, 'w');
  EXPECT_EQ(f->Write(0, b.view()).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(f->Append(b.view()).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(f->Truncate(0).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadAll(*f, 0, kBlock), std::string(kBlock, 'a'));
}

TEST_P(DeviceConformanceTest, SubmitBatchReads) {
  MakeFile("a", 8, 'A');
  std::unique_ptr<File> f = OpenOrDie("a");
  ASSERT_NE(f, nullptr);
  const std::vector<size_t> order = {5, 0, 7, 3, 1, 6, 2, 4};
  std::vector<AlignedBuffer> buffers;
  for (size_t i = 0; i <= order.size(); ++i) buffers.emplace_back(kBlock, '?');
  std::vector<IoRequest> batch(order.size() + 1);
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].op = IoRequest::Op::kRead;
    batch[i].file = f.get();
    batch[i].offset = (i < order.size() ? order[i] : 20) * kBlock;  // The last is past EOF.
    batch[i].buffer = buffers[i].data();
    batch[i].length = kBlock;
  }
  ASSERT_TRUE(device_->SubmitBatch(absl::MakeSpan(batch)).ok());
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_TRUE(batch[i].status.ok()) << i << ": " << batch[i].status;
    EXPECT_EQ(batch[i].bytes_done, kBlock);
    EXPECT_TRUE(AllBytes(buffers[i].view(), static_cast<char>('A' + order[i]))) << i;
  }
  EXPECT_TRUE(batch.back().status.ok());
  EXPECT_EQ(batch.back().bytes_done, 0u);
}

TEST_P(DeviceConformanceTest, SubmitBatchWrites) {
  std::unique_ptr<File> f = Create("a");
  ASSERT_NE(f, nullptr);
  std::vector<AlignedBuffer> buffers;
  std::vector<IoRequest> batch(6);
  for (size_t i = 0; i < batch.size(); ++i) {
    buffers.emplace_back(kBlock, static_cast<char>('k' + i));
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].op = IoRequest::Op::kWrite;
    batch[i].file = f.get();
    batch[i].offset = (batch.size() - 1 - i) * kBlock;
    batch[i].buffer = buffers[i].data();
    batch[i].length = kBlock;
  }
  ASSERT_TRUE(device_->SubmitBatch(absl::MakeSpan(batch)).ok());
  for (const IoRequest& r : batch) {
    EXPECT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.bytes_done, kBlock);
  }
  EXPECT_EQ(*f->Size(), 6 * kBlock);
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(ReadAll(*f, (batch.size() - 1 - i) * kBlock, kBlock),
              std::string(kBlock, static_cast<char>('k' + i)));
  }
}

TEST_P(DeviceConformanceTest, SubmitBatchReportsEachRequest) {
  MakeFile("a", 2, 'a');
  OpenOptions ro;
  ro.read_only = true;
  std::unique_ptr<File> reader = OpenOrDie("a", ro);
  ASSERT_NE(reader, nullptr);
  AlignedBuffer r0(kBlock), w1(kBlock, 'w'), r2(kBlock);
  std::vector<IoRequest> batch(3);
  batch[0] = {IoRequest::Op::kRead, reader.get(), 0, r0.data(), kBlock, {}, 0};
  batch[1] = {IoRequest::Op::kWrite, reader.get(), 0, w1.data(), kBlock, {}, 0};
  batch[2] = {IoRequest::Op::kRead, reader.get(), kBlock, r2.data(), kBlock, {}, 0};
  const absl::Status first = device_->SubmitBatch(absl::MakeSpan(batch));
  EXPECT_EQ(first.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(batch[0].status.ok()) << batch[0].status;
  EXPECT_EQ(batch[1].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(batch[1].bytes_done, 0u);
  EXPECT_TRUE(batch[2].status.ok()) << batch[2].status;
  EXPECT_TRUE(AllBytes(r0.view(), 'a'));
  EXPECT_TRUE(AllBytes(r2.view(), 'b'));
}

TEST_P(DeviceConformanceTest, BadPathsAreRejected) {
  OpenOptions o;
  o.create = true;
  for (const char* bad : {"", "/abs", "..", "../up", "a/../b", "a//b", "a/", "./x/../../y"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(device_->Open(bad, o).status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(device_->Remove(bad).code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(device_->Rename(bad, "ok").code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(device_->FileSize(bad).status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(device_->Lock(bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(device_->List("../x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(device_->Exists("/etc").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(device_->CreateDir("a/../b").code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(DeviceConformanceTest, DirectIoAlignment) {
  OpenOptions o;
  o.create = true;
  o.direct = true;
  std::unique_ptr<File> f = OpenOrDie("direct", o);
  ASSERT_NE(f, nullptr);
  AlignedBuffer b(2 * kBlock, 'd');
  ASSERT_TRUE(f->Write(0, b.view()).ok());  // Aligned: always fine.
  EXPECT_EQ(ReadAll(*f, kBlock, kBlock), std::string(kBlock, 'd'));
  if (device_->direct_alignment() > 1) {
    EXPECT_EQ(f->Write(1, std::string_view(b.data(), kBlock)).code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(f->Write(0, std::string_view(b.data(), 100)).code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(f->Read(0, absl::MakeSpan(b.data() + 1, kBlock)).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace kvlab

#endif  // KVLAB_TESTS_ENV_DEVICE_CONFORMANCE_H_
