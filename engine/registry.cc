// The engines built into kvlab. Adding an engine is one line here (and one
// dependency in engine/BUILD.bazel).
#include "engine/bitcask/bitcask.h"
#include "engine/common/check.h"
#include "engine/engine_config.h"
#include "engine/memory/memory_store.h"

namespace kvlab {

void RegisterBuiltinEngines(EngineRegistry& registry) {
  (void)registry;
  KVLAB_CHECK(registry.Register(memory::Descriptor()).ok());
  KVLAB_CHECK(registry.Register(bitcask::Descriptor()).ok());
  // Engines register here, e.g.:
  //   KVLAB_CHECK(registry.Register(bitcask::Descriptor()).ok());
}

EngineRegistry& EngineRegistry::Default() {
  static EngineRegistry* registry = [] {
    auto* r = new EngineRegistry();
    RegisterBuiltinEngines(*r);
    return r;
  }();
  return *registry;
}

}  // namespace kvlab
