#!/usr/bin/env bash
# SGD, momentum, Nesterov, Adagrad, RMSProp and Adam on Fashion-MNIST (softmax, 5 epochs), three
# learning rates per rule, three seeds each; the best learning rate per rule is reported.
# Usage (from anywhere): experiments/update_rules/run.sh [DB]
# Without DB, the results go to a fresh temporary database that is deleted afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
source experiments/lib.sh
EXP=experiments/update_rules
results_db "$@"
start=$(date +%s.%N)
sweep "$EXP/config.yaml"
printf 'losslab-run: %s s wall\n' "$(seconds_since "$start")"
provenance
# SQL: "mean ± sample standard deviation" of an expression over the group.
ms() { echo "printf('%.4f ± %.4f', avg($1), sqrt(max(0, avg(($1) * ($1)) - avg($1) * avg($1)) * count($1) / max(1, count($1) - 1)))"; }

# One row per trial: rule, learning rate, and its epoch-1 and final epoch_metrics rows.
TRIALS="
  SELECT t.id, t.status, t.test_accuracy, o.value AS rule, lr.value AS lr,
         m1.val_accuracy AS val_1, m1.mean_loss AS loss_1, mN.val_accuracy AS val_end, mN.mean_loss AS loss_end
  FROM trials t
  JOIN experiments e ON e.id = t.experiment_id AND e.name = 'update-rules'
  JOIN trial_params o  ON o.trial_id  = t.id AND o.name  = 'optimizer'
  JOIN trial_params lr ON lr.trial_id = t.id AND lr.name = 'learning_rate'
  LEFT JOIN epoch_metrics m1 ON m1.trial_id = t.id AND m1.epoch = 1
  LEFT JOIN epoch_metrics mN ON mN.trial_id = t.id AND mN.epoch = t.epochs_done"
order_rules() { echo "CASE $1 WHEN 'sgd' THEN 1 WHEN 'momentum' THEN 2 WHEN 'nesterov' THEN 3
                       WHEN 'adagrad' THEN 4 WHEN 'rmsprop' THEN 5 ELSE 6 END"; }

echo "== Every rule x learning rate (3 seeds; epoch_metrics after epoch 1 and epoch 5) =="
q "
WITH r AS ($TRIALS)
SELECT rule, printf('%g', lr) AS learning_rate, count(*) AS seeds, group_concat(DISTINCT status) AS status,
       $(ms val_1) AS val_acc_epoch_1, $(ms val_end) AS val_acc_epoch_5,
       printf('%.3f', avg(loss_end)) AS loss_epoch_5
FROM r GROUP BY rule, lr ORDER BY $(order_rules rule), lr;"

echo "== Best learning rate per rule (highest mean validation accuracy after epoch 5), mean ± sd over 3 seeds =="
q "
WITH r AS ($TRIALS),
cell AS (SELECT rule, lr, avg(val_end) AS score FROM r GROUP BY rule, lr),
best AS (SELECT rule, lr FROM (SELECT *, row_number() OVER (PARTITION BY rule ORDER BY score DESC) AS k FROM cell) WHERE k = 1)
SELECT r.rule, printf('%g', r.lr) AS best_lr,
       $(ms r.val_1) AS val_acc_epoch_1, $(ms r.loss_1) AS loss_epoch_1,
       $(ms r.val_end) AS val_acc_epoch_5, $(ms r.loss_end) AS loss_epoch_5,
       $(ms r.test_accuracy) AS test_acc
FROM r JOIN best b ON b.rule = r.rule AND b.lr = r.lr
GROUP BY r.rule ORDER BY $(order_rules r.rule);"
