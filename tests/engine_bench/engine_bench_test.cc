// engine-bench on a tiny size with the memory and bitcask engines in a temporary
// directory: the report has its fields, reads per Get comes from the device
// counters (1 for Bitcask, 0 for the RAM-only engine), bad configs are rejected,
// files are cleaned up unless kept. No timing is asserted.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "engine/env/bench/fio.h"
#include "experiments/engine_bench/engine_bench.h"
#include "gtest/gtest.h"

namespace kvlab::engine_bench {
namespace {

namespace fs = std::filesystem;

std::string TempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  fs::path dir = fs::path(base != nullptr ? base : "/tmp") / ("engine_bench_" + name);
  fs::remove_all(dir);
  return dir.string();
}

Config Tiny(const std::string& engine, const std::string& name) {
  Config c;
  c.engine.name = engine;
  c.dir = TempDir(name);
  c.user_bytes = 40 * (16 + 1000);  // 40 puts.
  c.value_bytes = 1000;
  c.key_bytes = 16;
  c.reads = 25;
  c.run_fio = false;
  return c;
}

TEST(EngineBenchTest, BitcaskReadsPerGetComesFromTheCounters) {
  Config c = Tiny("bitcask", "bitcask");
  absl::StatusOr<Report> r = RunEngineBench(c);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->write.puts, 40u);
  EXPECT_EQ(r->write.user_bytes, 40u * 1016);
  EXPECT_EQ(r->write.syncs, 1u);
  EXPECT_GE(r->write.device.bytes_written, r->write.user_bytes);  // Records carry headers.
  EXPECT_GE(r->write.device.syncs, 1u);
  EXPECT_GT(r->write.mean_data_write_bytes(), 1016u);
  EXPECT_EQ(r->read.gets, 25u);
  EXPECT_EQ(r->read.wrong_values, 0u);
  EXPECT_EQ(r->read.device_reads, 25u);  // One device read per Get, counted by the device.
  EXPECT_DOUBLE_EQ(r->read.reads_per_get, 1.0);
  EXPECT_GE(r->read.device_bytes_read, 25u * 1016);
  EXPECT_EQ(r->compared_fio, -1);  // fio was not asked for.
  const std::string table = FormatReport(*r);
  for (const char* field : {"bitcask, user bytes", "device bytes (WA", "MiB/s", "Put p50",
                            "25 random Gets", "ops/s", "p99", "device reads 25",
                            "1.0000 per Get (target 1.0: PASS)", "fio not asked for"}) {
    EXPECT_NE(table.find(field), std::string::npos) << field << " missing from:\n" << table;
  }
  EXPECT_FALSE(fs::exists(fs::path(c.dir) / "store")) << "the store was not cleaned up";
}

TEST(EngineBenchTest, MemoryEngineMakesNoDeviceReads) {
  Config c = Tiny("memory", "memory");
  absl::StatusOr<Report> r = RunEngineBench(c);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->read.gets, 25u);
  EXPECT_EQ(r->read.wrong_values, 0u);
  EXPECT_EQ(r->read.device_reads, 0u);
  EXPECT_DOUBLE_EQ(r->read.reads_per_get, 0.0);  // Counted (the device keeps counters): zero.
  EXPECT_EQ(r->write.device.bytes_written, 0u);
  EXPECT_NE(FormatReport(*r).find("0.0000 per Get (target 1.0: MISS)"), std::string::npos);
}

TEST(EngineBenchTest, SyncEveryCountsSyncsAndKeepKeepsTheStore) {
  Config c = Tiny("bitcask", "sync_every");
  c.sync_every = 7;  // 40 puts: syncs after 7, 14, 21, 28, 35 and the last.
  c.keep = true;
  c.repeat = 2;
  absl::StatusOr<Report> r = RunEngineBench(c);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->write_runs.size(), 2u);
  EXPECT_EQ(r->write.syncs, 6u);
  EXPECT_GE(r->write.device.syncs, 6u);
  EXPECT_TRUE(fs::exists(fs::path(c.dir) / "store"));
}

