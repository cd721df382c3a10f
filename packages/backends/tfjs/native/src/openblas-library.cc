#include "openblas-library.h"

#include <dlfcn.h>

namespace clipkit {
namespace {

template <typename Function>
Function symbol(void* library, const char* name) {
  return reinterpret_cast<Function>(dlsym(library, name));
}

// The first word pair of openblas_get_config() ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ...").
std::string version(const char* config) {
  const std::string text = config ? config : "OpenBLAS";
  const size_t first = text.find(' ');
  return first == std::string::npos ? text : text.substr(0, text.find(' ', first + 1));
}

const OpenBlasLibrary* load() {
  void* library = nullptr;
  for (const char* name : {"libopenblas.so.0", "libopenblas.so"}) {
    if ((library = dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
  }
  if (!library) return nullptr;
  const auto sgemm = symbol<decltype(OpenBlasLibrary::sgemm)>(library, "cblas_sgemm");
  const auto setThreads = symbol<void (*)(int)>(library, "openblas_set_num_threads");
  const auto corename = symbol<const char* (*)()>(library, "openblas_get_corename");
  const auto config = symbol<const char* (*)()>(library, "openblas_get_config");
  if (!sgemm || !setThreads || !corename || !config) {
    dlclose(library);
    return nullptr;
  }
  setThreads(1);
  // Kept, with the library, for the life of the process.
  return new OpenBlasLibrary{sgemm, version(config()) + " " + corename()};
}

}  // namespace

const OpenBlasLibrary* openBlasLibrary() {
  static const OpenBlasLibrary* const library = load();
  return library;
}

}  // namespace clipkit
