#pragma once
// A parallel parse of one input: blocks are read one after another (read() runs under a lock,
// in input order, on whichever thread is free), parsed on any thread (work()), and handed back
// in input order on the calling thread (consume()). The read is a job like the parse, not the
// calling thread's: on two cores that thread also consumes every block, and the copy out of
// the page cache was a tenth of its time. At most `depth` blocks are read and not yet
// consumed (memory stays bounded however large the input); blocks are recycled with their
// buffers' capacity intact.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace crashsift {

template <class Job>
class ReadingPool {
 public:
  // read(job): fills job with the input's next block; false when the input has no more (job is
  // then left unused). work(job): parses it, on any thread.
  ReadingPool(unsigned workers, std::size_t depth, std::function<bool(Job&)> read, std::function<void(Job&)> work)
      : depth_(depth < 1 ? 1 : depth), read_(std::move(read)), work_(std::move(work)) {
    for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { run_worker(); });
  }
  ~ReadingPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    changed_.notify_all();
    for (auto& t : threads_) t.join();
  }
  ReadingPool(const ReadingPool&) = delete;
  ReadingPool& operator=(const ReadingPool&) = delete;

  // Every block of the input to consume, in input order; returns once the input has ended and
  // every block read was consumed. The calling thread reads and parses too while the next
  // block to consume is not ready.
  void run(const std::function<void(Job&)>& consume) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (error_) std::rethrow_exception(error_);  // the destructor stops the workers
      if (const auto it = done_.find(next_to_consume_); it != done_.end()) {
        std::unique_ptr<Job> job = std::move(it->second);
        done_.erase(it);
        lock.unlock();
        consume(*job);
        lock.lock();
        spares_.push_back(std::move(job));
        ++next_to_consume_;
        changed_.notify_all();
        continue;
      }
      if (ended_ && next_to_consume_ == blocks_read_) return;
      if (can_start()) {
        lock.unlock();
        step();
        lock.lock();
        continue;
      }
      changed_.wait(lock, [&] {
        return error_ || done_.count(next_to_consume_) || (ended_ && next_to_consume_ == blocks_read_) || can_start();
      });
    }
  }

 private:
  // A block can be read: the input has not ended and a job is free (or may be made).
  bool can_start() const { return !ended_ && (!spares_.empty() || made_ < depth_); }

  // Reads the next block and parses it. Called without mu_ held, only when can_start() was true
  // (another thread may have taken the job since: then nothing is done).
  void step() {
    std::unique_ptr<Job> job;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!can_start()) return;
      if (!spares_.empty()) {
        job = std::move(spares_.back());
        spares_.pop_back();
      } else {
        job = std::make_unique<Job>();
        ++made_;
      }
    }
    std::uint64_t seq = 0;
    bool got = false;
    std::exception_ptr failed;
    {
      std::lock_guard<std::mutex> reading(read_mu_);
      if (!input_ended_) {
        try {
          got = read_(*job);
        } catch (...) {  // bad_alloc: the input ends here and run() throws it on its thread
          failed = std::current_exception();
          got = false;
        }
        if (got) seq = next_to_read_++;
        else input_ended_ = true;
      }
    }
    if (got) {
      try {
        work_(*job);
      } catch (...) {
        failed = std::current_exception();
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (failed && !error_) error_ = failed;
      if (got) {
        done_.emplace(seq, std::move(job));
      } else {
        spares_.push_back(std::move(job));
        if (!ended_) {
          ended_ = true;
          std::lock_guard<std::mutex> reading(read_mu_);
          blocks_read_ = next_to_read_;
        }
      }
    }
    changed_.notify_all();
  }

  void run_worker() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      changed_.wait(lock, [&] { return stopping_ || ended_ || error_ || can_start(); });
      if (stopping_ || ended_ || error_) return;
      lock.unlock();
      step();
      lock.lock();
    }
  }

  const std::size_t depth_;
  std::function<bool(Job&)> read_;
  std::function<void(Job&)> work_;
  std::mutex mu_;
  std::condition_variable changed_;
  // Guarded by mu_.
  std::vector<std::unique_ptr<Job>> spares_;
  std::size_t made_ = 0;
  std::map<std::uint64_t, std::unique_ptr<Job>> done_;  // parsed, by block number
  bool ended_ = false;                                   // the input has no more blocks
  std::uint64_t blocks_read_ = 0;                        // once ended_: how many there were
  bool stopping_ = false;
  std::exception_ptr error_;  // what a read or a parse threw, for run() to throw
  std::uint64_t next_to_consume_ = 0;  // the calling thread's
  // Guarded by read_mu_ (taken after mu_ when both are held).
  std::mutex read_mu_;
  bool input_ended_ = false;
  std::uint64_t next_to_read_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace crashsift
