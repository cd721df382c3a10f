#pragma once

#include <cstddef>
#include <functional>

namespace clipkit {

// Threads used by parallelFor (the calling thread included). Default: all cores.
void setThreads(int threads);
int threads();

// Runs body(begin, end) over [0, n) cut into contiguous chunks of at least `grain` items (a few per
// thread), shared out among the pool's threads and the calling thread, and returns when all are done.
// One parallel region runs at a time: a call from another thread waits, a call from inside a body
// runs serially.
void parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body);

}  // namespace clipkit
