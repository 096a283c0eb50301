#!/bin/bash
# One losslab sweep over a Slurm allocation, one rank per node: rank 0 expands the trials, hands
# the fused groups out and is the only process that writes the database (it trains nothing);
# every other rank loads the dataset once for its node and trains on all of the node's cores
# (--jobs), several groups at once, its free threads joining the last groups. Submit from the
# losslab checkout:
#
#   sbatch experiments/cluster/slurm.sh configs/fashion_mnist_sweep.yaml results.db
#   sbatch --nodes=8 --cpus-per-task=64 experiments/cluster/slurm.sh CONFIG.yaml results.db
#
# Resubmitting the same command resumes: finished trials are skipped, the trials a killed job
# left behind are taken over (after 30 s without a heartbeat when the new rank 0 runs on another
# node). See runner/README.md, "Running on a cluster".
#
#SBATCH --job-name=losslab-sweep
#SBATCH --nodes=4              # 4 worker ranks, one per node
#SBATCH --ntasks-per-node=1    # one rank per node: it trains on --cpus-per-task threads
#SBATCH --cpus-per-task=32     # the node's cores
#SBATCH --mem=4G               # per node: one copy of the dataset (Fashion-MNIST: ~0.1 GB) and the groups in training
#SBATCH --time=02:00:00
#SBATCH --output=losslab-%j.out
set -euo pipefail

config=${1:?usage: sbatch experiments/cluster/slurm.sh CONFIG.yaml [DATABASE]}
database=${2:-results.db}
# Built on the login node with -DLOSSLAB_NATIVE=OFF unless every node has the same CPU: a
# -march=native binary may not run on other nodes, and it keeps histories bit for bit equal
# across node types.
losslab_run=${LOSSLAB_RUN:-build/bin/losslab-run}

# One rank more than nodes: rank 0 only coordinates (it polls and writes the database, a small
# share of one core), so it shares the first node with the last worker. --map-by node puts ranks
# 0, 1, ... on nodes 1, 2, ... and the last one back on node 1; --oversubscribe lets the first
# node take two ranks; --bind-to none leaves each worker's threads free to use every core of its
# node (Open MPI would otherwise bind each rank to one core or socket). Workers that die end the
# job by default; add --enable-recovery to let rank 0 hand their groups to the others instead
# (mpirun then exits 0 whatever happened: read the last lines of the log, "rank 0 exit code N").
# --worker-timeout: a worker (or rank 0) silent this long is taken as dead.
mpirun -np $((SLURM_NNODES + 1)) --map-by node --oversubscribe --bind-to none \
  "$losslab_run" "$config" --db "$database" --jobs "$SLURM_CPUS_PER_TASK" --no-progress --worker-timeout 120

# Where Slurm was built with PMIx, srun starts the same job (srun does not read
# SLURM_CPUS_PER_TASK from the batch job since Slurm 22.05, so it is passed on; --overcommit lets
# the first node take rank 0 beside its worker; cyclic puts rank 0 and the last rank on node 1):
#   srun --mpi=pmix --ntasks=$((SLURM_NNODES + 1)) --overcommit --distribution=cyclic \
#     --cpus-per-task="$SLURM_CPUS_PER_TASK" "$losslab_run" "$config" --db "$database" \
#     --jobs "$SLURM_CPUS_PER_TASK" --no-progress --worker-timeout 120
