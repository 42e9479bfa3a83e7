// DevicePathProblem: the one statement of the device path rules (every Device
// backend and the simulator check paths with it). Each rule, its message, and
// the '.' flag.
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

}  // namespace
}  // namespace kvlab
