// MPI_Init_thread / MPI_Finalize for the lifetime of one object. Only the main thread calls MPI
// (MPI_THREAD_FUNNELED): rank 0's writer and progress threads never do.
#pragma once

namespace losslab::runner::mpi {

class Session {
 public:
  Session();   // throws std::runtime_error if MPI cannot start
  ~Session();  // MPI_Finalize, unless abort() ran
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ends every rank of the job with `exit_code` (when a peer will not stop by itself).
  [[noreturn]] void abort(int exit_code);

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace losslab::runner::mpi
