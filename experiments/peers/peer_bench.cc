// peer_bench: db_bench's fillrandom + readrandom driven straight through a
// peer's KvStore adapter (no runner): isolates the adapter's cost from the
// runner's when compare_db_bench.sh compares against RocksDB's db_bench.
// Same key scheme as db_bench (8-byte big-endian key number, '0'-padded to
// --key_size; numbers drawn uniformly with replacement) and db_bench's values
// (100 B pieces that compress to about half, handed out in turn). A benchmark:
// prints ops/s per phase.
//
// usage: peer_bench --engine rocksdb --dir DIR [--num N] [--value_size 100]
//                   [--key_size 16] [--set option=value ...]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "engine/engine_config.h"
#include "engine/env/real_env.h"
#include "experiments/peers/peers.h"

namespace {

std::string DbBenchKey(uint64_t n, size_t size) {
  std::string key(std::max<size_t>(size, 8), '0');
  for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(n >> (56 - 8 * i));
  return key;
}

// db_bench's RandomGenerator: 1 MiB of 100-byte CompressibleString pieces (ratio 0.5: 50
// random printable bytes, repeated), values taken one after another from it.
std::string CompressibleData(kvlab::Random& random, size_t size) {
  std::string data;
  while (data.size() < size) {
    std::string raw(50, ' ');
    for (char& c : raw) c = static_cast<char>(' ' + random.Uniform(95));
    data += raw;
    data += raw;
  }
  return data;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  kvlab::EngineConfig config{"rocksdb", {}};
  std::string dir;
  uint64_t num = 1000000;
  size_t value_size = 100, key_size = 16;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--engine") config.name = value;
    else if (flag == "--dir") dir = value;
    else if (flag == "--num") num = std::stoull(value);
    else if (flag == "--value_size") value_size = std::stoul(value);
    else if (flag == "--key_size") key_size = std::stoul(value);
    else if (flag == "--set" && value.find('=') != std::string::npos) {
      config.options[value.substr(0, value.find('='))] = value.substr(value.find('=') + 1);
    } else {
      std::fprintf(stderr, "peer_bench: unknown flag '%s'\n", flag.c_str());
      return 2;
    }
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: peer_bench --engine rocksdb --dir DIR [--num N] ...\n");
    return 2;
  }
  kvlab::EngineRegistry registry;  // Peers only: no need for the built-in engines.
  kvlab::RegisterPeerEngines(registry);
  auto real = kvlab::RealEnv::Open("posix", dir);
  if (!real.ok()) {
    std::fprintf(stderr, "peer_bench: %s\n", real.status().ToString().c_str());
    return 1;
  }
  auto store = registry.Open(config, (*real)->env(), "db");
  if (!store.ok()) {
    std::fprintf(stderr, "peer_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  kvlab::Random random(42);
  const std::string data = CompressibleData(random, 1 << 20);
  size_t pos = 0;
  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < num; ++i) {
    if (pos + value_size > data.size()) pos = 0;
    std::string_view value(data.data() + pos, value_size);
    pos += value_size;
    if (!(*store)->Put({}, DbBenchKey(random.Uniform(num), key_size), value).ok()) return 1;
  }
  const double fill_s = Seconds(start);
  uint64_t found = 0;
  start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < num; ++i) {
    found += (*store)->Get({}, DbBenchKey(random.Uniform(num), key_size)).ok() ? 1 : 0;
  }
  const double read_s = Seconds(start);
  std::printf("fillrandom   : %.0f ops/sec (%.3f micros/op)\n", num / fill_s, fill_s * 1e6 / num);
  std::printf("readrandom   : %.0f ops/sec (%.3f micros/op) (%llu of %llu found)\n", num / read_s,
              read_s * 1e6 / num, static_cast<unsigned long long>(found),
              static_cast<unsigned long long>(num));
  return (*store)->Close().ok() ? 0 : 1;
}
