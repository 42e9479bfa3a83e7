// The `rocksdb` peer engine: Debian's RocksDB 7.8 behind the KvStore API, so a
// researcher compares kvlab's engines against it in the same run. Real devices
// only (it does its own I/O in Device::host_root()/path); see peer_support.h.
#ifndef KVLAB_EXPERIMENTS_PEERS_ROCKSDB_STORE_H_
#define KVLAB_EXPERIMENTS_PEERS_ROCKSDB_STORE_H_

#include "engine/engine_config.h"

namespace kvlab::peers {

// Name "rocksdb", its options (write_buffer_size, block_cache_size,
// bloom_bits_per_key, compression, max_background_jobs, sync, disable_wal,
// level-0 triggers, ...) and its factory.
EngineDescriptor RocksDbDescriptor();

}  // namespace kvlab::peers

#endif  // KVLAB_EXPERIMENTS_PEERS_ROCKSDB_STORE_H_
