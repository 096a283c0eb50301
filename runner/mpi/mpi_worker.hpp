// A worker rank of an MPI sweep: loads the dataset once, then trains the groups rank 0 sends, one
// at a time, with the code a worker thread uses (train_group), and sends back every outcome. It
// never touches the database.
#pragma once

#include "mpi_channel.hpp"

namespace losslab::runner::mpi {

struct WorkerExit {
  int code = 0;
  bool abort_job = false;  // rank 0 is gone: nothing else will end the job
};

// `root_timeout_seconds`: how long rank 0 may stay silent while this worker waits for it before
// the worker takes it as gone (the same lease rank 0 grants its workers).
WorkerExit run_worker(Channel& channel, double root_timeout_seconds);

}  // namespace losslab::runner::mpi
