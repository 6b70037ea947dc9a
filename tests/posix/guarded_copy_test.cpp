// mmf — guarded copies over a persisted view whose file another process shrinks (POSIX, where
// touching a page past the end of a mapped file raises SIGBUS): copy_to / copy_from give io_error
// with every byte before the first vanished page copied, the process lives, racing copies never
// crash (also from several threads), and a SIGBUS outside a guarded copy still reaches the
// program's own handler or the default action (in a helper process, so this one stays safe).
#include <atomic>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <iostream>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"

namespace {

using mmf::file_mode;
using mmf::memory_mapped_file;

class GuardedCopyFault : public ::testing::Test {
 protected:
  void resize_by_another_process(std::uint64_t size) {
    auto child = mmf_test::spawn_helper({"file_resize", path_.string(), std::to_string(size)});
    EXPECT_EQ(child.read_line(), "ok");
    ASSERT_EQ(child.wait(), 0);
  }

  mmf_test::temp_dir dir_;
  std::filesystem::path path_ = dir_ / "shrinking.bin";
  std::size_t page_ = mmf::page_size();
};

TEST_F(GuardedCopyFault, CopyToStopsAtTheFirstVanishedPage) {
  const std::uint64_t size = 40 * page_;  // several 64 KiB chunks
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, size);
  auto view = map.create_view_accessor();
  std::vector<std::byte> fill(size, std::byte{0x77});
  ASSERT_EQ(view.copy_from(0, fill), size);

  // The page holding the new end of file still exists (its tail reads as zeros): 18 pages left.
  resize_by_another_process(17 * page_ + 10);
  std::vector<std::byte> out(size, std::byte{0});
  std::error_code ec;
  EXPECT_EQ(view.copy_to(0, out, ec), 18 * page_);
  EXPECT_EQ(ec, std::errc::io_error);
  for (std::size_t i = 0; i < 17 * page_ + 10; ++i)
    ASSERT_EQ(out[i], std::byte{0x77}) << i;
  // From a position inside the view, not page-aligned.
  EXPECT_EQ(view.copy_to(page_ + 3, std::span(out).first(20 * page_), ec), 17 * page_ - 3);
  EXPECT_EQ(ec, std::errc::io_error);
  // Wholly inside the remaining pages: fine.
  EXPECT_EQ(view.copy_to(5, std::span(out).first(page_), ec), page_);
  EXPECT_FALSE(ec);
  // The throwing form.
  const std::string what = MMF_ERROR_WHAT(view.copy_to(0, std::span(out)), std::errc::io_error);
  EXPECT_NE(what.find("view_accessor::copy_to"), std::string::npos) << what;
  EXPECT_NE(what.find(std::to_string(18 * page_) + " of"), std::string::npos) << what;

  // Shrunk to nothing: the very first page is gone.
  resize_by_another_process(0);
  EXPECT_EQ(view.copy_to(0, out, ec), 0u);
  EXPECT_EQ(ec, std::errc::io_error);
  EXPECT_EQ(view.copy_to(size - 1, std::span(out).first(1), ec), 0u);
  EXPECT_EQ(ec, std::errc::io_error);
}

TEST_F(GuardedCopyFault, CopyFromStopsAtTheFirstVanishedPage) {
  const std::uint64_t size = 40 * page_;
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, size);
  auto view = map.create_view_accessor();
  resize_by_another_process(5 * page_);
  const std::vector<std::byte> in(size, std::byte{0x42});
  std::error_code ec;
  EXPECT_EQ(view.copy_from(page_, std::span(in).first(size - page_), ec), 4 * page_);
  EXPECT_EQ(ec, std::errc::io_error);
  std::vector<std::byte> back(4 * page_);
  EXPECT_EQ(view.copy_to(page_, back, ec), 4 * page_);
  EXPECT_FALSE(ec);
  EXPECT_EQ(back, std::vector<std::byte>(4 * page_, std::byte{0x42}));
  EXPECT_MMF_ERROR(view.copy_from(0, std::span<const std::byte>(in)), std::errc::io_error);
  resize_by_another_process(0);
  EXPECT_EQ(view.copy_from(0, in, ec), 0u);
  EXPECT_EQ(ec, std::errc::io_error);
}

