// Registers the peer engines (`rocksdb`, `leveldb`) in an EngineRegistry. The
// runner / CLI calls this beside RegisterBuiltinEngines: peers live in
// experiments/, not engine/, because they do their own I/O outside the Env.
#ifndef KVLAB_EXPERIMENTS_PEERS_PEERS_H_
#define KVLAB_EXPERIMENTS_PEERS_PEERS_H_

#include "engine/engine_config.h"

namespace kvlab {

// Registers every peer engine not yet in `registry` (calling it twice is fine).
void RegisterPeerEngines(EngineRegistry& registry);

}  // namespace kvlab

#endif  // KVLAB_EXPERIMENTS_PEERS_PEERS_H_
