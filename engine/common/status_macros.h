// Status propagation helpers. Abseil 20220623 (Debian 12) ships no public
// status macros, so kvlab has its own two.
#ifndef KVLAB_ENGINE_COMMON_STATUS_MACROS_H_
#define KVLAB_ENGINE_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include <string_view>

namespace kvlab {
// Debian's Abseil is built with its own absl::string_view (not std's), so a
// std::string_view does not convert to absl::StrCat's AlphaNum. Wrap it: AV(sv).
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
}  // namespace kvlab

#define KVLAB_CONCAT_INNER_(a, b) a##b
#define KVLAB_CONCAT_(a, b) KVLAB_CONCAT_INNER_(a, b)

// RETURN_IF_ERROR(expr): returns the status of `expr` from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr)                   \
  do {                                          \
    ::absl::Status kvlab_status_ = (expr);      \
    if (!kvlab_status_.ok()) return kvlab_status_; \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr): evaluates the StatusOr `expr`; on error returns
// its status, else moves the value into `lhs` (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, expr) \
  KVLAB_ASSIGN_OR_RETURN_IMPL_(KVLAB_CONCAT_(kvlab_statusor_, __LINE__), lhs, expr)
#define KVLAB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();     \
  lhs = std::move(tmp).value()

#endif  // KVLAB_ENGINE_COMMON_STATUS_MACROS_H_
