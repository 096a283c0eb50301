#!/usr/bin/env bash
# SVM vs softmax: (1) the same grid on Fashion-MNIST (config.yaml); (2) a separable subset trained
# to convergence without regularization (separable.yaml).
# Usage (from anywhere): experiments/svm_vs_softmax/run.sh [DB]
# Without DB, the results go to a fresh temporary database that is deleted afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
source experiments/lib.sh
EXP=experiments/svm_vs_softmax
results_db "$@"
start=$(date +%s.%N)
sweep "$EXP/config.yaml"
sweep "$EXP/separable.yaml"
printf 'losslab-run (both configs): %s s wall\n' "$(seconds_since "$start")"
provenance

GRID="
  SELECT t.*, l.value AS loss, lr.value AS lr, reg.value AS reg
  FROM trials t
  JOIN experiments e ON e.id = t.experiment_id AND e.name = 'svm-vs-softmax'
  JOIN trial_params l   ON l.trial_id   = t.id AND l.name   = 'loss'
  JOIN trial_params lr  ON lr.trial_id  = t.id AND lr.name  = 'learning_rate'
  JOIN trial_params reg ON reg.trial_id = t.id AND reg.name = 'strength'"

echo "== (1) Same grid, same data: validation accuracy, mean of 3 seeds (5 epochs of SGD) =="
q "
WITH r AS ($GRID)
SELECT printf('%g', lr) AS learning_rate, printf('%g', reg) AS reg,
       round(avg(val_accuracy) FILTER (WHERE loss = 'svm'), 4)     AS svm_val,
       round(avg(val_accuracy) FILTER (WHERE loss = 'softmax'), 4) AS softmax_val,
       round(avg(val_accuracy) FILTER (WHERE loss = 'softmax')
           - avg(val_accuracy) FILTER (WHERE loss = 'svm'), 4)     AS softmax_minus_svm,
       round(avg(final_loss) FILTER (WHERE loss = 'svm'), 3)       AS svm_loss,
       round(avg(final_loss) FILTER (WHERE loss = 'softmax'), 3)   AS softmax_loss,
       group_concat(DISTINCT status) AS status
FROM r GROUP BY lr, reg ORDER BY lr, reg;"

echo "== Best grid point per loss (by mean validation accuracy over the seeds) =="
q "
WITH r AS ($GRID),
cell AS (SELECT loss, lr, reg, avg(val_accuracy) AS val, min(val_accuracy) AS val_min,
                max(val_accuracy) AS val_max, avg(test_accuracy) AS test,
                min(test_accuracy) AS test_min, max(test_accuracy) AS test_max
         FROM r GROUP BY loss, lr, reg),
ranked AS (SELECT *, row_number() OVER (PARTITION BY loss ORDER BY val DESC) AS rank FROM cell)
SELECT loss, printf('%g', lr) AS learning_rate, printf('%g', reg) AS reg,
       printf('%.4f [%.4f, %.4f]', val, val_min, val_max) AS val_mean_min_max,
       printf('%.4f [%.4f, %.4f]', test, test_min, test_max) AS test_mean_min_max
FROM ranked WHERE rank = 1 ORDER BY loss;"

SEP="
  SELECT t.*, l.value AS loss
  FROM trials t
  JOIN experiments e ON e.id = t.experiment_id AND e.name = 'svm-vs-softmax-separable'
  JOIN trial_params l ON l.trial_id = t.id AND l.name = 'loss'"

echo "== (2) Separable subset (800 training images, no regularization, 2000 epochs of 4 minibatches) =="
echo "   mean training loss (epoch_metrics.mean_loss) after epoch ..."
q "
WITH r AS ($SEP)
SELECT r.loss,
       printf('%.3g', max(m.mean_loss) FILTER (WHERE m.epoch = 1))    AS ep_1,
       printf('%.3g', max(m.mean_loss) FILTER (WHERE m.epoch = 10))   AS ep_10,
       printf('%.3g', max(m.mean_loss) FILTER (WHERE m.epoch = 50))   AS ep_50,
       printf('%.3g', max(m.mean_loss) FILTER (WHERE m.epoch = 100))  AS ep_100,
       printf('%.3g', max(m.mean_loss) FILTER (WHERE m.epoch = 500))  AS ep_500,
       printf('%.3g', max(m.mean_loss) FILTER (WHERE m.epoch = 1000)) AS ep_1000,
       printf('%.3g', max(m.mean_loss) FILTER (WHERE m.epoch = 2000)) AS ep_2000,
       min(m.epoch) FILTER (WHERE m.mean_loss = 0) AS first_epoch_loss_0,
       min(m.epoch) FILTER (WHERE m.train_accuracy = 1) AS first_epoch_train_acc_1
FROM r JOIN epoch_metrics m ON m.trial_id = r.id
GROUP BY r.loss ORDER BY r.loss DESC;"

echo "   minibatch losses (loss_history) and whether W still moves (validation accuracy over epochs 101-2000)"
q "
WITH r AS ($SEP)
SELECT r.loss,
       (SELECT count(*) FROM loss_history h WHERE h.trial_id = r.id) AS steps,
       (SELECT count(*) FROM loss_history h WHERE h.trial_id = r.id AND h.loss = 0) AS steps_with_loss_0,
       (SELECT printf('%.3g', min(h.loss)) FROM loss_history h WHERE h.trial_id = r.id) AS min_minibatch_loss,
       (SELECT count(DISTINCT m.val_accuracy) FROM epoch_metrics m
         WHERE m.trial_id = r.id AND m.epoch > 100) AS distinct_val_acc_after_100,
       (SELECT round(max(m.val_accuracy) - min(m.val_accuracy), 4) FROM epoch_metrics m
         WHERE m.trial_id = r.id AND m.epoch > 100) AS val_acc_range_after_100,
       round(r.train_accuracy, 4) AS train_acc, round(r.val_accuracy, 4) AS val_acc,
       round(r.test_accuracy, 4) AS test_acc
FROM r ORDER BY r.loss DESC;"
