// Helpers shared by the models and memory-engine tests.
#ifndef KVLAB_TESTS_MODELS_TEST_UTIL_H_
#define KVLAB_TESTS_MODELS_TEST_UTIL_H_

#include <cstdlib>
#include <string>

#include "engine/kv_store.h"

namespace kvlab::testing {

// KVLAB_SCALE (default 1): multiplies property-test budgets.
inline int Scale() {
  const char* s = std::getenv("KVLAB_SCALE");
  int v = s == nullptr ? 1 : std::atoi(s);
  return v < 1 ? 1 : v;
}

inline WriteBatch PutOp(const std::string& key, const std::string& value) {
  WriteBatch b;
  b.Put(key, value);
  return b;
}

inline WriteBatch DeleteOp(const std::string& key) {
  WriteBatch b;
  b.Delete(key);
  return b;
}

}  // namespace kvlab::testing

#endif  // KVLAB_TESTS_MODELS_TEST_UTIL_H_
