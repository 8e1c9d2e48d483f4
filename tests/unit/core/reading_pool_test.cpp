// ReadingPool reads blocks one after another on whichever thread is free, parses them on any
// thread and hands them back in input order on the calling thread: every block once, at most
// `depth` read and not yet consumed, and the calling thread reads and parses too (with two
// cores, -j2 is one worker and the caller).
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "crashsift/core/reading_pool.hpp"

using namespace crashsift;

namespace {

struct Block {
  int number = -1;
  int parsed = 0;
  std::thread::id read_on, parsed_on;
};

}  // namespace

TEST_CASE("ReadingPool: every block once, in input order, read in turn and parsed on any thread") {
  for (unsigned workers : {0u, 1u, 3u})
    for (size_t depth : {size_t{1}, size_t{2}, size_t{8}}) {
      CAPTURE(workers);
      CAPTURE(depth);
      constexpr int total = 500;
      int next_number = 0;      // the input: only ever touched under the read lock
      std::atomic<int> held{0};  // read and not yet consumed
      int most_held = 0;
      std::mutex seen_mu;
      std::set<std::thread::id> readers;
      ReadingPool<Block> pool(
          workers, depth,
          [&](Block& b) {
            if (next_number == total) return false;
            b.number = next_number++;
            b.parsed = 0;
            b.read_on = std::this_thread::get_id();
            most_held = std::max(most_held, ++held);
            std::lock_guard<std::mutex> lock(seen_mu);
            readers.insert(b.read_on);
            return true;
          },
          [&](Block& b) {
            ++b.parsed;
            b.parsed_on = std::this_thread::get_id();
            if (b.number % 7 == 0) std::this_thread::yield();  // blocks finish out of order
          });
      std::vector<int> order;
      pool.run([&](Block& b) {
        CHECK(b.parsed == 1);
        CHECK(b.parsed_on == b.read_on);  // read and parsed by the same step
        order.push_back(b.number);
        --held;
      });
      REQUIRE(order.size() == static_cast<size_t>(total));
      for (int i = 0; i < total; ++i) CHECK(order[static_cast<size_t>(i)] == i);
      CHECK(most_held <= static_cast<int>(depth));
      if (workers == 0) CHECK(readers == std::set<std::thread::id>{std::this_thread::get_id()});
    }
}

TEST_CASE("ReadingPool: the calling thread reads and parses while a worker is held up") {
  constexpr int total = 40;
  int next_number = 0;
  std::atomic<int> parsed{0};
  const std::thread::id caller = std::this_thread::get_id();
  int on_caller = 0;
  // A block parsed on the worker holds the worker until every other block is parsed: only the
  // calling thread can have read and parsed them, so the pool must let it.
  ReadingPool<Block> pool(
      1, total,
      [&](Block& b) {
        if (next_number == total) return false;
        b.number = next_number++;
        b.read_on = std::this_thread::get_id();
        return true;
      },
      [&](Block& b) {
        b.parsed_on = std::this_thread::get_id();
        if (b.parsed_on != caller)
          for (long spin = 0; parsed.load() < total - 1 && spin < 2000000000L; ++spin) std::this_thread::yield();
        ++parsed;
      });
  std::vector<int> order;
  pool.run([&](Block& b) {
    order.push_back(b.number);
    if (b.parsed_on == caller) ++on_caller;
  });
  REQUIRE(order.size() == static_cast<size_t>(total));
  for (int i = 0; i < total; ++i) CHECK(order[static_cast<size_t>(i)] == i);
  CHECK(on_caller >= total - 1);
}

TEST_CASE("ReadingPool: an empty input ends at once") {
  int reads = 0;
  ReadingPool<Block> pool(1, 4, [&](Block&) { ++reads; return false; }, [](Block&) {});
  int consumed = 0;
  pool.run([&](Block&) { ++consumed; });
  CHECK(consumed == 0);
  CHECK(reads == 1);
}

TEST_CASE("ReadingPool: what a read or a parse throws on any thread is thrown by run()") {
  for (const bool in_read : {true, false})
    for (unsigned workers : {0u, 1u, 2u}) {
      CAPTURE(in_read);
      CAPTURE(workers);
      std::atomic<int> next_number{0};
      ReadingPool<Block> pool(
          workers, 4,
          [&](Block& b) {
            b.number = next_number++;
            if (in_read && b.number == 30) throw std::runtime_error("read failed");
            return b.number < 100;
          },
          [&](Block& b) {
            if (!in_read && b.number == 30) throw std::runtime_error("parse failed");
          });
      int consumed = 0;
      CHECK_THROWS_WITH(pool.run([&](Block&) { ++consumed; }), in_read ? "read failed" : "parse failed");
      CHECK(consumed <= 30);
    }
}
