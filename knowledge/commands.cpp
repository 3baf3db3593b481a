#include "knowledge/commands.hpp"

#include "knowledge/articles/importer.hpp"
#include "knowledge/evaluation.hpp"
#include "knowledge/prebuilt_model.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>

namespace ab::knowledge::commands {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Resident and peak resident memory of this process, in MiB (Linux /proc).
std::pair<double, double> memory_mib()
{
    std::ifstream in("/proc/self/status");
    std::string line;
    double rss = 0, hwm = 0;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            rss = std::stod(line.substr(6)) / 1024.0;
        else if (line.rfind("VmHWM:", 0) == 0)
            hwm = std::stod(line.substr(6)) / 1024.0;
    }
    return {rss, hwm};
}

/// `s` with {domain} replaced by the asked domain, or the example domain of the UI texts.
std::string with_domain(std::string s, const classification& r, const content& text)
{
    const std::string domain = r.domain ? *r.domain : text.ui("domain_placeholder", r.language);
    for (auto at = s.find("{domain}"); at != std::string::npos; at = s.find("{domain}", at + domain.size()))
        s.replace(at, 8, domain);
    return s;
}

} // namespace

fs::path index_path(const fs::path& data_dir)
{
    return data_dir / "knowledge.sqlite";
}

content load_content(const environment& env)
{
    return env.knowledge_dir ? content::from_directory(*env.knowledge_dir) : content::builtin();
}

classifier load_classifier(const environment& env, const content& c)
{
    engine_options opt;
    for (const auto& f : env.train_extra) {
        auto extra = to_training(load_labelled(f));
        opt.extra.insert(opt.extra.end(), extra.begin(), extra.end());
    }
    return classifier::load_or_train(c, opt, env.data_dir.empty() ? fs::path() : env.data_dir / "model.cache", prebuilt_model());
}

json to_json(const classification& c)
{
    json alts = json::array();
    for (const auto& a : c.alternatives)
        alts.push_back({{"intent", intent_name(a.label)}, {"confidence", a.probability}});
    json j = {{"language", lang_code(c.language)},
              {"language_confidence", c.language_confidence},
              {"language_supported", c.language_supported},
              {"intent", intent_name(c.label)},
              {"confidence", c.confidence},
              {"ambiguous", c.ambiguous},
              {"alternatives", alts},
              {"role", role_name(c.speaker)},
              {"domain", c.domain ? json(*c.domain) : json(nullptr)}};
    return j;
}

namespace {

// What answering needs: content, a trained engine and, when present, the article index.
struct answerer {
    content text;
    classifier engine;
    std::unique_ptr<articles::article_index> index;

    answerer(const environment& env, std::ostream& err) : text(load_content(env)), engine(load_classifier(env, text))
    {
        const fs::path db = index_path(env.data_dir);
        std::error_code ec;
        if (fs::exists(db, ec)) {
            try {
                index = articles::article_index::open(db);
            } catch (const std::exception& e) {
                err << "warning: article index unavailable: " << e.what() << "\n";
            }
        }
    }

    void answer(const std::string& question, const std::string& locale, bool as_json, std::ostream& out) const
    {
        const classification r = engine.classify(question, locale);
        std::vector<articles::citation> cites;
        if (index && is_topic(r.label))
            cites = index->citations(r.label, r.language, question, 3, text.topic_profile(r.label, r.language));
        if (as_json) {
            json j = to_json(r);
            json cj = json::array();
            for (const auto& ci : cites)
                cj.push_back({{"title", ci.title}, {"section", ci.section}, {"url", ci.url}, {"passage", ci.passage},
                              {"language", lang_code(ci.language)}});
            j["citations"] = cj;
            out << j.dump(2) << "\n";
            return;
        }
        out << std::fixed << std::setprecision(2);
        out << "language   " << lang_code(r.language) << (r.language_supported ? "" : " (not a supported language)") << "\n";
        out << "intent     " << intent_name(r.label) << "  confidence " << r.confidence << (r.ambiguous ? "  AMBIGUOUS: ask" : "") << "\n";
        out << "also       ";
        for (std::size_t i = 1; i < r.alternatives.size(); ++i)
            out << intent_name(r.alternatives[i].label) << " " << r.alternatives[i].probability << "  ";
        out << "\nrole       " << role_name(r.speaker) << "\n";
        out << "domain     " << (r.domain ? *r.domain : "-") << "\n";
        if (r.ambiguous)
            out << "\n" << text.ui("clarify_question", r.language) << "\n  [" << text.ui("clarify_chat_only", r.language)
                << "]  [" << text.ui("clarify_collaborate", r.language) << "]\n";
        if (const answer_text* a = text.answer(r.label, r.language)) {
            out << "\n" << a->title << "\n" << a->summary << "\n";
            const auto& steps = r.speaker == role::admin && !a->admin_steps.empty() ? a->admin_steps : a->user_steps;
            for (const auto& s : steps)
                out << "  - " << with_domain(s, r, text) << "\n";
        }
        for (const setting* s : text.settings_for(r.label)) {
            const auto li = static_cast<std::size_t>(r.language);
            out << "\n" << text.ui("setting_label", r.language) << ": " << s->names[li] << "\n  " << s->deep_link << "\n";
            if (r.speaker == role::admin && !s->powershell.empty())
                out << "  " << with_domain(s->powershell, r, text) << "\n";
            break;
        }
        if (!cites.empty()) {
            out << "\n" << text.ui("sources_label", r.language) << "\n";
            for (const auto& ci : cites)
                out << "  * " << ci.title << (ci.section.empty() ? "" : " — " + ci.section) << " [" << lang_code(ci.language)
                    << "]\n    " << ci.url << "\n    " << ci.passage << "\n";
        }
    }
};

} // namespace

