// The `memory` engine: a KvStore held entirely in RAM.
//
// It is the experiment runner's harness-overhead baseline (what a workload
// costs with no storage underneath) and a test double for code that needs a
// KvStore. Nothing survives Close or a crash (Durability::kNone); the path is
// ignored and the Env's device is never touched.
//
// Options:
//   ordered (bool, default true): keep the data in an absl::btree_map, with
//     iterators, scans and snapshots; false: an absl::flat_hash_map (faster
//     point operations), and the ordered calls return Unimplemented.
//
// Snapshots are versioned, not copied: with live snapshots every write keeps
// the overwritten version (tagged with its sequence number) until no
// snapshot can see it. Threading: every call takes one absl::Mutex (never
// held across a wait), so the store may be called from many threads.
#ifndef KVLAB_ENGINE_MEMORY_MEMORY_STORE_H_
#define KVLAB_ENGINE_MEMORY_MEMORY_STORE_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/engine_config.h"
#include "engine/kv_store.h"

namespace kvlab::memory {

struct MemoryOptions {
  bool ordered = true;
};

// Opens a new, empty store.
std::unique_ptr<KvStore> NewMemoryStore(const MemoryOptions& options);

// The registry entry: name "memory", its options and factory.
EngineDescriptor Descriptor();

}  // namespace kvlab::memory

#endif  // KVLAB_ENGINE_MEMORY_MEMORY_STORE_H_
