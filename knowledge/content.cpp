#include "knowledge/content.hpp"

#include "knowledge/embedded.hpp"

#include <fstream>
#include <sstream>

namespace ab::knowledge {

namespace {

using json = nlohmann::json;

constexpr std::array<lang, answer_language_count> answer_langs = {lang::en, lang::nl, lang::sv, lang::de, lang::fr, lang::es};

json parse_file(const std::string& rel, const std::string& text)
{
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded())
        throw content_error("[content.bad_json] " + rel + ": not valid JSON");
    if (!j.is_object())
        throw content_error("[content.bad_json] " + rel + ": top level must be an object");
    return j;
}

std::string str(const json& j, const char* key, const std::string& where)
{
    auto it = j.find(key);
    if (it == j.end() || !it->is_string())
        throw content_error("[content.missing_field] " + where + ": '" + key + "' must be a string");
    return it->get<std::string>();
}

// Optional string: absent or null → empty.
std::string opt_str(const json& j, const char* key, const std::string& where)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return {};
    if (!it->is_string())
        throw content_error("[content.bad_field] " + where + ": '" + key + "' must be a string");
    return it->get<std::string>();
}

std::vector<std::string> str_list(const json& j, const char* key, const std::string& where)
{
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end())
        return out;
    if (!it->is_array())
        throw content_error("[content.bad_field] " + where + ": '" + key + "' must be a list of strings");
    for (const auto& v : *it) {
        if (!v.is_string())
            throw content_error("[content.bad_field] " + where + ": '" + key + "' must be a list of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

template <class Map>
void localized(const json& j, const char* key, Map& out, const std::string& where)
{
    auto it = j.find(key);
    if (it == j.end())
        return;
    if (!it->is_object())
        throw content_error("[content.bad_field] " + where + ": '" + key + "' must map language codes to text");
    for (std::size_t li = 0; li < answer_langs.size(); ++li) {
        auto v = it->find(std::string(lang_code(answer_langs[li])));
        if (v != it->end() && v->is_string())
            out[li] = v->get<std::string>();
    }
}

std::string read_whole(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in)
        throw content_error("[content.missing_file] " + p.string() + ": cannot open");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

content content::load(const void* ctx, file_reader read)
{
    content c;
    for (std::size_t li = 0; li < answer_langs.size(); ++li) {
        const lang l = answer_langs[li];
        const std::string code(lang_code(l));

        const std::string urel = code + "/utterances.json";
        const json u = parse_file(urel, read(ctx, urel));
        auto intents = u.find("intents");
        if (intents == u.end() || !intents->is_object())
            throw content_error("[content.missing_field] " + urel + ": 'intents' must be an object");
        for (auto it = intents->begin(); it != intents->end(); ++it) {
            const auto label = intent_from_name(it.key());
            if (!label)
                throw content_error("[content.unknown_intent] " + urel + ": '" + it.key() + "' is not an intent id");
            if (!it->is_object())
                throw content_error("[content.bad_field] " + urel + ": intent '" + it.key() + "' must be an object");
            for (const char* who : {"user", "admin"}) {
                for (auto& text : str_list(*it, who, urel + ":" + it.key()))
                    c.utterances_.push_back(
                        utterance{std::move(text), l, *label, std::string_view(who) == "admin" ? role::admin : role::user});
            }
        }

        if (auto amb = u.find("ambiguous_external_guest"); amb != u.end()) {
            if (!amb->is_object())
                throw content_error("[content.bad_field] " + urel + ": 'ambiguous_external_guest' must be an object");
            for (const char* who : {"user", "admin"})
                for (auto& text : str_list(*amb, who, urel + ":ambiguous_external_guest"))
                    c.utterances_.push_back(utterance{std::move(text), l, intent::external_access,
                                                      std::string_view(who) == "admin" ? role::admin : role::user, true});
        }

        const std::string arel = code + "/answers.json";
        const json a = parse_file(arel, read(ctx, arel));
        auto ans = a.find("intents");
        if (ans == a.end() || !ans->is_object())
            throw content_error("[content.missing_field] " + arel + ": 'intents' must be an object");
        for (auto it = ans->begin(); it != ans->end(); ++it) {
            const auto label = intent_from_name(it.key());
            if (!label)
                throw content_error("[content.unknown_intent] " + arel + ": '" + it.key() + "' is not an intent id");
            const std::string where = arel + ":" + it.key();
            answer_text t;
            t.title = str(*it, "title", where);
            t.summary = str(*it, "summary", where);
            t.explanation = str(*it, "explanation", where);
            t.user_steps = str_list(*it, "user_steps", where);
            t.admin_steps = str_list(*it, "admin_steps", where);
            c.answers_[li][*label] = std::move(t);
        }
        if (auto ui = a.find("ui"); ui != a.end()) {
            if (!ui->is_object())
                throw content_error("[content.bad_field] " + arel + ": 'ui' must be an object");
            for (auto it = ui->begin(); it != ui->end(); ++it)
                if (it->is_string())
                    c.ui_[li][it.key()] = it->get<std::string>();
        }
    }

    const std::string srel = "settings.json";
    const json s = parse_file(srel, read(ctx, srel));
    auto list = s.find("settings");
    if (list == s.end() || !list->is_array())
        throw content_error("[content.missing_field] settings.json: 'settings' must be a list");
    for (const auto& e : *list) {
        if (!e.is_object())
            throw content_error("[content.bad_field] settings.json: each setting must be an object");
        setting st;
        st.id = str(e, "id", srel);
        const std::string where = srel + ":" + st.id;
        localized(e, "names", st.names, where);
        localized(e, "descriptions", st.descriptions, where);
        localized(e, "path", st.paths, where);
        st.admin_center = opt_str(e, "admin_center", where);
        st.deep_link = str(e, "deep_link", where);
        st.powershell = opt_str(e, "powershell", where);
        st.powershell_read = opt_str(e, "powershell_read", where);
        st.graph = e.value("graph", json());
        st.executor = str(e, "executor", where);
        if (st.executor != "runbook" && st.executor != "graph")
            throw content_error("[content.bad_field] " + where + ": executor must be 'runbook' or 'graph'");
        st.required_roles = str_list(e, "required_roles", where);
        for (const auto& name : str_list(e, "intents", where)) {
            const auto i = intent_from_name(name);
            if (!i)
                throw content_error("[content.unknown_intent] " + where + ": '" + name + "' is not an intent id");
            st.intents.push_back(*i);
        }
        st.parameters = e.value("parameters", json::array());
        if (auto n = e.find("notes"); n != e.end() && n->is_array()) {
            for (const auto& line : str_list(e, "notes", where))
                st.notes += (st.notes.empty() ? "" : "\n") + line;
        } else {
            st.notes = opt_str(e, "notes", where);
        }
        st.raw = e;
        c.settings_.push_back(std::move(st));
    }
    return c;
}

content content::builtin()
{
    static const auto read = [](const void*, const std::string& rel) -> std::string {
        for (const auto& f : embedded_files())
            if (f.path == rel)
                return std::string(f.data);
        throw content_error("[content.missing_file] built-in " + rel + " is missing");
    };
    return load(nullptr, read);
}

content content::from_directory(const std::filesystem::path& dir)
{
    static const auto read = [](const void* ctx, const std::string& rel) -> std::string {
        return read_whole(*static_cast<const std::filesystem::path*>(ctx) / rel);
    };
    return load(&dir, read);
}

const answer_text* content::answer(intent i, lang l) const
{
    const auto li = static_cast<std::size_t>(l);
    if (li < answers_.size())
        if (auto it = answers_[li].find(i); it != answers_[li].end())
            return &it->second;
    if (auto it = answers_[0].find(i); it != answers_[0].end())
        return &it->second;
    return nullptr;
}

const std::string& content::ui(std::string_view key, lang l) const
{
    const auto li = static_cast<std::size_t>(l);
    if (li < ui_.size())
        if (auto it = ui_[li].find(key); it != ui_[li].end())
            return it->second;
    if (auto it = ui_[0].find(key); it != ui_[0].end())
        return it->second;
    static thread_local std::string missing;
    missing = std::string(key);
    return missing;
}

const setting* content::find_setting(std::string_view id) const
{
    for (const auto& s : settings_)
        if (s.id == id)
            return &s;
    return nullptr;
}

std::vector<const setting*> content::settings_for(intent i) const
{
    std::vector<const setting*> out;
    for (const auto& s : settings_)
        for (intent x : s.intents)
            if (x == i) {
                out.push_back(&s);
                break;
            }
    return out;
}

std::string content::topic_profile(intent i, lang l) const
{
    std::string out;
    if (const answer_text* a = answer(i, l))
        out = a->title;
    const auto li = static_cast<std::size_t>(l);
    for (const setting* s : settings_for(i))
        if (li < answer_language_count && !s->names[li].empty())
            out += " " + s->names[li];
    return out;
}

std::vector<std::string> content::problems() const
{
    std::vector<std::string> out;
    for (std::size_t li = 0; li < answer_langs.size(); ++li) {
        const std::string code(lang_code(answer_langs[li]));
        for (std::size_t ii = 0; ii < intent_count; ++ii) {
            const auto i = static_cast<intent>(ii);
            auto it = answers_[li].find(i);
            if (it == answers_[li].end()) {
                out.push_back(code + ": no answer text for " + std::string(intent_name(i)));
                continue;
            }
            const auto& t = it->second;
            if (t.title.empty() || t.summary.empty() || t.explanation.empty())
                out.push_back(code + ": empty title/summary/explanation for " + std::string(intent_name(i)));
            if (is_topic(i) && (t.user_steps.empty() || t.admin_steps.empty()))
                out.push_back(code + ": no user or admin steps for " + std::string(intent_name(i)));
        }
        std::array<std::size_t, intent_count> counts{};
        for (const auto& u : utterances_)
            if (u.language == answer_langs[li])
                ++counts[static_cast<std::size_t>(u.label)];
        for (std::size_t ii = 0; ii < intent_count; ++ii)
            if (counts[ii] == 0)
                out.push_back(code + ": no training utterances for " + std::string(intent_names[ii]));
        for (const auto& [key, text] : ui_[0])
            if (!ui_[li].contains(key))
                out.push_back(code + ": UI string '" + key + "' missing");
    }
    for (const auto& s : settings_)
        for (std::size_t li = 0; li < answer_langs.size(); ++li)
            if (s.names[li].empty())
                out.push_back("settings.json: " + s.id + " has no name in " + std::string(lang_code(answer_langs[li])));
    for (std::size_t ii = 0; ii < intent_count; ++ii) {
        const auto i = static_cast<intent>(ii);
        if (is_topic(i) && i != intent::access_comparison && settings_for(i).empty())
            out.push_back("settings.json: no setting governs " + std::string(intent_name(i)));
    }
    return out;
}

} // namespace ab::knowledge