int ask(const environment& env, const std::string& question, const std::string& locale, bool as_json, std::ostream& out,
        std::ostream& err)
{
    const answerer a(env, err);
    a.answer(question, locale, as_json, out);
    return 0;
}

int chat(const environment& env, const std::string& locale, std::istream& in, std::ostream& out, std::ostream& err)
{
    const answerer a(env, err);
    out << "access-bot: ask how to work with people outside your organization (empty line or Ctrl-D ends)\n> " << std::flush;
    std::string line;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            break;
        a.answer(line, locale, false, out);
        out << "\n> " << std::flush;
    }
    out << "\n";
    return 0;
}

int classify_lines(const environment& env, const std::string& default_locale, std::istream& in, std::ostream& out,
                   std::ostream& err)
{
    const content c = load_content(env);
    const classifier engine = load_classifier(env, c);
    std::string line;
    std::size_t line_no = 0;
    int status = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        const json j = json::parse(line, nullptr, false);
        const json* text = j.is_object() && j.contains("text") ? &j["text"] : nullptr;
        if (text == nullptr || !text->is_string()) {
            out << json{{"error", "[classify.bad_line] line " + std::to_string(line_no) +
                                      ": expected an object with a string \"text\""}}.dump() << "\n";
            status = 1;
            continue;
        }
        std::string locale = default_locale;
        if (auto l = j.find("locale"); l != j.end() && l->is_string())
            locale = l->get<std::string>();
        json r = to_json(engine.classify(text->get<std::string>(), locale));
        if (auto id = j.find("id"); id != j.end())
            r["id"] = *id;
        out << r.dump() << "\n";
    }
    if (status != 0)
        err << "some lines could not be classified (see the \"error\" lines)\n";
    return status;
}

int eval(const environment& env, const fs::path& file, int folds, bool as_json, bool list_errors,
         const std::vector<std::string>& parameters, std::ostream& out, std::ostream& err)
{
    const content c = load_content(env);
    eval_options opt;
    opt.folds = folds;
    opt.list_errors = list_errors;
    for (const auto& p : parameters)
        set_engine_parameter(opt.engine, p);
    for (const auto& f : env.train_extra) {
        auto extra = to_training(load_labelled(f));
        opt.engine.extra.insert(opt.engine.extra.end(), extra.begin(), extra.end());
    }
    const auto items = load_labelled(file);
    if (items.empty()) {
        err << "error: [eval.empty] " << file.string() << " has no items\n";
        return 2;
    }
    const json report = evaluate(c, items, opt);
    if (as_json)
        out << report.dump() << "\n";
    else
        out << format_report(report);
    return 0;
}

int kb_import(const environment& env, const fs::path& dir, bool terminal, bool progress, std::ostream& out, std::ostream& err)
{
    const bool show_progress = terminal && progress;
    const content c = load_content(env);
    const classifier engine = load_classifier(env, c);
    std::unique_ptr<articles::article_index> idx;
    try {
        idx = articles::article_index::open(index_path(env.data_dir));
    } catch (const articles::index_error& e) {
        // The index is derived data: an index from another version is rebuilt from the sources.
        if (std::string_view(e.what()).find("[kb.schema_version]") == std::string_view::npos)
            throw;
        err << "note: the article index was written by another version of access-bot; rebuilding it\n";
        for (const char* suffix : {"", "-wal", "-shm"})
            fs::remove(index_path(env.data_dir).string() + suffix);
        idx = articles::article_index::open(index_path(env.data_dir));
    }
    auto last = std::chrono::steady_clock::now();
    std::size_t last_decile = 0;
    const auto rep = articles::import_tree(*idx, engine, dir, [&](const articles::import_progress& p) {
        if (show_progress) {
            // A terminal gets one line, rewritten at most five times a second.
            const auto now = std::chrono::steady_clock::now();
            if (p.done == p.total || now - last > std::chrono::milliseconds(200) || p.done == 0) {
                last = now;
                err << "\rimporting " << p.done << "/" << p.total << " files" << std::flush;
                if (p.done == p.total)
                    err << "\n";
            }
            return;
        }
        if (!progress)
            return;
        // A log gets a line per tenth of the tree.
        const std::size_t decile = p.total == 0 ? 10 : p.done * 10 / p.total;
        if (decile > last_decile) {
            last_decile = decile;
            err << "importing: " << p.done << "/" << p.total << " files (" << decile * 10 << " %)\n";
        }
    });
    for (const auto& e : rep.errors)
        err << "error: " << e.file << ": " << e.message << "\n";
    out << "files " << rep.files << ": imported " << rep.imported << ", unchanged " << rep.unchanged << ", removed "
        << rep.removed << ", failed " << rep.failed << "; " << rep.articles << " article versions, " << rep.sections
        << " sections in " << std::fixed << std::setprecision(0) << rep.ms << " ms\n";
    out << "index: " << index_path(env.data_dir).string() << "\n";
    return rep.failed > 0 ? 1 : 0;
}

