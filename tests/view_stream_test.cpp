// mmf — view_stream: text and binary round trips, the one shared position, fixed length, seeking,
// read_as/write_as, 64-bit positions, bulk transfers, empty streams, access, flush().
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <ios>
#include <istream>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"

namespace {

using mmf::access;
using mmf::file_mode;
using mmf::map_options;
using mmf::memory_mapped_file;
using mmf::view_stream;

std::string text_of(const mmf::view_accessor& v, std::uint64_t pos, std::size_t n) {
  return std::string(reinterpret_cast<const char*>(v.bytes().data()) + pos, n);
}

TEST(ViewStream, StartsGoodAtPositionZero) {
  auto map = memory_mapped_file::create_new("", 100);
  auto s = map.create_view_stream(10, 50);
  EXPECT_TRUE(s);
  EXPECT_TRUE(s.good());
  EXPECT_EQ(s.capacity(), 50u);
  EXPECT_EQ(s.position(), 0u);
  EXPECT_EQ(s.tellg(), std::streampos(0));
  EXPECT_EQ(s.tellp(), std::streampos(0));
  EXPECT_EQ(s.bytes().size(), 50u);
  EXPECT_TRUE(s.can_read());
  EXPECT_TRUE(s.can_write());
}

TEST(ViewStream, TextRoundTrip) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto s = map.create_view_stream();
  s << "alpha " << 42 << ' ' << 3.5 << '\n' << "second line\n" << -7 << " end\n";
  ASSERT_TRUE(s.good());
  // The text is in the shared memory at once.
  auto view = map.create_view_accessor();
  EXPECT_EQ(text_of(view, 0, 32), std::string("alpha 42 3.5\nsecond line\n-7 end\n\0", 32));

  s.seekg(0);
  std::string word;
  int i = 0;
  double d = 0;
  s >> word >> i >> d;
  EXPECT_EQ(word, "alpha");
  EXPECT_EQ(i, 42);
  EXPECT_EQ(d, 3.5);
  std::string line;
  std::getline(s, line);  // the rest of the first line
  EXPECT_EQ(line, "");
  std::getline(s, line);
  EXPECT_EQ(line, "second line");
  int negative = 0;
  s >> negative >> word;
  EXPECT_EQ(negative, -7);
  EXPECT_EQ(word, "end");
  EXPECT_TRUE(s.good());
  // Reading on: the rest of the view is NUL bytes, then the end.
  s.seekg(-1, std::ios::end);
  char c = 'x';
  EXPECT_TRUE(s.get(c));
  EXPECT_EQ(c, '\0');
  EXPECT_EQ(s.get(), std::char_traits<char>::eof());
  EXPECT_TRUE(s.eof());
}

TEST(ViewStream, GetlineOverSeveralLinesWrittenByAnAccessor) {
  auto map = memory_mapped_file::create_new("", 64);
  auto view = map.create_view_accessor();
  const std::string text = "one\ntwo\nthree";
  view.write_array(0, std::span<const char>(text.data(), text.size()));
  auto s = map.create_view_stream(0, text.size());
  std::vector<std::string> lines;
  for (std::string line; std::getline(s, line);)
    lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_TRUE(s.eof());
}

TEST(ViewStream, BinaryRoundTrip) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto s = map.create_view_stream(7, 1000);
  std::array<unsigned char, 256> out{};
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<unsigned char>(255 - i);
  s.write(reinterpret_cast<const char*>(out.data()), out.size());
  ASSERT_TRUE(s.good());
  EXPECT_EQ(s.position(), 256u);
  s.seekg(0);
  std::array<unsigned char, 256> in{};
  s.read(reinterpret_cast<char*>(in.data()), in.size());
  EXPECT_EQ(s.gcount(), 256);
  EXPECT_EQ(in, out);
  EXPECT_EQ(map.create_view_accessor().read<unsigned char>(7 + 10), 245);
}

