// The `leveldb` peer engine: Debian's LevelDB 1.23 behind the KvStore API.
// Real devices only (it does its own I/O in Device::host_root()/path); see
// peer_support.h.
#ifndef KVLAB_EXPERIMENTS_PEERS_LEVELDB_STORE_H_
#define KVLAB_EXPERIMENTS_PEERS_LEVELDB_STORE_H_

#include "engine/engine_config.h"

namespace kvlab::peers {

// Name "leveldb", its options (write_buffer_size, block_cache_size,
// bloom_bits_per_key, compression, block_size, max_open_files, sync, ...) and
// its factory.
EngineDescriptor LevelDbDescriptor();

}  // namespace kvlab::peers

#endif  // KVLAB_EXPERIMENTS_PEERS_LEVELDB_STORE_H_
