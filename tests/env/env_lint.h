// The Env lint: finds code under engine/ (outside engine/env/) that reaches the
// OS directly instead of through the Env: threads, clocks, sleeps, file
// syscalls, io_uring, and unseeded randomness (ARCHITECTURE.md, "Env: the only
// way out of an engine").
//
// Comments and string literals are blanked before matching, so prose that
// names a forbidden call is fine.
#ifndef KVLAB_TESTS_ENV_ENV_LINT_H_
#define KVLAB_TESTS_ENV_ENV_LINT_H_

#include <string>
#include <string_view>
#include <vector>

namespace kvlab::lint {

struct Hit {
  std::string file;  // As given to ScanSource, or relative to the scanned root.
  int line = 0;      // 1-based.
  std::string rule;  // What is forbidden, e.g. "std::thread".
  std::string text;  // The offending source line, trimmed.
};

// "file:line: rule: text".
std::string Format(const Hit& hit);

// `source` with comments and the contents of string and character literals
// replaced by spaces; newlines are kept, so line numbers still match.
std::string StripCommentsAndStrings(std::string_view source);

// The hits in one file's contents.
std::vector<Hit> ScanSource(std::string_view file, std::string_view source);

// Scans every *.h, *.cc, *.hpp, *.cpp under <root>/engine, at any depth, except
// <root>/engine/env/. `scanned` (optional) receives the relative paths read.
std::vector<Hit> ScanTree(const std::string& root, std::vector<std::string>* scanned = nullptr);

}  // namespace kvlab::lint

#endif  // KVLAB_TESTS_ENV_ENV_LINT_H_
