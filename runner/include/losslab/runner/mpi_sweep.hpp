// One sweep over the ranks of an MPI job (mpirun, mpiexec, or Slurm's srun): rank 0 does what
// run_sweep does, but hands the trial groups to the other ranks instead of worker threads.
#pragma once

#include <iosfwd>

#include "losslab/runner/sweep_runner.hpp"

namespace losslab::runner {

// Whether an MPI launcher started this process (it sets OMPI_COMM_WORLD_SIZE, PMIX_RANK or
// PMI_SIZE). A plain `losslab-run` never initializes MPI.
bool started_by_mpi_launcher();

// Initializes MPI and runs the sweep: rank 0 coordinates and is the only database writer (it trains
// nothing), every other rank loads the dataset once and trains the groups rank 0 hands out on
// options.jobs threads (1 when not given). With a single rank, the same as run_sweep. Only in
// builds with MPI (LOSSLAB_WITH_MPI); returns an ExitCode.
int run_sweep_mpi(const RunOptions& options, std::ostream& out);

}  // namespace losslab::runner
