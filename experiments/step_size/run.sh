#!/usr/bin/env bash
# The effect of the learning rate on softmax + minibatch SGD, 1e-6 ... 1e5.
# Usage (from anywhere): experiments/step_size/run.sh [DB]
# Without DB, the results go to a fresh temporary database that is deleted afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
source experiments/lib.sh
EXP=experiments/step_size
results_db "$@"
start=$(date +%s.%N)
sweep "$EXP/config.yaml"
# Control: the large learning rates again without the L2 penalty (a second experiment, same DB).
sweep "$EXP/config.yaml" \
  --set name=step-size-no-l2 --set regularization.strength=0 \
  --set 'sweep.grid.optimizer.learning_rate=[1.0, 1.0e2, 1.0e4, 1.0e5]'
printf 'losslab-run (both sweeps): %s s wall\n' "$(seconds_since "$start")"
provenance
# SQL formatting an expression with 4 significant digits, NULL staying NULL (empty).
g() { echo "iif(($1) IS NULL, NULL, printf('%.4g', $1))"; }

# One row per trial with its learning rate.
TRIALS="
  SELECT t.*, lr.value AS lr
  FROM trials t
  JOIN experiments e ON e.id = t.experiment_id AND e.name = 'step-size'
  JOIN trial_params lr ON lr.trial_id = t.id AND lr.name = 'learning_rate'"

echo "== Outcome per learning rate (5 epochs x 250 steps, softmax, L2 1e-4) =="
q "
WITH r AS ($TRIALS)
SELECT printf('%g', lr) AS learning_rate, status,
       $(g final_loss) AS final_loss,
       round(val_accuracy, 4) AS val_acc,
       round(test_accuracy, 4) AS test_acc,
       diverged_step, error
FROM r ORDER BY lr;"

echo "== Minibatch loss curve: loss at steps 0, 50, 100, 250 and the last recorded step, min and max =="
q "
WITH r AS ($TRIALS),
h AS (SELECT r.lr, h.step, h.loss, max(h.step) OVER (PARTITION BY h.trial_id) AS last
      FROM loss_history h JOIN r ON r.id = h.trial_id)
SELECT printf('%g', lr) AS learning_rate,
       $(g 'max(loss) FILTER (WHERE step = 0)') AS step_0,
       $(g 'max(loss) FILTER (WHERE step = 50)') AS step_50,
       $(g 'max(loss) FILTER (WHERE step = 100)') AS step_100,
       $(g 'max(loss) FILTER (WHERE step = 250)') AS step_250,
       max(last) AS last_step,
       $(g 'max(loss) FILTER (WHERE step = last)') AS loss_last_step,
       $(g 'min(loss)') AS min_loss,
       $(g 'max(loss)') AS max_loss
FROM h GROUP BY lr ORDER BY lr;"

echo "== Validation accuracy after each epoch =="
q "
WITH r AS ($TRIALS)
SELECT printf('%g', r.lr) AS learning_rate,
       round(max(m.val_accuracy) FILTER (WHERE m.epoch = 1), 4) AS epoch_1,
       round(max(m.val_accuracy) FILTER (WHERE m.epoch = 2), 4) AS epoch_2,
       round(max(m.val_accuracy) FILTER (WHERE m.epoch = 3), 4) AS epoch_3,
       round(max(m.val_accuracy) FILTER (WHERE m.epoch = 4), 4) AS epoch_4,
       round(max(m.val_accuracy) FILTER (WHERE m.epoch = 5), 4) AS epoch_5
FROM r LEFT JOIN epoch_metrics m ON m.trial_id = r.id
GROUP BY r.lr ORDER BY r.lr;"

echo "== Control: the same large learning rates with no L2 penalty (regularization.strength = 0) =="
q "
SELECT printf('%g', lr.value) AS learning_rate, t.status, $(g t.final_loss) AS final_loss,
       round(t.val_accuracy, 4) AS val_acc, round(t.test_accuracy, 4) AS test_acc, t.diverged_step
FROM trials t
JOIN experiments e ON e.id = t.experiment_id AND e.name = 'step-size-no-l2'
JOIN trial_params lr ON lr.trial_id = t.id AND lr.name = 'learning_rate'
ORDER BY lr.value;"
