// The baselines of trial keys. A trial key (trials.cpp) hashes the experiment name and each active
// parameter whose value is not its baseline, so a parameter at its baseline leaves the key as if
// the parameter did not exist. These are the defaults the parameters had when this scheme began
// (schema version 2), written out once. Never change a row:
// - to change a default, change KeySpec::default_value alone: the trials that take the new
//   default then differ from the baseline and get new keys, as they must (they train differently);
// - a new parameter adds its row with the value that reproduces the behaviour from before it
//   existed, so that every existing trial keeps its key (KeyDocs.EveryParameterHasABaseline fails
//   for a parameter without one).
#include "config_schema.hpp"

namespace losslab::runner::detail {

const KeyBaselines& key_baselines() {
  static const KeyBaselines baselines{
    {"dataset.kind", "fashion-mnist"},
    {"dataset.path", ""},
    {"dataset.test_path", ""},
    {"dataset.test", "0"},
    {"dataset.validation", "0.1"},
    {"dataset.limit", "0"},
    {"dataset.test_limit", "0"},
    {"dataset.preprocess", "[standardize, bias]"},
    {"dataset.split_seed", "0"},
    {"dataset.header", "true"},
    {"dataset.label_column", "label"},
    {"dataset.synthetic.shape", "blobs"},
    {"dataset.synthetic.classes", "3"},
    {"dataset.synthetic.dimension", "2"},
    {"dataset.synthetic.per_class", "100"},
    {"dataset.synthetic.spread", "1"},
    {"dataset.synthetic.noise", "0.2"},
    {"dataset.synthetic.seed", "0"},
    {"dataset.synthetic.generator", "1"},
    {"loss.kind", "softmax"},
    {"loss.margin", "1"},
    {"regularization.kind", "l2"},
    {"regularization.strength", "1e-04"},
    {"regularization.beta", "1"},
    {"regularization.max_norm", "3"},
    {"regularization.regularize_bias", "false"},
    {"optimizer.kind", "sgd"},
    {"optimizer.learning_rate", "0.01"},
    {"optimizer.batch_size", "200"},
    {"optimizer.sampling", "with_replacement"},
    {"optimizer.momentum", "0.9"},
    {"optimizer.decay_rate", "0.99"},
    {"optimizer.beta1", "0.9"},
    {"optimizer.beta2", "0.999"},
    {"optimizer.epsilon", "1e-08"},
    {"optimizer.search_scale", "0.001"},
    {"optimizer.schedule.kind", "constant"},
    {"optimizer.schedule.gamma", "0.5"},
    {"optimizer.schedule.step_epochs", "5"},
    {"optimizer.schedule.decay", "0.1"},
    {"training.epochs", "10"},
    {"training.seed", "0"},
    {"training.init_scale", "0.001"},
    {"training.epoch_train_accuracy", "running"},
    {"training.eval_train_limit", "10000"},
  };
  return baselines;
}

}  // namespace losslab::runner::detail
