#include "losslab/products.hpp"

#include <Eigen/Core>

#include <mutex>

#ifdef LOSSLAB_WITH_OPENBLAS
// Declared here rather than through <cblas.h>: Debian's cblas.h is an alternative that may be
// the reference CBLAS, which lacks these OpenBLAS extensions.
extern "C" {
void openblas_set_num_threads(int threads);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
// Not in any header: what OpenBLAS's pthread build calls before a fork to stop its helper threads
// (it starts them again when a product wants more than one thread). Other builds lack it: weak.
int blas_thread_shutdown_(void) __attribute__((weak));
}
#endif

namespace losslab {

std::string product_backend() {
#ifdef LOSSLAB_WITH_OPENBLAS
  return openblas_get_config();
#else
  return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
         std::to_string(EIGEN_MINOR_VERSION);
#endif
}

void keep_products_on_calling_thread() {
#ifdef LOSSLAB_WITH_OPENBLAS
  static std::once_flag once;
  std::call_once(once, [] {
    openblas_set_num_threads(1);
    // The pthread build starts a helper per extra core as the library loads, and each polls for
    // work (sched_yield) for ~0.1 s before it sleeps: CPU taken from loading the dataset. With
    // one thread per product they would never get any.
    if (blas_thread_shutdown_ != nullptr) blas_thread_shutdown_();
  });
#endif
}

int product_threads() {
#ifdef LOSSLAB_WITH_OPENBLAS
  return openblas_get_num_threads();
#else
  return 1;
#endif
}

}  // namespace losslab