TEST(ViewStream, OneSharedPositionForReadsAndWrites) {
  auto map = memory_mapped_file::create_new("", 100);
  auto view = map.create_view_accessor();
  const std::string init = "0123456789abcdef";
  view.write_array(0, std::span<const char>(init.data(), init.size()));
  auto s = map.create_view_stream();

  s.write("ABCD", 4);
  EXPECT_EQ(s.position(), 4u);
  EXPECT_EQ(s.tellg(), std::streampos(4));
  EXPECT_EQ(s.tellp(), std::streampos(4));
  char buf[4] = {};
  s.read(buf, 4);  // the bytes after the ones written
  EXPECT_EQ(std::string(buf, 4), "4567");
  EXPECT_EQ(s.tellp(), std::streampos(8));
  s.write("WX", 2);  // and the write goes after what was read
  EXPECT_EQ(text_of(view, 0, 12), "ABCD4567WXab");
  EXPECT_EQ(s.position(), 10u);

  s.seekg(2);  // moves the put position too
  EXPECT_EQ(s.tellp(), std::streampos(2));
  s.write("yz", 2);
  EXPECT_EQ(text_of(view, 0, 6), "AByz45");
  s.seekp(12);  // and seekp moves the get position
  EXPECT_EQ(s.tellg(), std::streampos(12));
  EXPECT_EQ(s.get(), 'c');
  s.seek(0);
  EXPECT_EQ(s.tellg(), std::streampos(0));
  EXPECT_EQ(s.tellp(), std::streampos(0));
  EXPECT_EQ(s.peek(), 'A');
  s.put('!');
  EXPECT_EQ(s.get(), 'B');
  EXPECT_EQ(text_of(view, 0, 2), "!B");
}

TEST(ViewStream, UngetAfterARead) {
  auto map = memory_mapped_file::create_new("", 16);
  auto s = map.create_view_stream();
  s << "xyz";
  s.seekg(0);
  EXPECT_EQ(s.get(), 'x');
  s.unget();
  EXPECT_EQ(s.position(), 0u);
  EXPECT_EQ(s.get(), 'x');
  EXPECT_EQ(s.get(), 'y');
  s.putback('y');
  EXPECT_EQ(s.get(), 'y');
}

TEST(ViewStream, WritePastTheEndSetsBadbit) {
  auto map = memory_mapped_file::create_new("", 100);
  auto s = map.create_view_stream(0, 10);
  s.write("0123456789AB", 12);
  EXPECT_TRUE(s.bad());
  EXPECT_EQ(map.create_view_accessor().read<char>(10), '\0') << "wrote past the view";

  auto s2 = map.create_view_stream(20, 5);
  s2 << "abcdefgh";
  EXPECT_TRUE(s2.bad());
  EXPECT_EQ(map.create_view_accessor().read<char>(25), '\0') << "wrote past the view";

  auto s3 = map.create_view_stream(30, 3);
  s3.put('a').put('b').put('c');
  EXPECT_TRUE(s3.good());
  s3.put('d');
  EXPECT_TRUE(s3.bad());
  EXPECT_EQ(map.create_view_accessor().read<char>(33), '\0');
}

TEST(ViewStream, WritePastTheEndThrowsWhenAsked) {
  auto map = memory_mapped_file::create_new("", 100);
  auto s = map.create_view_stream(0, 10);
  s.exceptions(std::ios::badbit);
  s.write("01234", 5);
  EXPECT_THROW(s.write("56789AB", 7), std::ios_base::failure);
  EXPECT_TRUE(s.bad());
}

TEST(ViewStream, ReadPastTheEndSetsEofbit) {
  auto map = memory_mapped_file::create_new("", 100);
  auto view = map.create_view_accessor();
  view.write<char>(9, 'Z');
  auto s = map.create_view_stream(0, 10);
  char buf[12] = {};
  s.read(buf, 12);
  EXPECT_TRUE(s.eof());
  EXPECT_TRUE(s.fail());
  EXPECT_FALSE(s.bad());
  EXPECT_EQ(s.gcount(), 10);
  EXPECT_EQ(buf[9], 'Z');

  auto t = map.create_view_stream(95, 5);
  int v = 0;
  t >> v;  // five NULs: not a number, but never past the view
  EXPECT_TRUE(t.fail());
  t.clear();
  t.seek(5);
  EXPECT_EQ(t.get(), std::char_traits<char>::eof());
  EXPECT_TRUE(t.eof());
}

