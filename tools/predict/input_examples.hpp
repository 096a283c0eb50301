// The examples losslab-predict scores, read as the trial's data files held them (before any
// preprocessing), by core's loaders: which format INPUT is read as follows from the dataset kind
// the trial was trained on, and the file's name.
#pragma once

#include <string>

#include "losslab/dataset.hpp"
#include "trial_model.hpp"

namespace losslab::predictions {

enum class InputFormat { idx, cifar10, csv };

// A name ending in .csv or .csv.gz is CSV whatever the trial's data was; otherwise IDX images for a
// trial trained on fashion-mnist / mnist, a CIFAR-10 batch for cifar10, CSV for csv and synthetic data.
InputFormat input_format(const std::string& dataset_kind, const std::string& path);
std::string to_string(InputFormat format);  // "IDX images", "a CIFAR-10 batch", "CSV"

// The labels file of IDX images `images_path` by the MNIST naming convention (...-images-idx3-ubyte
// -> ...-labels-idx1-ubyte, raw or .gz), when one is there; empty otherwise.
std::string idx_labels_beside(const std::string& images_path);

struct InputOptions {
  std::string path;
  std::string labels_path;  // IDX: the labels file; empty: idx_labels_beside(path), if any
};

// X holds the raw features in the order of W's rows (without the bias column); y the labels when
// the input has them (IDX with a labels file, a CIFAR-10 batch, CSV with the label column), else
// y is empty. class_names are the trial's. Throws DatasetError (the file is unreadable or
// malformed, its examples have another shape or other columns than the trial's, a label is not
// one of its classes).
Dataset read_input(const report::TrialModel& model, const InputOptions& options);

}  // namespace losslab::predictions
