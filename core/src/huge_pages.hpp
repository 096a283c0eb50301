// Asking the kernel for transparent huge pages on a large buffer (private to core/src).
#pragma once

#include <cstddef>

namespace losslab::detail {

// Marks the 2 MiB-aligned part of [data, data + bytes) for transparent huge pages, when the
// system offers them on request (THP "madvise" mode, Debian's default). Call it on a fresh
// allocation before writing to it: the first touch then maps 2 MiB at a time instead of 4 KiB,
// which removes most of the page-fault time of filling a dataset matrix and the TLB misses of
// reading random minibatch rows from it. Only advice: does nothing where unsupported.
void advise_huge_pages(void* data, std::size_t bytes);

// Has the kernel map [data, data + bytes) for writing now (MADV_POPULATE_WRITE) without changing
// what is there, so that another thread may fill that memory meanwhile: it then finds most pages
// already mapped. Only a speed-up: does nothing where unsupported (Linux < 5.14).
void map_for_writing(void* data, std::size_t bytes);

}  // namespace losslab::detail
