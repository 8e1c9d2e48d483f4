// A native file read ahead of its turn (a directory at -j above 1): whatever the amount read
// ahead, cut anywhere in a frame, and whether the buffer came fresh or from a file done before,
// the stream gives exactly the entries it gives when read only in its turn.
#include "crashsift/input/journal_file_stream.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "support/journal_copy.hpp"

using namespace crashsift;
using namespace crashsift::input;

namespace {

struct Read {
  std::vector<std::string> entries;  // realtime, seqnum and message of each
  size_t damage = 0;
};

// read_ahead(limit) on a helper thread first when limit > 0, then every entry in turn.
Read read_stream(const std::string& path, bool by_index, size_t limit, ForkPrivateBuffer* spare = nullptr) {
  InputReport report;
  FileStreamSettings settings;
  settings.by_index = by_index;
  JournalFileStream stream(path, "lab", settings, report);
  if (spare) stream.adopt_buffer(std::move(*spare));
  if (limit > 0) std::thread([&] { stream.read_ahead(limit); }).join();
  Read out;
  Event e;
  std::uint64_t realtime = 0;
  while (stream.next(e, realtime))
    out.entries.push_back(std::to_string(realtime) + " " + std::to_string(e.origin.line) + " " + e.message);
  out.damage = report.damage_count;
  if (spare) *spare = stream.release_buffer();
  return out;
}

}  // namespace

TEST_CASE("a native file read ahead by any amount gives the entries it gives read in turn") {
  const test::JournalCopy lab(test::lab_journal());
  for (const bool by_index : {false, true}) {
    CAPTURE(by_index);
    const Read want = read_stream(lab.path, by_index, 0);
    REQUIRE(want.entries.size() > 30);
    CHECK(want.damage == 0);
    // 1 byte and 4999 bytes stop inside a frame's header or payload; 8 MiB reads it all.
    for (const size_t limit : {size_t{1}, size_t{4999}, size_t{65536}, size_t{8} << 20}) {
      CAPTURE(limit);
      const Read got = read_stream(lab.path, by_index, limit);
      CHECK(got.entries == want.entries);
      CHECK(got.damage == 0);
    }
    // A buffer handed on from a file read before (its old bytes must not leak in).
    ForkPrivateBuffer spare;
    spare.append("stale bytes that are not a frame", 32);
    for (int round = 0; round < 2; ++round) {
      const Read got = read_stream(lab.path, by_index, size_t{1} << 20, &spare);
      CHECK(got.entries == want.entries);
    }
  }
}
