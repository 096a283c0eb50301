// A worker rank of an MPI sweep: loads the dataset once, then trains the groups rank 0 sends on
// its own threads, several at once, with the code a single process's worker threads use
// (train_group, spare threads joining the last groups), and sends back every outcome. It never
// touches the database.
#pragma once

#include "mpi_channel.hpp"

namespace losslab::runner::mpi {

struct WorkerExit {
  int code = 0;
  bool abort_job = false;  // rank 0 is gone: nothing else will end the job
};

// `root_timeout_seconds`: how long rank 0 may stay silent while this worker waits for it before
// the worker takes it as gone (the same lease rank 0 grants its workers). `threads`: the training
// threads (--jobs), as many groups at once.
WorkerExit run_worker(Channel& channel, double root_timeout_seconds, unsigned threads);

}  // namespace losslab::runner::mpi
