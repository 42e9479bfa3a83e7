// Bitcask's engine options: the descriptor the engine registry lists (names,
// types, defaults, help), their conversion to Options, and their checks.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/bitcask/bitcask.h"
#include "engine/bitcask/format.h"
#include "engine/common/status_macros.h"

namespace kvlab::bitcask {

EngineDescriptor Descriptor() {
  EngineDescriptor d;
  d.name = "bitcask";
  d.summary = "log-structured hash table (Bitcask paper): one device read per Get, merge";
  d.options = {
      {"max_file_size", OptionType::kBytes, "64MiB", "the active data file rolls over past this"},
      {"sync", OptionType::kBool, "false", "sync every write before acknowledging it"},
      {"max_open_files", OptionType::kInt, "64", "read handles of data files kept open"},
      {"merge_trigger_dead_ratio", OptionType::kDouble, "0",
       "merge in the background when dead/total bytes of immutable files reach this (0 = off)"},
      {"max_value_size", OptionType::kBytes, "64MiB", "larger values are rejected"},
      {"write_buffer_size", OptionType::kBytes, "1MiB",
       "records wait in memory until this many bytes (or Sync, roll-over, Close); 0 = none"},
      {"test_noop_sync", OptionType::kBool, "false",
       "TEST ONLY: Sync() does nothing; proves the crash oracle catches lost synced writes"},
  };
  d.factory = [](const Env& env, std::string_view path,
              const EngineOptions& options) -> absl::StatusOr<std::unique_ptr<KvStore>> {
    ASSIGN_OR_RETURN(std::unique_ptr<BitcaskStore> store,
                     BitcaskStore::Open(env, path, OptionsFrom(options)));
    return std::unique_ptr<KvStore>(std::move(store));
  };
  return d;
}

Options OptionsFrom(const EngineOptions& options) {
  Options o;
  o.max_file_size = static_cast<uint64_t>(std::max<int64_t>(0, options.GetInt("max_file_size")));
  o.sync = options.GetBool("sync");
  o.max_open_files = static_cast<size_t>(std::max<int64_t>(0, options.GetInt("max_open_files")));
  o.merge_trigger_dead_ratio = options.GetDouble("merge_trigger_dead_ratio");
  o.max_value_size = static_cast<uint64_t>(std::max<int64_t>(0, options.GetInt("max_value_size")));
  o.write_buffer_size =
      static_cast<uint64_t>(std::max<int64_t>(0, options.GetInt("write_buffer_size")));
  o.test_noop_sync = options.GetBool("test_noop_sync");
  return o;
}

absl::Status CheckOptions(const Options& o) {
  if (o.max_file_size < 1024) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bitcask option max_file_size = ", o.max_file_size, " is too small (minimum 1024)"));
  }
  if (o.max_open_files < 1) {
    return absl::InvalidArgumentError("bitcask option max_open_files must be at least 1");
  }
  if (o.max_value_size > kMaxValueSizeLimit) {
    return absl::InvalidArgumentError(absl::StrCat("bitcask option max_value_size = ",
                                                   o.max_value_size, " exceeds the format limit ",
                                                   kMaxValueSizeLimit));
  }
  if (o.write_buffer_size > (1ull << 30)) {
    return absl::InvalidArgumentError(absl::StrCat("bitcask option write_buffer_size = ",
                                                   o.write_buffer_size, " exceeds 1GiB"));
  }
  if (!(o.merge_trigger_dead_ratio >= 0 && o.merge_trigger_dead_ratio <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("bitcask option merge_trigger_dead_ratio = ",
                                                   o.merge_trigger_dead_ratio,
                                                   " is not in [0, 1]"));
  }
  return absl::OkStatus();
}

}  // namespace kvlab::bitcask
