#!/bin/bash
# One losslab sweep over a Slurm allocation: rank 0 expands the trials, hands the fused groups
# out and is the only process that writes the database; every other rank loads the dataset once
# and trains one group at a time. Submit from the losslab checkout:
#
#   sbatch experiments/cluster/slurm.sh configs/fashion_mnist_sweep.yaml results.db
#
# Resubmitting the same command resumes: finished trials are skipped, the trials a killed job
# left behind are taken over (after 30 s without a heartbeat when the new rank 0 runs on another
# node). See README.md, "Running on a cluster".
#
#SBATCH --job-name=losslab-sweep
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=32   # one rank per core: a worker rank trains single-threaded
#SBATCH --cpus-per-task=1
#SBATCH --mem-per-cpu=1G       # every rank holds its own copy of the dataset (Fashion-MNIST: ~0.3 GB)
#SBATCH --time=02:00:00
#SBATCH --output=losslab-%j.out
set -euo pipefail

config=${1:?usage: sbatch experiments/cluster/slurm.sh CONFIG.yaml [DATABASE]}
database=${2:-results.db}
# Built on the login node with -DLOSSLAB_NATIVE=OFF unless every node has the same CPU: a
# -march=native binary may not run on other nodes, and it keeps histories bit for bit equal
# across node types.
losslab_run=${LOSSLAB_RUN:-build/bin/losslab-run}

# Open MPI's mpirun reads the allocation from Slurm. Where Slurm was built with PMIx, `srun
# --mpi=pmix "$losslab_run" ...` starts the same job. Workers that die end the job by default;
# add --enable-recovery to let rank 0 hand their groups to the others instead (mpirun then exits
# 0 whatever happened: read the last lines of the log, "rank 0 exit code N").
# --worker-timeout: a worker (or rank 0) silent this long is taken as dead.
mpirun "$losslab_run" "$config" --db "$database" --no-progress --worker-timeout 120
