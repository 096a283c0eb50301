#!/usr/bin/env bash
# Random search vs random local search vs minibatch SGD on Fashion-MNIST, same budget of 1000
# minibatch evaluations. Usage (from anywhere): experiments/random_vs_gradient_descent/run.sh [DB]
# Without DB, the results go to a fresh temporary database that is deleted afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
source experiments/lib.sh
EXP=experiments/random_vs_gradient_descent
results_db "$@"
start=$(date +%s.%N)
sweep "$EXP/config.yaml"
printf 'losslab-run: %s s wall\n' "$(seconds_since "$start")"
provenance

echo "== Test accuracy after 1000 minibatches of 200 (3 seeds: mean, min, max) =="
q "
WITH r AS (
  SELECT l.value AS loss, o.value AS optimizer, lr.value AS step, t.*
  FROM trials t
  JOIN experiments e ON e.id = t.experiment_id AND e.name = 'random-vs-gradient-descent'
  JOIN trial_params l  ON l.trial_id  = t.id AND l.name  = 'loss'
  JOIN trial_params o  ON o.trial_id  = t.id AND o.name  = 'optimizer'
  JOIN trial_params lr ON lr.trial_id = t.id AND lr.name = 'learning_rate')
SELECT loss, optimizer,
       CASE optimizer WHEN 'random_search' THEN '-' ELSE printf('%g', step) END AS step_size,
       count(*) AS seeds, group_concat(DISTINCT status) AS status,
       printf('%.4f', avg(test_accuracy)) AS test_mean,
       printf('%.4f', min(test_accuracy)) AS test_min,
       printf('%.4f', max(test_accuracy)) AS test_max,
       printf('%.3f', avg(final_loss)) AS last_epoch_loss
FROM r GROUP BY loss, optimizer, step
ORDER BY loss DESC, avg(test_accuracy);"

echo "== Minibatch loss along the run (mean over seeds) at steps 0, 100, 250, 500, 999 =="
q "
SELECT l.value AS loss, o.value AS optimizer,
       CASE o.value WHEN 'random_search' THEN '-' ELSE printf('%g', lr.value) END AS step_size,
       printf('%.3f', avg(h.loss) FILTER (WHERE h.step = 0))   AS step_0,
       printf('%.3f', avg(h.loss) FILTER (WHERE h.step = 100)) AS step_100,
       printf('%.3f', avg(h.loss) FILTER (WHERE h.step = 250)) AS step_250,
       printf('%.3f', avg(h.loss) FILTER (WHERE h.step = 500)) AS step_500,
       printf('%.3f', avg(h.loss) FILTER (WHERE h.step = 999)) AS step_999
FROM loss_history h
JOIN trials t ON t.id = h.trial_id
JOIN experiments e ON e.id = t.experiment_id AND e.name = 'random-vs-gradient-descent'
JOIN trial_params l  ON l.trial_id  = t.id AND l.name  = 'loss'
JOIN trial_params o  ON o.trial_id  = t.id AND o.name  = 'optimizer'
JOIN trial_params lr ON lr.trial_id = t.id AND lr.name = 'learning_rate'
WHERE h.step IN (0, 100, 250, 500, 999)
GROUP BY l.value, o.value, lr.value
ORDER BY l.value DESC, avg(h.loss) FILTER (WHERE h.step = 999) DESC;"

echo "== Random search: same seed, same pick under both losses? =="
q "
SELECT t.seed, group_concat(l.value || '=' || printf('%.4f', t.test_accuracy), '  ') AS test_accuracy_by_loss
FROM trials t
JOIN experiments e ON e.id = t.experiment_id AND e.name = 'random-vs-gradient-descent'
JOIN trial_params o ON o.trial_id = t.id AND o.name = 'optimizer' AND o.value = 'random_search'
JOIN trial_params l ON l.trial_id = t.id AND l.name = 'loss'
GROUP BY t.seed ORDER BY t.seed;"
