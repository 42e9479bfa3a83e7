// The Env lint on the real source tree, and proof that it has teeth.
//
// Which tree: the test resolves its runfile engine/env/env.h to the real file
// and scans the workspace's engine/ folder from there, at every depth. A new
// engine folder (engine/<name>/) is therefore scanned with nothing to
// register; the target is tagged "external" so Bazel never serves a cached
// pass after engine/ changed. KVLAB_SOURCE_ROOT overrides the root.
#include "tests/env/env_lint.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace kvlab::lint {
namespace {

namespace fs = std::filesystem;

std::string SourceRoot() {
  if (const char* root = std::getenv("KVLAB_SOURCE_ROOT")) return root;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return ".";
  const fs::path runfile = fs::path(srcdir) / workspace / "engine/env/env.h";
  std::error_code ec;
  const fs::path real = fs::canonical(runfile, ec);
  if (ec) return ".";
  return real.parent_path().parent_path().parent_path().string();  // <root>/engine/env/env.h
}

TEST(EnvLint, EngineCodeUsesOnlyTheEnv) {
  const std::string root = SourceRoot();
  ASSERT_TRUE(fs::exists(fs::path(root) / "engine/kv_store.h"))
      << "cannot find the source tree at '" << root << "'; set KVLAB_SOURCE_ROOT";
  std::vector<std::string> scanned;
  const std::vector<Hit> hits = ScanTree(root, &scanned);
  // It read the real tree, subpackages included, and skipped engine/env/.
  EXPECT_NE(std::find(scanned.begin(), scanned.end(), "engine/kv_store.h"), scanned.end());
  EXPECT_NE(std::find(scanned.begin(), scanned.end(), "engine/common/crc32c.cc"), scanned.end());
  for (const std::string& f : scanned) EXPECT_NE(f.rfind("engine/env/", 0), 0u) << f;
  std::string report;
  for (const Hit& h : hits) report += "  " + Format(h) + "\n";
  EXPECT_TRUE(hits.empty()) << "engine code must reach the OS only through the Env "
                               "(engine/env/env.h); found:\n"
                            << report << "scanned " << scanned.size() << " files under " << root
                            << "/engine";
}

TEST(EnvLint, FindsEachForbiddenCallWithItsLine) {
  const std::string snippet =
      "#include <thread>\n"                                        // 1
      "void F() {\n"                                               // 2
      "  std::thread t([] {});\n"                                  // 3
      "  auto now = std::chrono::steady_clock::now();\n"           // 4
      "  int fd = ::open(\"x\", O_RDONLY);\n"                      // 5
      "  pread(fd, buf, 10, 0);\n"                                 // 6
      "  fdatasync(fd); ::close(fd);\n"                            // 7
      "  std::random_device rd; int r = rand();\n"                 // 8
      "  std::this_thread::sleep_for(1ms); gettimeofday(&tv, 0);\n"  // 9
      "  io_uring_submit(&ring); srand(1); std::jthread j;\n"      // 10
      "  FILE* f = fopen(\"a\", \"r\"); pwrite64(fd, b, 1, 0);\n"  // 11
      "}\n";
  const std::vector<Hit> hits = ScanSource("engine/lsm/bad.cc", snippet);
  std::vector<int> lines;
  for (const Hit& h : hits) lines.push_back(h.line);
  for (int line : {3, 4, 5, 6, 7, 8, 9, 10, 11}) {
    EXPECT_NE(std::find(lines.begin(), lines.end(), line), lines.end()) << "line " << line;
  }
  EXPECT_EQ(std::count(lines.begin(), lines.end(), 7), 2);   // fdatasync and ::close.
  EXPECT_EQ(std::count(lines.begin(), lines.end(), 8), 2);   // random_device and rand.
  EXPECT_EQ(std::count(lines.begin(), lines.end(), 10), 3);  // io_uring_, srand, jthread.
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(Format(hits[0]).rfind("engine/lsm/bad.cc:3: std::thread", 0), 0u) << Format(hits[0]);
}

TEST(EnvLint, CleanCodeAndProsePass) {
  const std::string snippet =
      "// Never call std::thread or fsync() here; see env.h. rand() is banned.\n"
      "/* std::chrono::steady_clock::now(); ::open(\"x\") */\n"
      "absl::Status Open(std::string_view p) {\n"
      "  auto f = env.device->Open(p, options);\n"
      "  file->Sync(); operand(x); my_rand(3); brand(2); Reopen(1);\n"
      "  const char* msg = \"pread( failed, fsync( too, std::thread\";\n"
      "  const char* raw = R\"(io_uring_setup( std::random_device)\";\n"
      "  char c = '\"'; env.clock->NowNanos(); env.executor->Schedule(task);\n"
      "  return store.open(path);  // A method named open on an object.\n"
      "}\n";
  const std::vector<Hit> hits = ScanSource("engine/lsm/good.cc", snippet);
  std::string report;
  for (const Hit& h : hits) report += Format(h) + "\n";
  EXPECT_TRUE(hits.empty()) << report;
}

TEST(EnvLint, ScansEveryEngineFolderButEnv) {
  const fs::path root = fs::path(std::getenv("TEST_TMPDIR")) / "lint_tree";
  fs::remove_all(root);
  fs::create_directories(root / "engine/newengine/deep");
  fs::create_directories(root / "engine/env");
  std::ofstream(root / "engine/newengine/deep/x.cc") << "int a;\nint b = rand();\n";
  std::ofstream(root / "engine/env/posix.cc") << "int fd = ::open(p, 0);\n";
  std::ofstream(root / "engine/top.h") << "#include <thread>\nstd::thread t;\n";
  std::ofstream(root / "engine/notes.txt") << "std::thread\n";
  std::vector<std::string> scanned;
  const std::vector<Hit> hits = ScanTree(root.string(), &scanned);
  EXPECT_EQ(scanned, (std::vector<std::string>{"engine/newengine/deep/x.cc", "engine/top.h"}));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].file, "engine/newengine/deep/x.cc");
  EXPECT_EQ(hits[0].line, 2);
  EXPECT_EQ(hits[1].file, "engine/top.h");
  EXPECT_EQ(hits[1].line, 2);
}

}  // namespace
}  // namespace kvlab::lint
