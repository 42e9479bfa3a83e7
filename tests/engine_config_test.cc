// EngineConfig validation: unknown options and bad values are named.
#include "engine/engine_config.h"

#include "gtest/gtest.h"

namespace kvlab {
namespace {

EngineRegistry MakeRegistry() {
  EngineRegistry registry;
  EngineDescriptor d;
  d.name = "toy";
  d.options = {{"max_file_size", OptionType::kBytes, "64MiB", "roll over size"},
               {"sync_on_put", OptionType::kBool, "false", "sync every put"},
               {"ratio", OptionType::kDouble, "0.5", "a ratio"}};
  d.factory = [](const Env&, std::string_view, const EngineOptions&)
      -> absl::StatusOr<std::unique_ptr<KvStore>> { return absl::UnimplementedError("toy"); };
  EXPECT_TRUE(registry.Register(d).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(registry.Register(d)));
  return registry;
}

TEST(EngineConfig, DefaultsAndTypedValues) {
  EngineRegistry registry = MakeRegistry();
  auto options = registry.Validate({"toy", {{"max_file_size", "1KiB"}, {"ratio", "0.25"}}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(1024, options->GetInt("max_file_size"));
  EXPECT_FALSE(options->GetBool("sync_on_put"));
  EXPECT_DOUBLE_EQ(0.25, options->GetDouble("ratio"));
}

TEST(EngineConfig, UnknownOptionIsNamedWithSuggestionAndList) {
  EngineRegistry registry = MakeRegistry();
  auto options = registry.Validate({"toy", {{"max_file_sise", "1"}}});
  ASSERT_TRUE(absl::IsInvalidArgument(options.status()));
  std::string msg(options.status().message());
  EXPECT_NE(std::string::npos, msg.find("'max_file_sise'")) << msg;
  EXPECT_NE(std::string::npos, msg.find("did you mean 'max_file_size'")) << msg;
  EXPECT_NE(std::string::npos, msg.find("sync_on_put")) << msg;
}

TEST(EngineConfig, BadValueAndUnknownEngine) {
  EngineRegistry registry = MakeRegistry();
  auto bad = registry.Validate({"toy", {{"sync_on_put", "maybe"}}});
  ASSERT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_NE(std::string::npos, std::string(bad.status().message()).find("sync_on_put"));
  auto unknown = registry.Validate({"tyo", {}});
  ASSERT_TRUE(absl::IsInvalidArgument(unknown.status()));
  EXPECT_NE(std::string::npos, std::string(unknown.status().message()).find("did you mean 'toy'"));
}

TEST(EngineConfig, ParseBytes) {
  EXPECT_EQ(4096, *ParseBytes("4096"));
  EXPECT_EQ(64 << 10, *ParseBytes("64KiB"));
  EXPECT_EQ(int64_t{3} << 29, *ParseBytes("1.5GiB"));
  EXPECT_FALSE(ParseBytes("12 parsecs").ok());
  EXPECT_FALSE(ParseBytes("").ok());
}

}  // namespace
}  // namespace kvlab
