// mmf tests — the portable part of the support library.
#include "support/test_support.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include <mmf/system.hpp>
#include "support/error_assertions.hpp"

namespace mmf_test {

std::uint64_t opened_capacity(std::uint64_t created) {
#ifdef _WIN32
  const std::uint64_t page = mmf::page_size();
  return (created + page - 1) / page * page;
#else
  return created;
#endif
}

std::uint64_t env_count(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v, &end, 10);
  return end != nullptr && *end == '\0' ? n : fallback;
}

std::string unique_name(std::string_view prefix) {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t seed = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }();
  std::mt19937_64 mix(seed ^ (counter.load() * 0x9e3779b97f4a7c15ULL));
  std::ostringstream out;
  out << prefix << '_' << detail::current_process_id() << '_' << counter.fetch_add(1) << '_'
      << std::hex << (mix() & 0xffffffffULL);
  return out.str();
}

temp_dir::temp_dir() : temp_dir(std::filesystem::temp_directory_path()) {}

temp_dir::temp_dir(const std::filesystem::path& base) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = base / unique_name("mmf_test_dir");
    std::error_code ec;
    if (std::filesystem::create_directory(candidate, ec)) {
      path_ = std::move(candidate);
      return;
    }
  }
  throw std::runtime_error("temp_dir: cannot create a directory in " + base.string());
}

temp_dir::~temp_dir() {
  if (path_.empty()) return;
  std::error_code ec;
  // Files made read-only by a test (chmod 0444) are still removable: the directory is writable.
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& file, std::string_view bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error("write_file: cannot write " + file.string());
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("read_file: cannot open " + file.string());
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return content;
}

int open_gate_and_count(mmf::named_event (&go)[2], int round, mmf::named_semaphore& done,
                        int waiters) {
  go[(round + 1) % 2].reset();
  go[round % 2].set();
  int woken = 0;
  for (int i = 0; i < waiters; ++i)
    if (done.try_acquire_for(10s)) ++woken;
  return woken;
}

std::thread run_after(std::chrono::milliseconds delay, std::function<void()> action) {
  return std::thread([delay, action = std::move(action)] {
    std::this_thread::sleep_for(delay);
    action();
  });
}

bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return predicate();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::filesystem::path helper_path() {
  if (const char* env = std::getenv("MMF_TEST_HELPER"); env && *env) return env;
#ifdef MMF_TEST_HELPER
  return MMF_TEST_HELPER;
#else
  throw std::runtime_error("helper_path: MMF_TEST_HELPER is not defined");
#endif
}

std::string errc_name(std::errc e) {
  const auto ec = std::make_error_code(e);
  return ec.message() + " (" + std::to_string(ec.value()) + ")";
}

std::string describe(const std::error_code& ec) {
  return ec.message() + " (" + ec.category().name() + ":" + std::to_string(ec.value()) + ")";
}

}  // namespace mmf_test
