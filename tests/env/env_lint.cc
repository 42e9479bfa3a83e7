// The Env lint scanner: a comment/string stripper and one regex per rule.
#include "tests/env/env_lint.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace kvlab::lint {
namespace {

struct Rule {
  const char* name;
  std::regex pattern;
};

const std::vector<Rule>& Rules() {
  static const std::vector<Rule>* rules = new std::vector<Rule>{
      {"std::thread / std::jthread (use Env::executor)", std::regex(R"(\bstd::j?thread\b)")},
      {"this_thread::sleep (use Env::clock)", std::regex(R"(\bthis_thread::sleep)")},
      {"std::chrono clock (use Env::clock)",
       std::regex(R"(\b(steady|system|high_resolution|utc|tai|gps|file)_clock\b)")},
      {"gettimeofday / clock_gettime (use Env::clock)",
       std::regex(R"(\b(gettimeofday|clock_gettime)\b)")},
      {"open() family (use Env::device)",
       std::regex(R"((^|[^\w.>])(::)?(open|openat|fopen|creat)\s*\()")},
      {"pread / pwrite (use File)", std::regex(R"(\b(pread|pwrite|preadv|pwritev)(64)?\s*\()")},
      {"fsync / fdatasync (use File::Sync, Device::SyncDir)",
       std::regex(R"(\b(fsync|fdatasync|sync_file_range)\s*\()")},
      {"::close( (files belong to the Device)", std::regex(R"(::close\s*\()")},
      {"std::random_device (use Env::random)", std::regex(R"(\bstd::random_device\b)")},
      {"rand() / srand() (use Env::random)", std::regex(R"((^|[^\w.>])(std::|::)?s?rand\s*\()")},
      {"io_uring (only engine/env/ talks to the kernel)", std::regex(R"(\bio_uring_|liburing)")},
  };
  return *rules;
}

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::string Format(const Hit& hit) {
  return hit.file + ":" + std::to_string(hit.line) + ": " + hit.rule + ": " + hit.text;
}

std::string StripCommentsAndStrings(std::string_view src) {
  std::string out(src);
  size_t i = 0;
  auto blank = [&](size_t from, size_t to) {
    for (size_t k = from; k < to && k < out.size(); ++k) {
      if (out[k] != '\n') out[k] = ' ';
    }
  };
  while (i < src.size()) {
    if (src.compare(i, 2, "//") == 0) {
      const size_t end = src.find('\n', i);
      const size_t stop = end == std::string_view::npos ? src.size() : end;
      blank(i, stop);
      i = stop;
    } else if (src.compare(i, 2, "/*") == 0) {
      const size_t end = src.find("*/", i + 2);
      const size_t stop = end == std::string_view::npos ? src.size() : end + 2;
      blank(i, stop);
      i = stop;
    } else if (src[i] == 'R' && i + 1 < src.size() && src[i + 1] == '"' &&
               (i == 0 || !(std::isalnum(static_cast<unsigned char>(src[i - 1])) ||
                            src[i - 1] == '_'))) {
      // Raw string R"delim( ... )delim".
      const size_t paren = src.find('(', i + 2);
      if (paren == std::string_view::npos) break;
      const std::string close = ")" + std::string(src.substr(i + 2, paren - i - 2)) + "\"";
      const size_t end = src.find(close, paren);
      const size_t stop = end == std::string_view::npos ? src.size() : end + close.size();
      blank(i + 2, stop - 1);
      i = stop;
    } else if (src[i] == '"' || src[i] == '\'') {
      const char quote = src[i];
      size_t k = i + 1;
      while (k < src.size() && src[k] != quote && src[k] != '\n') k += src[k] == '\\' ? 2 : 1;
      blank(i + 1, k);
      i = k + 1;
    } else {
      ++i;
    }
  }
  return out;
}

std::vector<Hit> ScanSource(std::string_view file, std::string_view source) {
  std::vector<Hit> hits;
  const std::string code = StripCommentsAndStrings(source);
  std::istringstream code_lines(code);
  std::istringstream raw_lines{std::string(source)};
  std::string line, raw;
  int number = 0;
  while (std::getline(code_lines, line)) {
    std::getline(raw_lines, raw);
    ++number;
    for (const Rule& rule : Rules()) {
      if (std::regex_search(line, rule.pattern)) {
        hits.push_back(Hit{std::string(file), number, rule.name, Trim(raw)});
      }
    }
  }
  return hits;
}

std::vector<Hit> ScanTree(const std::string& root, std::vector<std::string>* scanned) {
  namespace fs = std::filesystem;
  const fs::path base = fs::path(root);
  const fs::path engine = base / "engine";
  const fs::path env = engine / "env";
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(engine);
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path() == env) {
      it.disable_recursion_pending();
      continue;
    }
    const std::string ext = it->path().extension().string();
    if (it->is_regular_file() && (ext == ".h" || ext == ".cc" || ext == ".hpp" || ext == ".cpp")) {
      files.push_back(fs::relative(it->path(), base).string());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<Hit> hits;
  for (const std::string& file : files) {
    std::ifstream in(base / file, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    std::vector<Hit> found = ScanSource(file, contents.str());
    hits.insert(hits.end(), found.begin(), found.end());
  }
  if (scanned != nullptr) *scanned = std::move(files);
  return hits;
}

}  // namespace kvlab::lint
