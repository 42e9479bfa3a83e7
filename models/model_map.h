// What HashMapModel and OrderedModel share: applying a write batch through
// their Put and Delete. Internal to models/.
#ifndef KVLAB_MODELS_MODEL_MAP_H_
#define KVLAB_MODELS_MODEL_MAP_H_

#include "engine/kv_store.h"

namespace kvlab::models {

// Applies the batch's ops to `model` (its Put and Delete), in order.
template <typename Model>
void ApplyBatch(Model& model, const WriteBatch& batch) {
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.type == WriteBatch::OpType::kPut) {
      model.Put(op.key, op.value);
    } else {
      model.Delete(op.key);
    }
  }
}

}  // namespace kvlab::models

#endif  // KVLAB_MODELS_MODEL_MAP_H_