TEST(EngineBenchTest, BatchModeWritesThroughWriteBatch) {
  Config c = Tiny("bitcask", "batch");
  c.batch = 8;  // 40 puts in 5 Write calls: Bitcask appends each batch in one write.
  // Unbuffered, so each batch reaches the device as its own write.
  c.engine.options["write_buffer_size"] = "0";
  absl::StatusOr<Report> r = RunEngineBench(c);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->write.puts, 40u);
  const auto& data = r->write.by_kind.by_kind[static_cast<size_t>(FileKind::kData)];
  EXPECT_GE(data.writes, 5u);
  EXPECT_LE(data.writes, 10u);
  EXPECT_GT(r->write.mean_data_write_bytes(), 4u * 1016);
  EXPECT_EQ(r->read.wrong_values, 0u);
  EXPECT_DOUBLE_EQ(r->read.reads_per_get, 1.0);
  EXPECT_NE(FormatReport(*r).find("in batches of 8"), std::string::npos);
}

TEST(EngineBenchTest, BadConfigsAreClearErrors) {
  Config c = Tiny("no-such-engine", "bad");
  absl::StatusOr<Report> r = RunEngineBench(c);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("no-such-engine"), std::string::npos);
  EXPECT_NE(r.status().message().find("bitcask"), std::string::npos);  // Lists the valid ones.

  c = Tiny("bitcask", "bad");
  c.engine.options["no_such_option"] = "1";
  EXPECT_EQ(RunEngineBench(c).status().code(), absl::StatusCode::kInvalidArgument);

  c = Tiny("bitcask", "bad");
  c.key_bytes = 4;
  EXPECT_EQ(RunEngineBench(c).status().code(), absl::StatusCode::kInvalidArgument);

  c = Tiny("bitcask", "bad");
  c.device = "floppy";
  r = RunEngineBench(c);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("floppy"), std::string::npos);
}

TEST(EngineBenchTest, KeysSortInWriteOrder) {
  EXPECT_EQ(KeyOf(42, 16), "0000000000000042");
  EXPECT_LT(KeyOf(9, 16), KeyOf(10, 16));
  EXPECT_EQ(KeyOf(7, 8).size(), 8u);
}

TEST(FioTest, NumberAfterSkipsTheJobOptionsWriteValue) {
  const std::string json = R"({"job options" : {"rw" : "write"},
      "read" : {"io_bytes" : 0, "runtime" : 0},
      "write" : {"io_bytes" : 1048576, "runtime" : 250}, "usr_cpu" : 1.5})";
  const size_t write = json.find("\"write\" : {");
  ASSERT_NE(write, std::string::npos);
  EXPECT_EQ(fio::NumberAfter(json, write, "io_bytes"), 1048576);
  EXPECT_EQ(fio::NumberAfter(json, write, "runtime"), 250);
  EXPECT_EQ(fio::NumberAfter(json, write, "usr_cpu"), 1.5);
  EXPECT_EQ(fio::NumberAfter(json, write, "missing"), -1);
  EXPECT_EQ(fio::ShellQuote("a'b"), "'a'\\''b'");
}

// With fio installed: the jobs run on 1 MiB, and the target is the --fio-bs job
// nearest the engine's write size, never the engine-size job.
TEST(EngineBenchTest, FioJobsAndTheComparedOne) {
  if (!fio::OnPath()) GTEST_SKIP() << "fio is not on PATH";
  Config c = Tiny("bitcask", "fio");
  c.user_bytes = 1 << 20;
  c.value_bytes = 4096;
  c.run_fio = true;
  absl::StatusOr<Report> r = RunEngineBench(c);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->fio.size(), 3u);  // 4k, 1m and the engine's record size.
  EXPECT_EQ(r->fio[0].block_bytes, 4096u);
  EXPECT_EQ(r->fio[1].block_bytes, 1u << 20);
  EXPECT_TRUE(r->fio[2].engine_block);
  EXPECT_EQ(r->fio[2].block_bytes, r->write.mean_data_write_bytes());
  // The target is the --fio-bs job nearest (by ratio) the engine's mean data
  // write (Bitcask's write buffer makes that write large), never the
  // engine-size job.
  const double mean = static_cast<double>(r->write.mean_data_write_bytes());
  const int nearest =
      std::fabs(std::log(4096.0 / mean)) <= std::fabs(std::log(1048576.0 / mean)) ? 0 : 1;
  EXPECT_EQ(r->compared_fio, nearest);
  EXPECT_GT(r->fio[0].bytes, 0u);
  EXPECT_GT(r->ratio, 0);
  EXPECT_NE(FormatReport(*r).find("<- target"), std::string::npos);
  EXPECT_FALSE(fs::exists(fs::path(c.dir) / "fio-seqwrite.dat"));
}

}  // namespace
}  // namespace kvlab::engine_bench