// 10,000 copies each way while another process shrinks the file to 0 and grows it back without a
// pause: every copy either succeeds or gives io_error with a count inside the copy; none crashes.
TEST_F(GuardedCopyFault, TenThousandCopiesRacingATruncatingProcess) {
  const std::uint64_t size = 4 * page_;
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, size);
  auto view = map.create_view_accessor();
  auto flapper = mmf_test::spawn_helper({"file_flap", path_.string(), std::to_string(size)});
  ASSERT_EQ(flapper.read_line(), "ready");
  std::vector<std::byte> buf(size);
  int ok = 0, faulted = 0, other = 0;
  for (int i = 0; i < 10000; ++i) {
    std::error_code ec;
    const std::size_t n = (i % 2 == 0) ? view.copy_to(0, buf, ec)
                                       : view.copy_from(0, std::span<const std::byte>(buf), ec);
    if (!ec && n == size)
      ++ok;
    else if (ec == std::errc::io_error && n < size && n % page_ == 0)
      ++faulted;
    else
      ++other;
  }
  flapper.kill();
  EXPECT_EQ(other, 0);
  EXPECT_EQ(ok + faulted, 10000);
  std::cout << "racing copies: " << ok << " whole, " << faulted << " io_error\n";
}

// Several threads copy while the file flaps: each thread's faults are its own.
TEST_F(GuardedCopyFault, ThreadsCopyWhileFaultsHappen) {
  const std::uint64_t size = 8 * page_;
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, size);
  auto view = map.create_view_accessor();
  auto flapper = mmf_test::spawn_helper({"file_flap", path_.string(), std::to_string(size)});
  ASSERT_EQ(flapper.read_line(), "ready");
  std::atomic<int> bad{0}, faults{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::byte> buf(size / 2);
      const std::uint64_t position = (t % 2) * (size / 2);
      for (int i = 0; i < 2000; ++i) {
        std::error_code ec;
        const std::size_t n = (t < 2)
                                  ? view.copy_to(position, buf, ec)
                                  : view.copy_from(position, std::span<const std::byte>(buf), ec);
        if (ec == std::errc::io_error)
          faults.fetch_add(1);
        else if (ec || n != buf.size())
          bad.fetch_add(1);
      }
    });
  }
  for (auto& th : threads)
    th.join();
  flapper.kill();
  EXPECT_EQ(bad.load(), 0);
  std::cout << "threaded copies: " << faults.load() << " io_error of 8000\n";
}

// In a helper process: a guarded copy reports io_error, then a plain read of a vanished page
// goes to the handler the program installed before, or (without one) kills the process by SIGBUS.
TEST_F(GuardedCopyFault, SigbusOutsideAGuardedCopyReachesTheProgramsHandler) {
  auto child = mmf_test::spawn_helper({"guard_chain", path_.string(), "own"});
  EXPECT_EQ(child.read_line(), "copied " + std::to_string(page_) + " io_error");
  EXPECT_EQ(child.read_line(), "own handler");
  EXPECT_EQ(child.wait(), 42);
}

TEST_F(GuardedCopyFault, SigbusOutsideAGuardedCopyKeepsTheDefaultAction) {
  auto child = mmf_test::spawn_helper({"guard_chain", path_.string(), "none"});
  EXPECT_EQ(child.read_line(), "copied " + std::to_string(page_) + " io_error");
  EXPECT_EQ(child.read_line(), std::nullopt);  // never "survived"
  EXPECT_EQ(child.wait(), -SIGBUS);
}

}  // namespace
