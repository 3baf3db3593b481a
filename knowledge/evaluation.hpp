#pragma once
// `access-bot eval`: accuracy of the intent engine on a labelled JSON Lines file in the format of
// ../shared/eval/dev.jsonl, optionally with k-fold cross-validation (train on the built-in
// content plus k-1 folds, test on the remaining fold).

#include "knowledge/classifier.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ab::knowledge {

struct labelled_item {
    std::string id;
    lang language = lang::en;
    std::string text;
    intent label = intent::out_of_scope;
    std::vector<intent> acceptable; ///< empty unless ambiguous
    bool ambiguous = false;
    role speaker = role::user;
    std::optional<std::string> domain;
};

/// Parses labelled JSON Lines. Throws content_error naming the line on malformed input.
std::vector<labelled_item> load_labelled(const std::filesystem::path& file);
std::vector<labelled_item> parse_labelled(std::string_view jsonl, const std::string& source_name);

/// Training examples from labelled items (for `--train-extra` and cross-validation).
std::vector<training_example> to_training(const std::vector<labelled_item>& items);

struct eval_options {
    int folds = 0;                 ///< 0 or 1: train on the content only; k >= 2: k-fold CV
    engine_options engine;
    bool list_errors = false;
};

/// Sets one engine parameter from "name=value" (temperature, out_of_scope_threshold,
/// out_of_scope_floor, ambiguity_threshold, ambiguity_ratio, epochs, learning_rate), for tuning
/// with `access-bot eval --set`. Throws content_error on an unknown name or a bad value.
void set_engine_parameter(engine_options& opt, std::string_view assignment);

/// Runs the evaluation and returns the report as JSON (the `--json` output).
nlohmann::json evaluate(const content& c, const std::vector<labelled_item>& items, const eval_options& opt);

/// Human-readable rendering of the report.
std::string format_report(const nlohmann::json& report);

} // namespace ab::knowledge
