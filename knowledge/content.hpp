#pragma once
// Built-in knowledge content (knowledge/data): training utterances, answer texts, UI strings and
// the settings catalog, per language. Loaded from the copy compiled into the binary, or from a
// directory with the same layout (for editing content without rebuilding).

#include "knowledge/intent.hpp"
#include "knowledge/text.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ab::knowledge {

struct utterance {
    std::string text;
    lang language = lang::en;
    intent label = intent::out_of_scope;
    role speaker = role::user;
    /// Could be external or guest access; a careful agent would ask (label is external_access).
    bool ambiguous = false;
};

struct answer_text {
    std::string title;
    std::string summary;
    std::string explanation;
    std::vector<std::string> user_steps;
    std::vector<std::string> admin_steps;
};

struct setting {
    std::string id;
    std::array<std::string, answer_language_count> names;
    std::array<std::string, answer_language_count> descriptions;
    std::array<std::string, answer_language_count> paths;
    std::string admin_center;
    std::string deep_link;
    std::string powershell;
    std::string powershell_read;
    nlohmann::json graph;       ///< null for runbook settings
    std::string executor;       ///< "runbook" or "graph"
    std::vector<std::string> required_roles;
    std::vector<intent> intents;
    nlohmann::json parameters;  ///< array
    std::string notes;
    nlohmann::json raw;         ///< the whole catalog entry (action labels, read/apply details)
};

/// Thrown when a data file is missing or malformed; the message names the file and the field.
class content_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class content {
public:
    /// The copy compiled into the binary.
    static content builtin();
    /// A directory laid out like knowledge/data. Throws content_error.
    static content from_directory(const std::filesystem::path& dir);

    const std::vector<utterance>& utterances() const { return utterances_; }
    const std::vector<setting>& settings() const { return settings_; }

    /// Answer text for `i` in `l`, falling back to English; nullptr only if English lacks it too.
    const answer_text* answer(intent i, lang l) const;
    /// UI string `key` in `l`, falling back to English, then to the key itself.
    const std::string& ui(std::string_view key, lang l) const;
    const setting* find_setting(std::string_view id) const;
    /// Settings that govern intent `i`, in catalog order.
    std::vector<const setting*> settings_for(intent i) const;

    /// The topic's own vocabulary in `l` (answer title, names of the governing settings), used to
    /// rank article sections for citations.
    std::string topic_profile(intent i, lang l) const;

    /// Consistency problems (missing answer for an intent in a language, missing UI key, setting
    /// without a name in a language...). Empty when the content is complete.
    std::vector<std::string> problems() const;

private:
    using file_reader = std::string (*)(const void* ctx, const std::string& rel);
    static content load(const void* ctx, file_reader read);

    std::vector<utterance> utterances_;
    std::array<std::map<intent, answer_text>, answer_language_count> answers_;
    std::array<std::map<std::string, std::string, std::less<>>, answer_language_count> ui_;
    std::vector<setting> settings_;
};

} // namespace ab::knowledge