TEST(ViewStream, Seek) {
  auto map = memory_mapped_file::create_new("", 100);
  auto s = map.create_view_stream(10, 50);
  s.seek(50);  // the end itself is fine
  EXPECT_EQ(s.position(), 50u);
  EXPECT_EQ(s.get(), std::char_traits<char>::eof());
  EXPECT_TRUE(s.eof());
  s.seek(20);  // clears eofbit
  EXPECT_FALSE(s.eof());
  EXPECT_EQ(s.position(), 20u);
  EXPECT_MMF_ERROR(s.seek(51), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(s.seek(std::numeric_limits<std::uint64_t>::max()),
                   std::errc::result_out_of_range);
  EXPECT_EQ(s.position(), 20u) << "a failed seek moved the position";
}

TEST(ViewStream, SeekgSeekpTellgTellp) {
  auto map = memory_mapped_file::create_new("", 100);
  auto s = map.create_view_stream(0, 40);
  s.seekg(-3, std::ios::end);
  EXPECT_EQ(s.tellg(), std::streampos(37));
  s.seekg(2, std::ios::cur);
  EXPECT_EQ(s.tellg(), std::streampos(39));
  s.seekp(-9, std::ios::cur);
  EXPECT_EQ(s.tellp(), std::streampos(30));
  s.seekp(5, std::ios::beg);
  EXPECT_EQ(s.tellg(), std::streampos(5));
  s.seekg(0, std::ios::end);
  EXPECT_EQ(s.tellg(), std::streampos(40));
  EXPECT_EQ(s.position(), 40u);

  // Outside the view: the seek fails (failbit) and the position stays.
  s.seekg(41);
  EXPECT_TRUE(s.fail());
  s.clear();
  EXPECT_EQ(s.position(), 40u);
  s.seekp(-1, std::ios::beg);
  EXPECT_TRUE(s.fail());
  s.clear();
  EXPECT_EQ(s.position(), 40u);
  s.seekg(1, std::ios::end);
  EXPECT_TRUE(s.fail());
  s.clear();
  EXPECT_EQ(s.tellp(), std::streampos(40));
}

struct header {
  std::uint32_t magic;
  std::uint16_t version;
  char name[7];
  double scale;
};

TEST(ViewStream, ReadAsWriteAsRoundTrip) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto s = map.create_view_stream(1, 100);  // unaligned
  const header h{0xfeedfaceu, 3, "abcdef", 0.125};
  s.write_as<std::uint8_t>(0xab);
  s.write_as(h);
  s.write_as<std::int64_t>(-5);
  EXPECT_EQ(s.position(), 1 + sizeof(header) + 8);
  s.seek(0);
  EXPECT_EQ(s.read_as<std::uint8_t>(), 0xab);
  const header got = s.read_as<header>();
  EXPECT_EQ(got.magic, h.magic);
  EXPECT_EQ(got.version, h.version);
  EXPECT_STREQ(got.name, h.name);
  EXPECT_EQ(got.scale, h.scale);
  EXPECT_EQ(s.read_as<std::int64_t>(), -5);
  // Mixed with iostream calls: the same position.
  s << "txt";
  s.seek(s.position() - 3);
  EXPECT_EQ(s.read_as<char>(), 't');
  EXPECT_EQ(s.get(), 'x');
  s.write_as<char>('T');
  s.seek(s.position() - 1);
  EXPECT_EQ(s.get(), 'T');
}

TEST(ViewStream, ReadAsBoolIsTrueForAnyNonZeroByte) {
  auto map = memory_mapped_file::create_new("", 4096);
  auto s = map.create_view_stream();
  const std::array<std::uint8_t, 6> bytes{0, 1, 2, 0x7f, 0x80, 0xff};
  for (const auto b : bytes)
    s.write_as(b);
  s.seek(0);
  for (const auto b : bytes) {
    SCOPED_TRACE(static_cast<int>(b));
    const bool got = s.read_as<bool>();
    unsigned char representation = 0xaa;
    std::memcpy(&representation, &got, 1);
    EXPECT_EQ(representation, b != 0 ? 1 : 0) << "a valid bool holds 0 or 1";
  }
  EXPECT_EQ(s.position(), bytes.size());
  // Also on the slow path (at the very end of the view, after a mode switch).
  auto tail = map.create_view_stream(4095, 1);
  tail.write_as<std::uint8_t>(0x42);
  tail.seek(0);
  const bool last = tail.read_as<bool>();
  unsigned char representation = 0xaa;
  std::memcpy(&representation, &last, 1);
  EXPECT_EQ(representation, 1);
}

