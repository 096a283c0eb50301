// A small Fashion-MNIST sweep config for end-to-end tests: the first `limit` training images,
// 1000 of them for validation, softmax + SGD, and the given `sweep:` block (indented by 2).
// `preprocess` false leaves the dataset's default preprocessing.
#pragma once

#include <string>

namespace losslab::test_support {

inline std::string small_fashion_config(const std::string& name, int limit, int epochs, const std::string& sweep,
                                        bool preprocess = true) {
  return "name: " + name +
         "\n"
         "dataset:\n"
         "  kind: fashion-mnist\n"
         "  path: " LOSSLAB_FASHION_MNIST_DIR "\n"
         "  validation: 1000\n"
         "  limit: " + std::to_string(limit) + "\n" +
         (preprocess ? "  preprocess: [standardize, bias]\n" : "") +
         "loss: {kind: softmax}\n"
         "regularization: {kind: l2, strength: 1.0e-4}\n"
         "optimizer: {kind: sgd, learning_rate: 1.0e-2, batch_size: 100}\n"
         "training: {epochs: " + std::to_string(epochs) + ", seed: 0}\n"
         "sweep:\n" + sweep;
}

}  // namespace losslab::test_support
