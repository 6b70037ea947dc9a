// mmf example (g) — the job that queue_producer sends and queue_consumer checks: a number, a name
// and a checksum of both, so that a torn or mixed-up message would show.
#pragma once

#include <cstdint>
#include <cstdio>

namespace example {

inline constexpr std::uint32_t job_count = 1000;

struct job {
  std::uint32_t number;
  char name[24];
  std::uint32_t checksum;
};

inline std::uint32_t checksum_of(const job& j) {
  std::uint32_t h = 2166136261u ^ j.number;  // FNV-1a over the name, seeded with the number
  for (const char c : j.name) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

inline job make_job(std::uint32_t number) {
  job j{number, {}, 0};
  std::snprintf(j.name, sizeof j.name, "resize image %u", number);
  j.checksum = checksum_of(j);
  return j;
}

}  // namespace example
