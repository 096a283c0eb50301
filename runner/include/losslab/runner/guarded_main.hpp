// The body of every losslab executable's main(): no exception leaves main, whatever the input.
// An exception that nothing nearer handled ends the program as a clear error on stderr with the
// program's documented exit code, rather than std::terminate's "terminate called after throwing"
// and a core dump (exit 134).
#pragma once

#include <cstdio>
#include <exception>
#include <new>

namespace losslab::runner {

template <class Body>
int guarded_main(const char* program, int failure_exit_code, Body&& body) noexcept {
  try {
    try {
      return body();
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "%s: out of memory: the input asks for more memory than this machine can give\n",
                   program);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "%s: %s\n", program, error.what());
    } catch (...) {
      std::fprintf(stderr, "%s: stopped by an unknown error\n", program);
    }
  } catch (...) {
    // what() or fprintf itself failed: nothing more can be said.
  }
  return failure_exit_code;
}

}  // namespace losslab::runner
