// A RocksDB FileSystem wrapper that counts every byte RocksDB reads and writes
// (WAL, SSTs from flush and compaction, MANIFEST, info LOG) into a
// PeerIoCounters, split by file kind. It is how the `rocksdb` peer's device
// bytes are measured at the same layer as kvlab's CountingDevice, so write
// amplification compares like for like.
#ifndef KVLAB_EXPERIMENTS_PEERS_ROCKSDB_COUNTING_FS_H_
#define KVLAB_EXPERIMENTS_PEERS_ROCKSDB_COUNTING_FS_H_

#include <memory>

#include "experiments/peers/peer_support.h"
#include "rocksdb/file_system.h"

namespace kvlab::peers {

// Wraps `target` (RocksDB's default FileSystem); `counters` must outlive the
// returned FileSystem and every file it opens.
std::shared_ptr<rocksdb::FileSystem> NewCountingFileSystem(
    std::shared_ptr<rocksdb::FileSystem> target, PeerIoCounters* counters);

}  // namespace kvlab::peers

#endif  // KVLAB_EXPERIMENTS_PEERS_ROCKSDB_COUNTING_FS_H_
