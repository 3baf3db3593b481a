// access-bot: composition root. Parses the command line and hands over to the module commands.
#include "bot/config/config.hpp"
#include "bot/serve/app.hpp"
#include "bot/serve/audit_command.hpp"
#include "bot/serve/escalations_command.hpp"
#include "knowledge/commands.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <unistd.h>

#ifdef AB_WITH_JEMALLOC
// One I/O thread does the work: one arena is enough and keeps the resident set small.
extern "C" const char* malloc_conf; // NOLINT: jemalloc's documented configuration hook
extern "C" {
const char* malloc_conf = "narenas:1,dirty_decay_ms:2000,muzzy_decay_ms:0";
}
#endif

int main(int argc, char** argv)
{
    namespace cmd = ab::knowledge::commands;
    CLI::App app{"access-bot: a Microsoft Teams assistant for working with people outside your organization"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "access-bot 0.1.0");

    cmd::environment env;
    if (const char* d = std::getenv("AB_DATA_DIR"))
        env.data_dir = d;
    std::string knowledge_dir;
    std::vector<std::string> extra;
    app.add_option("--data", env.data_dir, "data directory (article index, state); env AB_DATA_DIR")->capture_default_str();
    app.add_option("--knowledge", knowledge_dir, "read built-in content from this directory instead of the compiled-in copy")
        ->check(CLI::ExistingDirectory);
    app.add_option("--train-extra", extra, "labelled JSON Lines (eval format) added to the training data")
        ->check(CLI::ExistingFile);

    std::string question, locale, file, dir;
    bool as_json = false, list_errors = false, no_progress = false;
    int folds = 0;

    auto* ask = app.add_subcommand("ask", "answer one question in the terminal: classification, answer, setting, sources");
    ask->add_option("question", question, "the question")->required();
    ask->add_option("--locale", locale, "the channel's locale hint, e.g. en-US (only a weak prior)");
    ask->add_flag("--json", as_json, "print JSON");

    auto* chat = app.add_subcommand("chat", "interactive terminal chat: type questions, get answers");
    chat->add_option("--locale", locale, "the locale hint");

    auto* classify = app.add_subcommand("classify", "batch: JSON Lines {\"text\",\"locale\"} on stdin, one result line each");
    classify->add_option("--locale", locale, "default locale hint for lines without one");

    auto* eval = app.add_subcommand("eval", "accuracy on a labelled JSON Lines file (format of shared/eval/dev.jsonl)");
    eval->add_option("file", file, "labelled .jsonl")->required()->check(CLI::ExistingFile);
    eval->add_option("--cv", folds, "k-fold cross-validation: train on the content plus k-1 folds")->check(CLI::Range(2, 20));
    eval->add_flag("--json", as_json, "print the report as one JSON object");
    eval->add_flag("--errors", list_errors, "list the misclassified items");
    std::vector<std::string> parameters;
    eval->add_option("--set", parameters, "tune an engine parameter: name=value (temperature, out_of_scope_threshold, "
                                          "out_of_scope_floor, ambiguity_threshold, ambiguity_ratio, epochs, learning_rate)");

    int rounds = 20;
    auto* bench = app.add_subcommand("bench", "classification latency over the texts of a labelled .jsonl (warm)");
    bench->add_option("file", file, "labelled .jsonl")->required()->check(CLI::ExistingFile);
    bench->add_option("--rounds", rounds, "passes over the file")->check(CLI::Range(1, 1000));

    auto* serve = app.add_subcommand("serve", "run the Bot Framework endpoint (POST /api/messages, /healthz, /readyz, /metrics)");
    int port = -1;
    bool local = false;
    std::string address, config_file;
    serve->add_option("--port", port, "listen port (default BOT_PORT or 3978; 0 = any free port)")->check(CLI::Range(0, 65535));
    serve->add_option("--address", address, "listen address (default 127.0.0.1; env BOT_ADDRESS)");
    serve->add_flag("--local", local, "local mode without channel authentication, for the Microsoft 365 Agents Playground "
                                      "(loopback addresses only)");
    serve->add_option("--config", config_file, "JSON config file (keys: the environment variable names)")->check(CLI::ExistingFile);

    auto* kb = app.add_subcommand("kb", "article knowledge base");
    kb->require_subcommand(1);
    auto* kb_import = kb->add_subcommand("import", "import Microsoft Docs markdown from DIR (incremental)");
    kb_import->add_option("dir", dir, "directory tree of .md files")->required();
    kb_import->add_flag("--no-progress", no_progress, "do not print progress");
    auto* kb_stats = kb->add_subcommand("stats", "what the article index holds");
    kb_stats->add_flag("--json", as_json, "print JSON");
    auto* kb_check = kb->add_subcommand("check", "check the built-in content: completeness, load and training time");

    ab::bot::serve::audit_query audit_q;
    auto* audit = app.add_subcommand("audit", "the admin-action audit log: who applied (or tried to apply) which setting, with what result");
    audit->add_flag("--json", audit_q.json, "JSON Lines");
    audit->add_option("--limit", audit_q.limit, "entries at most")->capture_default_str()->check(CLI::Range(1, 1000000));
    audit->add_option("--after", audit_q.after_seq, "only entries after this sequence number");
    audit->add_option("--action", audit_q.action_id, "only the entries of this action id");

    ab::bot::serve::escalations_query esc_q;
    auto* escalations = app.add_subcommand("escalations", "the helpdesk outbox: deliveries per sink and status, pending and failed ones with their last error");
    escalations->add_flag("--json", esc_q.json, "JSON Lines");
    escalations->add_option("--status", esc_q.status, "only pending, delivered or rejected (default: pending and rejected)")
        ->check(CLI::IsMember({"pending", "delivered", "rejected"}));
    escalations->add_option("--limit", esc_q.limit, "rows at most per status")->capture_default_str()->check(CLI::Range(1, 100000));

    CLI11_PARSE(app, argc, argv);
    if (!knowledge_dir.empty())
        env.knowledge_dir = knowledge_dir;
    for (const auto& e : extra)
        env.train_extra.emplace_back(e);

    try {
        if (*serve) {
            namespace cfg = ab::bot::config;
            ab::bot::serve::options so;
            so.settings = cfg::load(cfg::process_environment(),
                                    config_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(config_file));
            if (port >= 0)
                so.settings.port = static_cast<std::uint16_t>(port);
            if (!address.empty())
                so.settings.address = address;
            if (local)
                so.settings.local_mode = true;
            if (app.get_option("--data")->count() > 0 || std::getenv("AB_DATA_DIR") == nullptr)
                so.settings.data_dir = env.data_dir;
            so.knowledge_dir = env.knowledge_dir;
            so.train_extra = env.train_extra;
            return ab::bot::serve::run(so);
        }
        if (*audit) {
            audit_q.data_dir = env.data_dir;
            return ab::bot::serve::audit(audit_q, std::cout, std::cerr);
        }
        if (*escalations) {
            esc_q.data_dir = env.data_dir;
            return ab::bot::serve::escalations(esc_q, std::cout, std::cerr);
        }
        if (*ask)
            return cmd::ask(env, question, locale, as_json, std::cout, std::cerr);
        if (*chat)
            return cmd::chat(env, locale, std::cin, std::cout, std::cerr);
        if (*classify)
            return cmd::classify_lines(env, locale, std::cin, std::cout, std::cerr);
        if (*eval)
            return cmd::eval(env, file, folds, as_json, list_errors, parameters, std::cout, std::cerr);
        if (*bench)
            return cmd::bench_classify(env, file, rounds, std::cout, std::cerr);
        if (*kb_import)
            return cmd::kb_import(env, dir, isatty(STDERR_FILENO) != 0, !no_progress, std::cout, std::cerr);
        if (*kb_stats)
            return cmd::kb_stats(env, as_json, std::cout, std::cerr);
        if (*kb_check)
            return cmd::content_check(env, std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
