// Kept apart from the MPI code (runner/mpi) so a build without MPI can still tell that mpirun
// started it, and say that it cannot cooperate.
#include <cstdlib>

#include "losslab/runner/mpi_sweep.hpp"

namespace losslab::runner {

bool started_by_mpi_launcher() {
  // Open MPI's mpirun; any PMIx launcher (Open MPI 4+, Slurm's srun --mpi=pmix); PMI-1/2
  // launchers (srun --mpi=pmi2, MPICH's hydra).
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(variable) != nullptr) return true;
  return false;
}

}  // namespace losslab::runner
