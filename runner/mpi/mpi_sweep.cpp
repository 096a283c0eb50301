#include "losslab/runner/mpi_sweep.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "group_executor.hpp"
#include "mpi_channel.hpp"
#include "mpi_coordinator.hpp"
#include "mpi_session.hpp"
#include "mpi_worker.hpp"

namespace losslab::runner {

int run_sweep_mpi(const RunOptions& options, std::ostream& out) {
  std::optional<mpi::Session> session;
  try {
    session.emplace();
  } catch (const std::exception& error) {
    spdlog::error("cannot start MPI: {}", error.what());
    return kExitRuntimeError;
  }
  // mpirun -np 1: nobody to hand work to; the single-process runner with its worker threads.
  if (session->size() == 1) return run_sweep(options, out);

  // Every rank parses the same command line: --jobs is each worker's training threads. Without it,
  // one, as for one rank per core.
  const unsigned worker_threads = options.jobs > 0 ? options.jobs : 1;
  int code = kExitRuntimeError;
  bool end_with_abort = false;
  try {
    mpi::Channel channel;
    if (session->rank() != 0) {
      spdlog::set_pattern(fmt::format("%l: rank {}: %v", session->rank()));
      const mpi::WorkerExit exit = mpi::run_worker(channel, options.worker_timeout, worker_threads);
      if (exit.abort_job) session->abort(exit.code);
      return exit.code;
    }
    mpi::Coordinator coordinator(channel, options.worker_timeout, worker_threads);
    code = run_sweep_with(options, out, coordinator);
    // A worker that does not stop would keep MPI_Finalize waiting for ever. So can a dead one:
    // Open MPI 4.1 (with --enable-recovery) often hangs in MPI_Finalize once ranks have died.
    // Everything is recorded by now, so the job ends by MPI_Abort instead.
    end_with_abort = !coordinator.shutdown() || coordinator.lost_a_worker();
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    end_with_abort = true;
  }
  // mpirun's own exit status does not always carry rank 0's (--enable-recovery reports 0).
  spdlog::info("rank 0 exit code {}", code);
  if (end_with_abort) {
    spdlog::info("ending the job with MPI_Abort (a worker rank died or would not stop)");
    session->abort(code);
  }
  return code;
}

}  // namespace losslab::runner
