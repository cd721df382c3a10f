#include "thread-pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace clipkit {
namespace {

// More chunks than threads, so that a thread that starts late (the machine is busy) finds the work
// already shared out among the others instead of holding everyone up.
constexpr size_t kChunksPerThread = 4;

// One parallelFor call: body over [0, n) in `chunks` chunks of `chunk` items.
struct Region {
  const std::function<void(size_t, size_t)>* body = nullptr;
  size_t n = 0;
  size_t chunk = 0;
  uint32_t chunks = 0;
  uint32_t generation = 0;
};

// Workers parked on a condition variable; every participant, the caller included, claims chunks from
// one atomic counter until none are left, and the caller then waits only for chunks already started.
// The pool is allocated once and never freed: its threads are detached and end with the process, so no
// static destructor waits on them at exit.
class Pool {
 public:
  Pool() : threads_(std::max(1u, std::thread::hardware_concurrency())) { grow(); }

  void setThreads(int threads) {
    std::lock_guard<std::mutex> region(regionMutex_);
    threads_ = std::max(1, threads);
    grow();
  }

  int threads() const { return threads_; }

  void run(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
    const size_t wanted = std::min<size_t>(threads_ * kChunksPerThread, (n + grain - 1) / std::max<size_t>(1, grain));
    if (wanted <= 1 || threads_ == 1 || insideRegion_) {
      body(0, n);
      return;
    }
    std::lock_guard<std::mutex> serial(regionMutex_);
    Region r;
    r.body = &body;
    r.n = n;
    r.chunk = (n + wanted - 1) / wanted;
    r.chunks = static_cast<uint32_t>((n + r.chunk - 1) / r.chunk);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      r.generation = ++generation_;
      region_ = r;
      done_.store(0);
      claim_.store(static_cast<uint64_t>(r.generation) << 32);
    }
    wake_.notify_all();
    insideRegion_ = true;
    while (claimAndRun(r)) {
    }
    insideRegion_ = false;
    if (done_.load() != r.chunks) {
      std::unique_lock<std::mutex> lock(mutex_);
      finished_.wait(lock, [&] { return done_.load() == r.chunks; });
    }
  }

 private:
  void grow() {
    while (static_cast<int>(workers_) < threads_ - 1) {
      workers_++;
      std::thread([this] { work(); }).detach();
    }
  }

  // Claims the next chunk of region r, if r is still the current region and has chunks left, and runs it.
  bool claimAndRun(const Region& r) {
    uint64_t current = claim_.load();
    for (;;) {
      if ((current >> 32) != r.generation || (current & 0xffffffffu) >= r.chunks) return false;
      if (claim_.compare_exchange_weak(current, current + 1)) break;
    }
    const size_t begin = (current & 0xffffffffu) * r.chunk;
    (*r.body)(begin, std::min(r.n, begin + r.chunk));
    if (done_.fetch_add(1) + 1 == r.chunks) {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_.notify_all();
    }
    return true;
  }

  void work() {
    insideRegion_ = true;
    uint32_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      const Region r = region_;
      lock.unlock();
      while (claimAndRun(r)) {
      }
      lock.lock();
    }
  }

  int threads_;
  size_t workers_ = 0;
  std::mutex regionMutex_;  // one parallel region at a time
  std::mutex mutex_;        // guards region_ and generation_
  std::condition_variable wake_;
  std::condition_variable finished_;
  Region region_;
  uint32_t generation_ = 0;
  std::atomic<uint64_t> claim_{0};  // generation << 32 | next chunk
  std::atomic<uint32_t> done_{0};
  static thread_local bool insideRegion_;
};

thread_local bool Pool::insideRegion_ = false;

Pool& pool() {
  static Pool* instance = new Pool();
  return *instance;
}

}  // namespace

void setThreads(int threads) { pool().setThreads(threads); }

int threads() { return pool().threads(); }

void parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (n > 0) pool().run(n, grain, body);
}

}  // namespace clipkit
