// mmf — message_queue on POSIX: the object file (its own namespace, owner-only), what
// list_objects and remove_stale_objects make of it, its lifetime after SIGKILL of every holder,
// and a stale foreign file under its name.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // as the library: the syscall seam's off_t must match
#endif

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "reliability/scenarios.hpp"
#include "support/error_assertions.hpp"

namespace {

using mmf::message_queue;
using mmf_rel::exists_no_follow;
using mmf_rel::object_path;

std::span<const std::byte> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

const mmf::object_info* find(const std::vector<mmf::object_info>& list, const std::string& name) {
  for (const auto& o : list)
    if (o.name == name && o.kind == mmf::object_kind::queue) return &o;
  return nullptr;
}

TEST(PosixQueue, ItsOwnNamespaceAndAnOwnerOnlyFile) {
  mmf_rel::private_shm_dir dir;
  const auto name = mmf_test::unique_name("pq");
  auto q = message_queue::create_new(name, 4, 100);
  const auto path = object_path("queue", name);
  struct ::stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  // A map, a mutex and a queue of the same name are different objects.
  auto map = mmf::memory_mapped_file::create_new(name, 4096);
  auto m = mmf::named_mutex::create_or_open(name);
  EXPECT_TRUE(message_queue::open_existing(name));
  EXPECT_EQ(mmf::to_string(mmf::object_kind::queue), "queue");
}

TEST(PosixQueue, ListedWithItsDepthAndSweptWhenStale) {
  mmf_rel::private_shm_dir dir;
  const auto name = mmf_test::unique_name("pq");
  {
    auto q = message_queue::create_new(name, 4, 100);
    q.send(bytes_of("a"));
    q.send(bytes_of("b"));
    const auto list = mmf::list_objects();
    const auto* info = find(list, name);
    ASSERT_NE(info, nullptr);
    EXPECT_TRUE(info->live);
    EXPECT_EQ(info->queue_depth, 2u);
    EXPECT_GT(info->size, 4u * 100u);
    EXPECT_EQ(info->holders, 1);
    EXPECT_TRUE(mmf::remove_stale_objects().empty() ||
                find(mmf::remove_stale_objects(), name) == nullptr);
    EXPECT_TRUE(exists_no_follow(object_path("queue", name)));
  }
  EXPECT_FALSE(exists_no_follow(object_path("queue", name))) << "gone with its last handle";

  // Every holder killed: the file stays, stale; list_objects shows it so, and the sweep removes it.
  mmf_test::child_process holder = mmf_test::spawn_helper({"queue_hold", name, "2", "8"});
  ASSERT_EQ(holder.read_line(), std::optional<std::string>("created"));
  holder.kill();
  ASSERT_TRUE(exists_no_follow(object_path("queue", name)));
  const auto list = mmf::list_objects();
  const auto* info = find(list, name);
  ASSERT_NE(info, nullptr);
  EXPECT_FALSE(info->live);
  const auto removed = mmf::remove_stale_objects();
  EXPECT_NE(find(removed, name), nullptr);
  EXPECT_FALSE(exists_no_follow(object_path("queue", name)));
}

TEST(PosixQueue, GoneAfterSigkillOfEveryHolder) {
  mmf_rel::private_shm_dir dir;
  const auto name = mmf_test::unique_name("pq");
  for (int round = 0; round < 3; ++round) {
    mmf_test::child_process a = mmf_test::spawn_helper({"queue_hold", name, "2", "8"});
    ASSERT_EQ(a.read_line(), std::optional<std::string>("created"));
    mmf_test::child_process b = mmf_test::spawn_helper({"queue_hold", name, "5", "9"});
    ASSERT_EQ(b.read_line(), std::optional<std::string>("opened"));
    a.kill();
    b.kill();
    EXPECT_MMF_ERROR(message_queue::open_existing(name), std::errc::no_such_file_or_directory);
    EXPECT_FALSE(exists_no_follow(object_path("queue", name)))
        << "open_existing reclaims a dead queue's file";
  }
}

TEST(PosixQueue, AStaleForeignFileUnderItsNameIsReplaced) {
  mmf_rel::private_shm_dir dir;
  const auto name = mmf_test::unique_name("pq");
  const auto path = object_path("queue", name);
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(4096, 'x');
  }
  ::chmod(path.c_str(), 0600);
  // Nobody holds it: stale, so it is replaced rather than refused.
  auto q = message_queue::create_new(name, 2, 8);
  EXPECT_EQ(q.max_messages(), 2u);
  q = message_queue();
  EXPECT_FALSE(exists_no_follow(path));
}

}  // namespace
