// The results store's record of what scoring raw examples with a trial's weights takes besides W
// (tables `preprocessing` and `preprocessing_steps`): written once per distinct content and shared
// by every trial trained on the same prepared data.
#include <SQLiteCpp/SQLiteCpp.h>

#include <nlohmann/json.hpp>

#include "losslab/runner/results/store.hpp"
#include "losslab/splits.hpp"
#include "losslab/stable_hash.hpp"
#include "store_sql.hpp"

namespace losslab::runner {
namespace {

using namespace store_sql;

std::string json_text(const auto& values) { return nlohmann::json(values).dump(); }

// Names the content: every column and every fitted value, so two rows with one digest are the same
// preprocessing and a changed value gets a row of its own.
std::string digest(const Preprocessing& preprocessing) {
  std::string content = nlohmann::json{{"dataset_kind", preprocessing.dataset_kind},
                                       {"input_shape", preprocessing.layout.shape},
                                       {"feature_names", preprocessing.layout.names},
                                       {"label_column", preprocessing.label_column},
                                       {"class_names", preprocessing.class_names}}
                            .dump();
  for (const FittedPreprocessStep& step : preprocessing.steps) {
    content += "|" + to_string(step.kind) + ":" + std::to_string(step.offset.size()) + ":" +
               std::to_string(step.scale.size()) + ":";
    content.append(reinterpret_cast<const char*>(step.offset.data()), step.offset.size() * sizeof(float));
    content.append(reinterpret_cast<const char*>(step.scale.data()), step.scale.size() * sizeof(float));
  }
  return stable_hash_hex(content);
}

// An array the step does not have (bias has neither; mean_subtract no scale) is NULL.
void bind_vector(SQLite::Statement& statement, int index, const Vector<float>& values) {
  if (values.size() == 0)
    statement.bind(index);
  else
    bind_floats(statement, index, values.data(), static_cast<std::size_t>(values.size()));
}

}  // namespace

std::int64_t ResultsStore::record_preprocessing(const Preprocessing& preprocessing) {
  const std::string key = digest(preprocessing);
  return guarded(path_, "record preprocessing", [&] {
    auto transaction = write_transaction(*db_);
    SQLite::Statement find(*db_, "SELECT id FROM preprocessing WHERE digest = ?");
    find.bind(1, key);
    if (find.executeStep()) return find.getColumn(0).getInt64();
    find.reset();
    SQLite::Statement insert(*db_, R"sql(
      INSERT INTO preprocessing (digest, dataset_kind, input_shape, feature_names, label_column, class_names)
      VALUES (?, ?, ?, ?, ?, ?))sql");
    insert.bind(1, key);
    insert.bind(2, preprocessing.dataset_kind);
    insert.bind(3, json_text(preprocessing.layout.shape));
    bind_text(insert, 4, preprocessing.layout.names.empty() ? "" : json_text(preprocessing.layout.names));
    bind_text(insert, 5, preprocessing.label_column);
    insert.bind(6, json_text(preprocessing.class_names));
    insert.exec();
    const std::int64_t id = db_->getLastInsertRowid();
    SQLite::Statement step(*db_, R"sql(
      INSERT INTO preprocessing_steps (preprocessing_id, position, step, offsets, scales) VALUES (?, ?, ?, ?, ?))sql");
    for (std::size_t k = 0; k < preprocessing.steps.size(); ++k) {
      const FittedPreprocessStep& fitted = preprocessing.steps[k];
      step.bind(1, id);
      step.bind(2, static_cast<std::int64_t>(k));
      step.bind(3, to_string(fitted.kind));
      bind_vector(step, 4, fitted.offset);
      bind_vector(step, 5, fitted.scale);
      step.exec();
      step.reset();
    }
    transaction.commit();
    return id;
  });
}

}  // namespace losslab::runner
