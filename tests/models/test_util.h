// Helpers shared by the models and memory-engine tests.
#ifndef KVLAB_TESTS_MODELS_TEST_UTIL_H_
#define KVLAB_TESTS_MODELS_TEST_UTIL_H_

#include <cstdlib>
#include <string>
#include <vector>

#include "engine/kv_store.h"
#include "rapidcheck.h"

namespace kvlab::testing {

// KVLAB_SCALE (default 1): multiplies property-test budgets.
inline int Scale() {
  const char* s = std::getenv("KVLAB_SCALE");
  int v = s == nullptr ? 1 : std::atoi(s);
  return v < 1 ? 1 : v;
}

// A uniform integer in [lo, hi) inside a RapidCheck property. Unlike a bare
// rc::gen::inRange it does not shrink its range with the test's size, so the
// early (small) runs draw every choice too.
template <typename T>
T Pick(T lo, T hi) {
  return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange<T>(lo, hi));
}

template <typename T>
const T& PickFrom(const std::vector<T>& v) {
  return v[Pick<size_t>(0, v.size())];
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
