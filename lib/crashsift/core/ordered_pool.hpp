#pragma once
// Work on worker threads (and on the calling thread while it waits), results back in
// submission order, with a bounded number of jobs in flight (so memory stays bounded however
// large the input). Used to parse blocks of a
// line-oriented input in parallel while the calling thread reads ahead and consumes results
// in input order. Jobs are recycled: a consumed job comes back from take_spare() with its
// buffers' capacity intact.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace crashsift {

template <class Job>
class OrderedPool {
 public:
  // workers >= 1 threads run work(job); at most depth jobs are in flight at once.
  OrderedPool(unsigned workers, std::size_t depth, std::function<void(Job&)> work)
      : depth_(depth < 1 ? 1 : depth), work_(std::move(work)) {
    for (unsigned i = 0; i < (workers < 1 ? 1 : workers); ++i) threads_.emplace_back([this] { run(); });
  }
  ~OrderedPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (auto& t : threads_) t.join();
  }
  OrderedPool(const OrderedPool&) = delete;
  OrderedPool& operator=(const OrderedPool&) = delete;

  // A job to fill: a recycled one when there is one.
  std::unique_ptr<Job> take_spare() {
    if (spares_.empty()) return std::make_unique<Job>();
    auto job = std::move(spares_.back());
    spares_.pop_back();
    return job;
  }

  // Queues job; when depth jobs are already in flight, first hands the oldest to consume.
  void submit(std::unique_ptr<Job> job, const std::function<void(Job&)>& consume) {
    while (in_flight_.size() >= depth_) consume_oldest(consume);
    auto slot = std::make_shared<Slot>();
    slot->job = std::move(job);
    in_flight_.push_back(slot);
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending_.push_back(slot);
    }
    work_ready_.notify_one();
  }

  // Hands every job still in flight to consume, in submission order.
  void drain(const std::function<void(Job&)>& consume) {
    while (!in_flight_.empty()) consume_oldest(consume);
  }

 private:
  struct Slot {
    std::unique_ptr<Job> job;
    bool done = false;
  };

  // While the oldest job is not done, the calling thread runs jobs no worker has taken yet
  // rather than wait idle (on two cores, -j2 is one worker and this thread).
  void consume_oldest(const std::function<void(Job&)>& consume) {
    std::shared_ptr<Slot> slot = std::move(in_flight_.front());
    in_flight_.pop_front();
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      if (slot->done) break;
      if (pending_.empty()) {
        job_done_.wait(lock, [&] { return slot->done; });
        break;
      }
      std::shared_ptr<Slot> job = std::move(pending_.front());
      pending_.pop_front();
      lock.unlock();
      run_one(*job);
    }
    consume(*slot->job);
    spares_.push_back(std::move(slot->job));
  }

  void run() {
    for (;;) {
      std::shared_ptr<Slot> slot;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_ready_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (pending_.empty()) return;  // stopping, nothing left
        slot = std::move(pending_.front());
        pending_.pop_front();
      }
      run_one(*slot);
    }
  }

  void run_one(Slot& slot) {
    work_(*slot.job);
    {
      std::lock_guard<std::mutex> lock(mu_);
      slot.done = true;
    }
    job_done_.notify_all();
  }

  const std::size_t depth_;
  std::function<void(Job&)> work_;
  std::mutex mu_;
  std::condition_variable work_ready_, job_done_;
  std::deque<std::shared_ptr<Slot>> pending_;    // guarded by mu_
  bool stopping_ = false;                        // guarded by mu_
  std::deque<std::shared_ptr<Slot>> in_flight_;  // the calling thread's, in submission order
  std::vector<std::unique_ptr<Job>> spares_;
  std::vector<std::thread> threads_;
};

}  // namespace crashsift