TEST(ViewStream, ReadAsWriteAsPastTheEnd) {
  auto map = memory_mapped_file::create_new("", 100);
  auto s = map.create_view_stream(0, 10);
  s.seek(7);
  EXPECT_MMF_ERROR(s.read_as<std::uint32_t>(), std::errc::result_out_of_range);
  EXPECT_EQ(s.position(), 7u);
  EXPECT_MMF_ERROR(s.write_as<std::uint32_t>(0xffffffffu), std::errc::result_out_of_range);
  EXPECT_EQ(s.position(), 7u);
  EXPECT_EQ(map.create_view_accessor().read<std::uint8_t>(7), 0) << "a failed write_as wrote";
  s.write_as<std::uint16_t>(1);  // 7..8 fits
  s.write_as<std::uint8_t>(2);   // 9 fits
  EXPECT_EQ(s.position(), 10u);
  EXPECT_MMF_ERROR(s.write_as<std::uint8_t>(3), std::errc::result_out_of_range);
  EXPECT_MMF_ERROR(s.read_as<std::uint8_t>(), std::errc::result_out_of_range);
  EXPECT_EQ(s.position(), 10u);
  // After iostream reads and writes too (the slow path switches modes).
  s.seek(8);
  EXPECT_EQ(s.get(), 0);
  EXPECT_MMF_ERROR(s.read_as<std::uint16_t>(), std::errc::result_out_of_range);
  EXPECT_EQ(s.position(), 9u);
}

TEST(ViewStream, PositionsPast2GiB) {
  if (sizeof(void*) < 8) GTEST_SKIP() << "a 3 GiB view does not fit a 32-bit address space";
  const std::uint64_t gib = std::uint64_t{1} << 30;
  // Not reserved: only the pages touched below are allocated.
  auto map = memory_mapped_file::create_new("", 3 * gib, access::read_write,
                                            map_options::delay_allocate_pages);
  auto s = map.create_view_stream();
  ASSERT_EQ(s.capacity(), 3 * gib);
  const std::uint64_t far = 5 * gib / 2 + 11;  // 2.5 GiB + 11
  s.seekg(static_cast<std::streamoff>(far));
  ASSERT_TRUE(s.good());
  EXPECT_EQ(s.tellp(), std::streampos(static_cast<std::streamoff>(far)));
  EXPECT_EQ(s.position(), far);
  s << "far away";
  s.write_as<std::uint64_t>(0x0807060504030201ULL);
  EXPECT_EQ(s.position(), far + 16);
  EXPECT_EQ(s.tellg(), std::streampos(static_cast<std::streamoff>(far + 16)));

  s.seekp(-16, std::ios::cur);
  std::string word;
  s >> word;
  EXPECT_EQ(word, "far");
  s.seek(far + 8);
  EXPECT_EQ(s.read_as<std::uint64_t>(), 0x0807060504030201ULL);
  // Through another view of the map.
  auto view = map.create_view_accessor(far, 8);
  EXPECT_EQ(text_of(view, 0, 8), "far away");
  // ios::end and ios::cur with big offsets.
  s.seekg(-static_cast<std::streamoff>(gib), std::ios::end);
  EXPECT_EQ(s.position(), 2 * gib);
  s.seekg(static_cast<std::streamoff>(gib / 2 + 11), std::ios::cur);
  EXPECT_EQ(s.get(), 'f');
  s.seek(3 * gib);
  EXPECT_EQ(s.get(), std::char_traits<char>::eof());
  EXPECT_MMF_ERROR(s.seek(3 * gib + 1), std::errc::result_out_of_range);
}

TEST(ViewStream, BulkReadAndWriteOf1MiB) {
  constexpr std::size_t kMiB = 1 << 20;
  auto map = memory_mapped_file::create_new("", kMiB + 4096);
  std::vector<char> data(kMiB);
  for (std::size_t i = 0; i < kMiB; ++i)
    data[i] = static_cast<char>((i * 131) ^ (i >> 9));
  {
    auto s = map.create_view_stream(3);
    s.write(data.data(), static_cast<std::streamsize>(kMiB));
    ASSERT_TRUE(s.good());
    EXPECT_EQ(s.position(), kMiB);
  }
  auto view = map.create_view_accessor(3, kMiB);
  EXPECT_EQ(std::memcmp(view.bytes().data(), data.data(), kMiB), 0);

  auto s = map.create_view_stream(3);
  std::vector<char> back(kMiB);
  s.read(back.data(), static_cast<std::streamsize>(kMiB));
  EXPECT_EQ(s.gcount(), static_cast<std::streamsize>(kMiB));
  EXPECT_TRUE(back == data);
  EXPECT_EQ(s.position(), kMiB);
}

