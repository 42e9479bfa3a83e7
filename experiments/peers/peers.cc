// RegisterPeerEngines: one line per peer engine.
#include "experiments/peers/peers.h"

#include "engine/common/check.h"
#include "experiments/peers/leveldb_store.h"
#include "experiments/peers/rocksdb_store.h"

namespace kvlab {

void RegisterPeerEngines(EngineRegistry& registry) {
  if (registry.Find("rocksdb") == nullptr) {
    KVLAB_CHECK(registry.Register(peers::RocksDbDescriptor()).ok());
  }
  if (registry.Find("leveldb") == nullptr) {
    KVLAB_CHECK(registry.Register(peers::LevelDbDescriptor()).ok());
  }
}

}  // namespace kvlab
