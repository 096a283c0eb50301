// The rows of the results database as the results module reads them back: one struct per thing a
// reader asks for, with SQL NULL as NaN (numbers) or -1 (ids, steps). runner/results/README.md
// documents every column.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "losslab/dataset.hpp"
#include "losslab/classification_metrics.hpp"
#include "losslab/runner/params.hpp"

namespace losslab::runner {

struct ExperimentInfo {
  std::int64_t id = 0;
  std::string name;
  std::string created_at;
  std::string config_yaml;
};

struct TrialRecord {
  std::int64_t id = 0;
  std::string key, name, status;
  std::map<std::string, ParamValue> params;  // trial_params: short name -> typed value
  std::set<std::string> swept;               // short names of the swept parameters
  std::string params_json;                   // every resolved parameter by dotted key
  double train_accuracy = 0, val_accuracy = 0, test_accuracy = 0;  // NaN when NULL
  double final_loss = 0, train_seconds = 0;                       // NaN when NULL
  std::int64_t epochs_done = 0;
  std::int64_t diverged_step = -1;  // -1 when NULL
  std::string error;
  int rung = -1;   // the halving rung it last trained in; -1 outside a halving search
  int round = -1;  // the round of the adaptive sampler (TPE) that chose it; -1 for other trials
  // Macro-F1 of the validation and test predictions; NaN when NULL (no split, not scored, or
  // recorded before schema version 4).
  double val_macro_f1 = 0, test_macro_f1 = 0;
  std::int64_t train_examples = -1;  // the training examples it was trained on; -1 when NULL
  std::int64_t refit_of = -1;        // a refit: the id of the search trial it retrains; -1 otherwise

  bool is_refit() const { return refit_of >= 0; }
};

// A trial's confusion matrices (trial_confusion), truth x predicted; absent for a split without rows.
struct TrialConfusion {
  std::optional<ConfusionMatrix> val, test;
};

struct EpochRow {
  std::int64_t epoch = 0;
  double mean_loss = 0, train_accuracy = 0, val_accuracy = 0, learning_rate = 0, seconds = 0;  // NaN when NULL
};

// One row of trial_rungs: a trial's metrics at the end of a rung of a halving search.
struct RungRecord {
  std::int64_t trial_id = 0;
  int bracket = 0, rung = 0, epochs = 0;
  double val_accuracy = 0, train_accuracy = 0, final_loss = 0;  // NaN when NULL
  std::string outcome;  // promoted, pruned, completed, diverged, failed; empty until decided
};

struct Weights {
  std::int64_t rows = 0, cols = 0;  // D x C
  bool has_bias_row = false;
  std::vector<float> values;        // column-major: class c is values[c*rows .. (c+1)*rows)
  std::int64_t preprocessing_id = -1;  // the `preprocessing` row they apply after; -1: none recorded
};

// What scoring raw examples with a trial's weights takes besides W (the tables `preprocessing`
// and `preprocessing_steps`): which loader's files the data came from and how they lay out one
// example, the classes in label order, and the preprocessing fitted on the training split.
struct Preprocessing {
  std::string dataset_kind;                // dataset.kind: fashion-mnist, mnist, cifar10, csv, synthetic
  FeatureLayout layout;                    // the input shape, and a CSV's feature column names
  std::string label_column;                // csv: the label column's name; empty otherwise
  std::vector<std::string> class_names;    // in label order
  std::vector<FittedPreprocessStep> steps;  // in order; a bias step (the constant-1 column) comes last
};

}  // namespace losslab::runner
