// What losslab-gradcheck prints: a table per point, the worst coordinates, the verdict.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "losslab/loss.hpp"
#include "losslab/regularizer.hpp"
#include "trial_gradients.hpp"

namespace losslab::gradcheck {
namespace {

// The worst coordinates shown, over every point.
constexpr std::size_t kWorstShown = 5;

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

std::string regularization_text(const RegSpec& reg) {
  std::string text = to_string(reg.kind);
  if (reg.kind == RegKind::l1 || reg.kind == RegKind::l2 || reg.kind == RegKind::elastic_net)
    text += " (strength " + format("%g", reg.strength) + ")";
  if (reg.kind == RegKind::max_norm) text += " (a constraint: nothing to differentiate)";
  return text;
}

struct Located {
  const std::string* point;
  const CoordinateCheck* check;
};

void print_points(std::ostream& out, const GradcheckResult& result) {
  char line[160];
  std::snprintf(line, sizeof line, "%-16s %16s %16s %10s %8s\n", "point", "worst rel. error", "mean rel. error",
                "on a kink", "checked");
  out << line;
  for (const CheckedPoint& point : result.points) {
    const GradientCheckReport& r = point.report;
    const bool any = r.kink_free() > 0;
    std::snprintf(line, sizeof line, "%-16s %16s %16s %10zu %8zu\n", point.name.c_str(),
                  any ? format("%.2e", r.max_relative_error).c_str() : "-",
                  any ? format("%.2e", r.mean_relative_error).c_str() : "-", r.kinks_crossed, r.kink_free());
    out << line;
  }
}

void print_worst(std::ostream& out, const GradcheckResult& result) {
  std::vector<Located> kink_free, kinks;
  for (const CheckedPoint& point : result.points)
    for (const CoordinateCheck& check : point.report.coordinates)
      (check.kink_crossed ? kinks : kink_free).push_back({&point.name, &check});
  // NaN first: the worst there is.
  const auto worse = [](const Located& a, const Located& b) {
    const double x = a.check->relative_error, y = b.check->relative_error;
    return std::isnan(x) ? !std::isnan(y) : x > y;
  };
  std::stable_sort(kink_free.begin(), kink_free.end(), worse);
  char line[200];
  const auto print = [&](const Located& c) {
    const std::string where = "W[" + std::to_string(c.check->row) + ", " + std::to_string(c.check->col) + "]";
    std::snprintf(line, sizeof line, "  %-16s %-14s %16.8e %16.8e %12.2e\n", c.point->c_str(), where.c_str(),
                  c.check->analytic, c.check->numerical, c.check->relative_error);
    out << line;
  };
  if (!kink_free.empty()) {
    std::snprintf(line, sizeof line, "\nworst coordinates:\n  %-16s %-14s %16s %16s %12s\n", "point", "coordinate",
                  "analytic", "numerical", "rel. error");
    out << line;
    for (std::size_t i = 0; i < std::min(kWorstShown, kink_free.size()); ++i) print(kink_free[i]);
  }
  if (!kinks.empty()) {
    out << "\non a kink (W +- h on both sides of a hinge or of 0 under L1; left out of the verdict):\n";
    for (std::size_t i = 0; i < std::min(kWorstShown, kinks.size()); ++i) print(kinks[i]);
    if (kinks.size() > kWorstShown) out << "  ... " << kinks.size() - kWorstShown << " more\n";
  }
}

void print_verdict(std::ostream& out, const GradcheckResult& result, double threshold) {
  const GradientCheckReport& all = result.overall;
  const std::string counts = std::to_string(all.kink_free()) + " coordinate" + (all.kink_free() == 1 ? "" : "s") +
                             " off a kink (" + std::to_string(all.kinks_crossed) + " on a kink, left out)";
  switch (result.verdict) {
    case GradientCheckVerdict::pass:
      out << "\nPASS: worst relative error " << format("%.2e", all.max_relative_error) << " <= threshold "
          << format("%g", threshold) << " over " << counts << "\n";
      break;
    case GradientCheckVerdict::fail:
      out << "\nFAIL: worst relative error " << format("%.2e", all.max_relative_error) << " > threshold "
          << format("%g", threshold) << " over " << counts << "\n";
      break;
    case GradientCheckVerdict::inconclusive:
      out << "\nNOTHING CHECKED: every one of the " << all.coordinates.size()
          << " coordinates sat on a kink; try more --samples\n";
      break;
  }
}

}  // namespace

void print_gradcheck(std::ostream& out, const GradcheckResult& result, const GradcheckOptions& options) {
  const TrainerConfig trainer = runner::to_trainer_config(result.trial.params);
  const std::string trials = std::to_string(result.known_trials) + " trial" + (result.known_trials == 1 ? "" : "s");
  out << "trial " << result.trial.key << "  " << result.trial.name << "  ("
      << (options.trial_key.empty() ? "the first of " + trials + "; --trial KEY picks another" : "one of " + trials)
      << ")\n";
  out << "loss " << to_string(trainer.loss.kind) << ", regularization " << regularization_text(trainer.regularization)
      << "\n";
  out << "batch: " << result.batch << " of " << result.training_examples << " training examples; W " << result.rows
      << " x " << result.classes << "; "
      << (options.samples == 0 ? std::string("every coordinate") : std::to_string(options.samples) + " coordinates")
      << " at each point\n";
  out << "centered differences in float64, h = " << format("%g", GradientCheckOptions{}.h)
      << "; relative error |a - n| / max(|a|, |n|, " << format("%g", kGradientCheckFloor) << " max(1, |loss|))\n\n";
  print_points(out, result);
  if (!result.note.empty()) out << "note: " << result.note << "\n";
  print_worst(out, result);
  print_verdict(out, result, options.threshold);
}

}  // namespace losslab::gradcheck
