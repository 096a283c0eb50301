// Which kernels run the float matrix products, and keeping them on the calling thread.
#pragma once

#include <string>

namespace losslab {

// "OpenBLAS ..." (its build configuration, naming the kernel it picked for this CPU) when built
// with LOSSLAB_BLAS, "Eigen x.y.z" when Eigen's own kernels run the products.
std::string product_backend();

// Makes every matrix product run on the thread that calls it. OpenBLAS would otherwise start its
// own threads inside each product, on top of losslab's worker threads and work teams, and
// oversubscribe the cores; its idle helper threads are stopped too. Idempotent and cheap;
// training calls it before its first step, and losslab-run as it starts (before loading data).
void keep_products_on_calling_thread();

// The threads a product may use: 1 after keep_products_on_calling_thread(), and always 1 for
// Eigen's kernels (losslab never enables Eigen's OpenMP).
int product_threads();

}  // namespace losslab