TEST(ViewStream, EmptyAndMovedFrom) {
  view_stream empty;
  EXPECT_FALSE(empty);
  EXPECT_EQ(empty.capacity(), 0u);
  EXPECT_EQ(empty.position(), 0u);
  EXPECT_TRUE(empty.bytes().empty());
  EXPECT_MMF_ERROR(empty.seek(0), std::errc::bad_file_descriptor);
  empty << "x";  // an iostream operation on an empty stream fails, nothing crashes
  EXPECT_FALSE(empty.good());

  auto map = memory_mapped_file::create_new("", 100);
  auto s = map.create_view_stream(0, 50);
  s << "hello";
  view_stream moved(std::move(s));
  EXPECT_FALSE(s);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(s.capacity(), 0u);
  EXPECT_EQ(s.position(), 0u);
  EXPECT_MMF_ERROR(s.seek(0), std::errc::bad_file_descriptor);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved.position(), 5u) << "the position did not move with the stream";
  moved << " world ";  // >> stops at whitespace; NUL bytes are not whitespace
  moved.seek(0);
  std::string a, b;
  moved >> a >> b;
  EXPECT_EQ(a + " " + b, "hello world");

  view_stream assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.position(), 11u);  // where >> stopped: at the ' ' after "world"
  EXPECT_EQ(assigned.read_as<char>(), ' ');
  assigned = map.create_view_stream(0, 5);  // move-assignment over a live stream
  std::string hello;
  assigned >> hello;
  EXPECT_EQ(hello, "hello");
}

TEST(ViewStream, ReadOnlyStreamRefusesWrites) {
  auto map = memory_mapped_file::create_new("", 100);
  map.create_view_accessor().write<char>(0, 'r');
  auto s = map.create_view_stream(0, 0, access::read);
  EXPECT_TRUE(s.can_read());
  EXPECT_FALSE(s.can_write());
  s << "no";
  EXPECT_TRUE(s.bad());
  EXPECT_EQ(map.create_view_accessor().read<char>(0), 'r');
  s.clear();
  s.seek(0);
  EXPECT_MMF_ERROR(s.write_as<char>('w'), std::errc::permission_denied);
  EXPECT_EQ(s.position(), 0u);
  EXPECT_EQ(s.get(), 'r');
}

TEST(ViewStream, WriteOnlyStream) {
  auto map = memory_mapped_file::create_new("", 100);
  auto s = map.create_view_stream(0, 0, access::write);
  EXPECT_FALSE(s.can_read());
  EXPECT_TRUE(s.can_write());
  s << "w";
  EXPECT_TRUE(s.good());
  EXPECT_EQ(map.create_view_accessor().read<char>(0), 'w');
  EXPECT_MMF_ERROR(s.read_as<char>(), std::errc::permission_denied);
  EXPECT_EQ(s.position(), 1u);
}

TEST(ViewStream, FlushOnAPersistedMap) {
  mmf_test::temp_dir dir;
  const auto path = dir / "stream.bin";
  auto map = memory_mapped_file::create_from_file(path, file_mode::create_new, {}, 4096);
  auto s = map.create_view_stream(4000, 0);
  s << "durable" << std::flush;
  EXPECT_TRUE(s.good());
  EXPECT_EQ(mmf_test::read_file(path).substr(4000, 7), "durable");
  s << " line" << std::endl;
  EXPECT_TRUE(s.good());
  EXPECT_EQ(mmf_test::read_file(path).substr(4000, 13), "durable line\n");
  // flush on a non-persisted map and on a read-only stream is harmless.
  auto shm = memory_mapped_file::create_new("", 10);
  auto t = shm.create_view_stream();
  t << "x" << std::flush;
  EXPECT_TRUE(t.good());
  auto r = map.create_view_stream(0, 0, access::read);
  r.flush();
  EXPECT_TRUE(r.good());
}

TEST(ViewStream, StreamsOfOneMapShareMemory) {
  const std::string name = mmf_test::unique_name("streams");
  auto map = memory_mapped_file::create_new(name, 1000);
  auto a = map.create_view_stream();
  auto b = memory_mapped_file::open_existing(name).create_view_stream(500, 0);
  a.seek(500);
  a << "shared ";
  std::string word;
  b >> word;
  EXPECT_EQ(word, "shared");
}

}  // namespace
