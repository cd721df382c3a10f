#pragma once

#include <cstddef>
#include <functional>

namespace clipkit {

// Threads used by parallelFor (the calling thread included). Default: the CPUs of the process's affinity
// mask. Workers start with the first parallel region; setThreads ends surplus ones too.
void setThreads(int threads);
int threads();

// Worker threads alive now (the calling thread not included).
int workerThreads();

// How many distinct threads ran a chunk of parallelFor, or work they counted with noteThread, since the
// previous call (for tests).
int takeThreadsRan();

// Counts the calling thread in takeThreadsRan (parallelFor does it for its chunks; serial paths call it).
void noteThread();

// Runs body(begin, end) over [0, n) cut into contiguous chunks of at least `grain` items (a few per
// thread), shared out among the pool's threads and the calling thread, and returns when all are done.
// One parallel region runs at a time: a call from another thread waits, a call from inside a body
// runs serially.
void parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body);

}  // namespace clipkit
