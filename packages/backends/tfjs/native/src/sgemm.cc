#include "sgemm.h"

#include <algorithm>
#include <cctype>
#include <climits>

#include "openblas-library.h"
#include "packed-sgemm.h"
#include "simd-loop.h"

namespace clipkit {
namespace {

int i32(size_t v) { return static_cast<int>(std::min<size_t>(v, INT_MAX)); }

void openBlasSgemm(const Sgemm& s) {
  constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
  // cblas checks each leading dimension against max(1, the stored row's length), even where it never reads.
  const size_t lda = std::max<size_t>({1, s.lda, s.transA ? s.m : s.k});
  const size_t ldb = std::max<size_t>({1, s.ldb, s.transB ? s.k : s.n});
  openBlasLibrary()->sgemm(kRowMajor, s.transA ? kTrans : kNoTrans, s.transB ? kTrans : kNoTrans, i32(s.m), i32(s.n),
                           i32(s.k), s.alpha, s.a, i32(lda), s.b, i32(ldb), s.beta, s.c,
                           i32(std::max<size_t>({1, s.ldc, s.n})));
}

struct Implementation {
  std::string key;
  std::string name;
  void (*run)(const Sgemm&);
};

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The GEMMs this machine runs, OpenBLAS first, then clipkit's builds from the fastest down.
std::vector<Implementation> available() {
  std::vector<Implementation> list;
  if (openBlasLibrary()) list.push_back({"openblas", openBlasLibrary()->name, openBlasSgemm});
#if defined(__x86_64__)
  __builtin_cpu_init();  // this runs among the addon's static constructors, perhaps before libgcc's own
  if (hasAvx2()) list.push_back({"avx2", "clipkit sgemm AVX2", packedSgemmAvx2});
#endif
  const std::string baseline = baselineSgemmName();
  list.push_back({lowercase(baseline), "clipkit sgemm " + baseline, packedSgemmBaseline});
  return list;
}

const std::vector<Implementation>& implementations() {
  static const std::vector<Implementation> list = available();
  return list;
}

// The first available, OpenBLAS when it loads, until useSgemm says otherwise.
const Implementation* current = &implementations().front();

}  // namespace

void sgemm(const Sgemm& s) {
  if (s.m == 0 || s.n == 0) return;
  if (s.k == 0) {
    // An empty sum: C = beta C (C may be uninitialised when beta is 0).
    for (size_t i = 0; i < s.m; i++) {
      float* row = s.c + i * s.ldc;
      for (size_t j = 0; j < s.n; j++) row[j] = s.beta == 0.0f ? 0.0f : s.beta * row[j];
    }
    return;
  }
  current->run(s);
}

std::vector<std::string> sgemmKeys() {
  std::vector<std::string> keys;
  for (const Implementation& implementation : implementations()) keys.push_back(implementation.key);
  return keys;
}

bool useSgemm(const std::string& key) {
  const auto& list = implementations();
  const auto builtin = list.front().key == "openblas" ? list.begin() + 1 : list.begin();
  const auto named = [&](const Implementation& i) { return i.key == key; };
  const auto found = key == "builtin" ? builtin : std::find_if(list.begin(), list.end(), named);
  if (found == list.end()) return false;
  current = &*found;
  return true;
}

std::string sgemmName() { return current->name; }

}  // namespace clipkit
