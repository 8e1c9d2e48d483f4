// OrderedPool hands results back in submission order, runs every job once, and lets the
// calling thread run jobs no worker has taken while it waits (with two cores, -j2 is one worker
// and the caller: a caller that only waited would leave a core idle).
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "crashsift/core/ordered_pool.hpp"

using namespace crashsift;

namespace {

struct Job {
  int id = -1;
  int runs = 0;
  std::thread::id ran_on;
};

}  // namespace

TEST_CASE("OrderedPool: in order, each job once, and the caller runs jobs while the worker is busy") {
  constexpr int total = 40;
  std::atomic<int> done{0};
  const std::thread::id caller = std::this_thread::get_id();
  // A job on the worker thread holds the worker until every other job is done: only the
  // calling thread can have run them, so the pool must let it.
  OrderedPool<Job> pool(1, total, [&](Job& j) {
    j.ran_on = std::this_thread::get_id();
    ++j.runs;
    if (j.ran_on != caller) {
      for (long spin = 0; done.load() < total - 1 && spin < 2000000000L; ++spin) std::this_thread::yield();
    }
    ++done;
  });
  std::vector<int> order;
  int on_caller = 0;
  const auto consume = [&](Job& j) {
    order.push_back(j.id);
    CHECK(j.runs == 1);
    if (j.ran_on == caller) ++on_caller;
  };
  for (int i = 0; i < total; ++i) {
    auto job = pool.take_spare();
    job->id = i;
    job->runs = 0;
    pool.submit(std::move(job), consume);
  }
  pool.drain(consume);
  REQUIRE(order.size() == static_cast<size_t>(total));
  for (int i = 0; i < total; ++i) CHECK(order[static_cast<size_t>(i)] == i);
  CHECK(on_caller >= total - 1);
  CHECK(done.load() == total);
}

TEST_CASE("OrderedPool: a shallow queue recycles jobs and still keeps the order") {
  OrderedPool<Job> pool(2, 2, [](Job& j) { ++j.runs; });
  std::vector<int> order;
  const auto consume = [&](Job& j) { order.push_back(j.id); };
  for (int i = 0; i < 1000; ++i) {
    auto job = pool.take_spare();
    job->id = i;
    pool.submit(std::move(job), consume);
  }
  pool.drain(consume);
  REQUIRE(order.size() == 1000u);
  for (int i = 0; i < 1000; ++i) CHECK(order[static_cast<size_t>(i)] == i);
}