int kb_stats(const environment& env, bool as_json, std::ostream& out, std::ostream& err)
{
    const fs::path db = index_path(env.data_dir);
    std::error_code ec;
    if (!fs::exists(db, ec)) {
        err << "error: [kb.no_index] no article index at " << db.string() << "; run 'access-bot kb import DIR' first\n";
        return 2;
    }
    auto idx = articles::article_index::open(db);
    const json s = idx->stats();
    if (as_json) {
        out << s.dump(2) << "\n";
        return 0;
    }
    out << "index      " << db.string() << " (" << s.value("database_bytes", 0) / 1024 << " KiB)\n";
    out << "files      " << s["files"].dump() << "\n";
    out << "articles   " << s["articles"].dump() << "\n";
    out << "sections   " << s["sections"].dump() << "\n";
    out << "by intent  " << s["sections_per_intent"].dump() << "\n";
    for (const auto& f : s["failed"])
        out << "failed     " << f["file"].get<std::string>() << ": " << f["error"].get<std::string>() << "\n";
    return 0;
}

int bench_classify(const environment& env, const fs::path& file, int rounds, std::ostream& out, std::ostream& err)
{
    const content c = load_content(env);
    const classifier engine = load_classifier(env, c);
    const auto items = load_labelled(file);
    if (items.empty()) {
        err << "error: [eval.empty] " << file.string() << " has no items\n";
        return 2;
    }
    // Warm-up pass (stem memo, page faults), then timed rounds over every item.
    for (const auto& it : items)
        (void)engine.classify(it.text, "en-US");
    std::vector<double> us;
    us.reserve(items.size() * static_cast<std::size_t>(rounds));
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r)
        for (const auto& it : items) {
            const auto a = std::chrono::steady_clock::now();
            const auto result = engine.classify(it.text, "en-US");
            const auto b = std::chrono::steady_clock::now();
            if (result.confidence < 0)
                return 3; // keeps the call from being optimized away
            us.push_back(std::chrono::duration<double, std::micro>(b - a).count());
        }
    const double total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::sort(us.begin(), us.end());
    auto q = [&](double p) { return us[std::min(us.size() - 1, static_cast<std::size_t>(p * static_cast<double>(us.size())))]; };
    out << std::fixed << std::setprecision(1) << "queries " << us.size() << " (" << items.size() << " x " << rounds
        << "), p50 " << q(0.50) << " us, p90 " << q(0.90) << " us, p99 " << q(0.99) << " us, max " << us.back()
        << " us, " << static_cast<double>(us.size()) / (total_ms / 1000.0) << " queries/s on one thread, RSS "
        << memory_mib().first << " MiB\n";
    return 0;
}

int content_check(const environment& env, std::ostream& out, std::ostream& err)
{
    const auto t0 = std::chrono::steady_clock::now();
    const content c = load_content(env);
    const auto t1 = std::chrono::steady_clock::now();
    const classifier engine = load_classifier(env, c);
    const auto t2 = std::chrono::steady_clock::now();
    const auto problems = c.problems();
    for (const auto& p : problems)
        err << "problem: " << p << "\n";
    out << std::fixed << std::setprecision(1);
    out << "utterances " << c.utterances().size() << ", settings " << c.settings().size() << "\n";
    out << "content loaded in " << std::chrono::duration<double, std::milli>(t1 - t0).count() << " ms, model "
        << origin_name(engine.source()) << " in " << std::chrono::duration<double, std::milli>(t2 - t1).count()
        << " ms, model heap " << static_cast<double>(engine.memory_bytes()) / (1024.0 * 1024.0) << " MiB, process RSS " << memory_mib().first
        << " MiB (peak " << memory_mib().second << " MiB)\n";
    return problems.empty() ? 0 : 1;
}

} // namespace ab::knowledge::commands
