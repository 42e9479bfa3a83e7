// The memory engine opens by name from the default registry.
#include <cstdlib>

#include "engine/common/check.h"
#include "engine/engine_config.h"
#include "engine/env/real_env.h"
#include "gtest/gtest.h"

namespace kvlab {
namespace {

// The memory engine ignores its Env, but the registry requires a whole one.
const Env& TestEnv() {
  static RealEnv* real = [] {
    const char* tmp = std::getenv("TEST_TMPDIR");
    auto env = RealEnv::Open("posix", std::string(tmp ? tmp : "/tmp") + "/memory_registry");
    KVLAB_CHECK(env.ok());
    return env->release();
  }();
  return real->env();
}

TEST(MemoryRegistry, OpensByNameWithOptions) {
  EngineConfig config{"memory", {{"ordered", "false"}}};
  auto db = EngineRegistry::Default().Open(config, TestEnv(), "ignored");
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_FALSE((*db)->GetCapabilities().ordered);
  ASSERT_TRUE((*db)->Put(WriteOptions(), "k", "v").ok());
  EXPECT_EQ(*(*db)->Get(ReadOptions(), "k"), "v");
  auto ordered = EngineRegistry::Default().Open(EngineConfig{"memory", {}}, TestEnv(), "");
  ASSERT_TRUE(ordered.ok());
  EXPECT_TRUE((*ordered)->GetCapabilities().ordered);  // The default.
}

TEST(MemoryRegistry, UnknownOptionIsNamed) {
  EngineConfig config{"memory", {{"orderd", "true"}}};
  auto db = EngineRegistry::Default().Open(config, TestEnv(), "");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("orderd"), std::string::npos) << db.status();
}

}  // namespace
}  // namespace kvlab
