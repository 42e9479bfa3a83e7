// DevicePathProblem: the one statement of the device path rules (every Device
// backend and the simulator check paths with it). Each rule, its message, and
// the '.' flag.
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/env/io_error.h"
#include "gtest/gtest.h"

namespace kvlab {
namespace {

std::string Problem(std::string_view path, bool allow_root = false, bool* has_dot = nullptr) {
  return std::string(DevicePathProblem(path, allow_root, has_dot));
}

TEST(DevicePathTest, AcceptsRelativePaths) {
  for (std::string_view ok : {"a", "db/0000000001.data", "a/b/c", "a.b", "..a", "a..", "...",
                              ".hidden/x", "x/.y"}) {
    bool has_dot = true;
    EXPECT_EQ(Problem(ok, false, &has_dot), "") << ok;
    EXPECT_FALSE(has_dot) << ok;
  }
}

TEST(DevicePathTest, NamesEachProblem) {
  EXPECT_EQ(Problem(""), "empty");
  EXPECT_EQ(Problem("", /*allow_root=*/true), "");
  EXPECT_EQ(Problem(std::string_view("a\0b", 3)), "contains NUL");
  EXPECT_EQ(Problem(std::string_view("a//b\0", 5)), "contains NUL");  // NUL is reported first.
  EXPECT_EQ(Problem("/abs"), "leading '/'");
  for (std::string_view bad : {"a//b", "a/", "a/b/", "/"}) {
    if (bad == "/") continue;  // Leading '/' wins.
    EXPECT_EQ(Problem(bad), "empty component") << bad;
  }
  for (std::string_view bad : {"..", "../up", "a/../b", "a/..", "./x/../../y"}) {
    EXPECT_EQ(Problem(bad), "'..' component") << bad;
  }
}

TEST(DevicePathTest, FlagsDotComponents) {
  for (std::string_view dotted : {".", "./a", "a/.", "a/./b"}) {
    bool has_dot = false;
    EXPECT_EQ(Problem(dotted, false, &has_dot), "") << dotted;
    EXPECT_TRUE(has_dot) << dotted;
  }
  EXPECT_EQ(Problem("a/./b"), "");  // Without the flag pointer: still valid.
}

TEST(DevicePathTest, CheckDevicePathNamesOpAndPath) {
  EXPECT_TRUE(CheckDevicePath("db/x", false, "open").ok());
  const absl::Status s = CheckDevicePath("db/../x", false, "open");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("open 'db/../x'"), std::string_view::npos) << s.message();
  EXPECT_NE(s.message().find("'..' component"), std::string_view::npos) << s.message();
}

// The rules as env.h states them, one component at a time: what
// DevicePathProblem must answer for every path (its 16-byte fast path too).
std::string ReferenceProblem(std::string_view path, bool* has_dot) {
  *has_dot = false;
  if (path.empty()) return "empty";
  if (path.find('\0') != std::string_view::npos) return "contains NUL";
  if (path.front() == '/') return "leading '/'";
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const std::string_view part =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty()) return "empty component";
    if (part == "..") return "'..' component";
    if (part == ".") *has_dot = true;
    if (slash == std::string_view::npos) return "";
    start = slash + 1;
  }
}

// Every length from 1 to 40 (the fast path's steps are 8 and 16 bytes, so
// problems land at and across every step boundary), with mostly valid paths
// and one or two odd bytes each: the answer and the '.' flag match the rules.
TEST(DevicePathTest, MatchesTheRulesAtEveryLengthAndPosition) {
  uint64_t state = 1;
  const auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  constexpr char kOdd[] = {'/', '.', '\0'};
  for (size_t n = 1; n <= 40; ++n) {
    for (int trial = 0; trial < 400; ++trial) {
      std::string path(n, 'a');
      for (size_t i = 0; i < n; ++i) {
        if (next() % (3 + trial % 10) == 0) path[i] = (next() % 3 == 0) ? '.' : '/';
      }
      if (next() % 8 == 0) path[next() % n] = kOdd[next() % 3];
      bool want_dot = false;
      const std::string want = ReferenceProblem(path, &want_dot);
      bool has_dot = !want_dot;
      EXPECT_EQ(Problem(path, false, &has_dot), want) << path;
      if (want.empty()) EXPECT_EQ(has_dot, want_dot) << path;
    }
  }
}

}  // namespace
}  // namespace kvlab
