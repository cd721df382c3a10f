#include "thread-pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace clipkit {
namespace {

// More chunks than threads, so that a thread that starts late (the machine is busy) finds the work
// already shared out among the others instead of holding everyone up.
constexpr size_t kChunksPerThread = 4;

// The CPUs this process may run on (its affinity mask: taskset, a container's cpuset), else the machine's.
int affinityCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

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
// Workers are started by the first parallel region (not before setThreads can say how many), and
// setThreads(n) ends the workers beyond n - 1 as well as starting missing ones.
class Pool {
 public:
  Pool() : threads_(affinityCpus()) {}

  void setThreads(int threads) {
    std::lock_guard<std::mutex> region(regionMutex_);
    std::unique_lock<std::mutex> lock(mutex_);
    threads_ = std::max(1, threads);
    // Workers numbered threads_ - 1 and up end; wait for them, so that grow() numbers new ones from the rest.
    wake_.notify_all();
    retired_.wait(lock, [&] { return static_cast<int>(workers_) <= threads_ - 1; });
  }

  int threads() const { return threads_; }

  // Worker threads running now (the calling thread not included).
  int workers() {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(workers_);
  }

  // The distinct threads (by kernel thread id) that ran a chunk of a parallel region since the last call.
  int takeThreadsRan() {
    std::lock_guard<std::mutex> lock(ranMutex_);
    const int count = static_cast<int>(ran_.size());
    ran_.clear();
    ranEpoch_++;
    return count;
  }

  // Records the calling thread's id once per takeThreadsRan() period (a thread_local epoch keeps it cheap).
  void noteThread() {
    static thread_local uint64_t noted = 0;
    if (noted == ranEpoch_.load(std::memory_order_relaxed) + 1) return;
    std::lock_guard<std::mutex> lock(ranMutex_);
    ran_.insert(static_cast<long>(syscall(SYS_gettid)));
    noted = ranEpoch_.load() + 1;
  }

  void run(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
    const size_t wanted = std::min<size_t>(threads_ * kChunksPerThread, (n + grain - 1) / std::max<size_t>(1, grain));
    if (wanted <= 1 || threads_ == 1 || insideRegion_) {
      noteThread();
      body(0, n);
      return;
    }
    std::lock_guard<std::mutex> serial(regionMutex_);
    grow();
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
  // Called with regionMutex_ held: no region runs, and the workers are parked.
  void grow() {
    std::lock_guard<std::mutex> lock(mutex_);
    while (static_cast<int>(workers_) < threads_ - 1) {
      const size_t index = workers_++;
      // The generation it has seen is the current one: the region about to start is new to it.
      std::thread([this, index, seen = generation_] { work(index, seen); }).detach();
    }
  }


  // Claims the next chunk of region r, if r is still the current region and has chunks left, and runs it.
  bool claimAndRun(const Region& r) {
    uint64_t current = claim_.load();
    for (;;) {
      if ((current >> 32) != r.generation || (current & 0xffffffffu) >= r.chunks) return false;
      if (claim_.compare_exchange_weak(current, current + 1)) break;
    }
    noteThread();
    const size_t begin = (current & 0xffffffffu) * r.chunk;
    (*r.body)(begin, std::min(r.n, begin + r.chunk));
    if (done_.fetch_add(1) + 1 == r.chunks) {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_.notify_all();
    }
    return true;
  }

  void work(size_t index, uint32_t seen) {
    insideRegion_ = true;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return generation_ != seen || static_cast<int>(index) >= threads_ - 1; });
      if (static_cast<int>(index) >= threads_ - 1) {
        workers_--;
        retired_.notify_all();
        return;
      }
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
  std::condition_variable retired_;
  std::mutex ranMutex_;  // guards ran_
  std::set<long> ran_;
  std::atomic<uint64_t> ranEpoch_{0};
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

int workerThreads() { return pool().workers(); }

int takeThreadsRan() { return pool().takeThreadsRan(); }

void noteThread() { pool().noteThread(); }

void parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (n > 0) pool().run(n, grain, body);
}

}  // namespace clipkit
