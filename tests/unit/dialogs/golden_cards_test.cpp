// Every card the bot can produce, written out as golden JSON (tests/golden/cards/<name>.json) and
// checked against Teams' rules here; ../shared/realclient checks the same files with Microsoft's
// parser and renderer (ctest cards.realclient). Regenerate after an intended change with
//   AB_UPDATE_GOLDEN=1 ctest -R GoldenCards
// and review the diff like code.

#include "dialogs/cards/cards.hpp"
#include "tests/support/shared_engine.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using json = nlohmann::json;
namespace kn = ab::knowledge;
namespace fs = std::filesystem;

namespace {

struct named_card {
    std::string name;
    json card;
};

std::vector<named_card> every_card()
{
    static const ab::dialogs::action_signer signer("golden-card-signing-key-0123456789");
    const auto fixed = std::chrono::system_clock::time_point(std::chrono::seconds(1'780'000'000));
    const ab::dialogs::cards::card_builder b(ab::test::builtin_content(), signer, [fixed] { return fixed; });
    const auto& content = ab::test::builtin_content();
    std::vector<named_card> out;
    for (std::size_t li = 0; li < kn::answer_language_count; ++li) {
        const auto l = static_cast<kn::lang>(li);
        const std::string code(kn::lang_code(l));
        for (std::size_t ti = 0; ti < kn::intent_count; ++ti) {
            const auto topic = static_cast<kn::intent>(ti);
            if (!kn::is_topic(topic))
                continue;
            for (auto role : {kn::role::user, kn::role::admin}) {
                ab::dialogs::cards::answer_view v;
                v.topic = topic;
                v.lang = l;
                v.role = role;
                v.question = "golden question";
                const std::string base = "answer-" + std::string(kn::intent_name(topic)) + "-" + std::string(kn::role_name(role)) + "-" + code;
                out.push_back({base, b.answer_card(v, "card-" + base)});
                if (topic == kn::intent::external_access || topic == kn::intent::shared_channels) {
                    v.domain = "fabrikam.com";
                    out.push_back({base + "-domain", b.answer_card(v, "card-" + base + "-domain")});
                }
            }
        }
        // After a click: the clarified answer with its note, the answer after feedback.
        ab::dialogs::cards::answer_view clarified;
        clarified.topic = kn::intent::guest_access;
        clarified.lang = l;
        clarified.note = content.ui("clarify_choice_guest", l);
        out.push_back({"answer-clarified-" + code, b.answer_card(clarified, "card-clarified-" + code)});
        ab::dialogs::cards::answer_view rated = clarified;
        rated.note.clear();
        rated.feedback = "no";
        out.push_back({"answer-feedback-given-" + code, b.answer_card(rated, "card-rated-" + code)});
        ab::dialogs::cards::answer_view cited = clarified;
        cited.note.clear();
        kn::articles::citation c1;
        c1.title = "Golden article";
        c1.section = "Golden section";
        static const std::map<std::string, std::string> locales = {{"en", "en-us"}, {"nl", "nl-nl"}, {"sv", "sv-se"},
                                                                   {"de", "de-de"}, {"fr", "fr-fr"}, {"es", "es-es"}};
        c1.url = "https://learn.microsoft.com/" + locales.at(code) + "/microsoftteams/guest-access";
        kn::articles::citation c2 = c1;
        c2.title = "Second [golden] article";
        c2.section.clear();
        c2.url += "#anchor";
        cited.citations = {c1, c2};
        out.push_back({"answer-with-citations-" + code, b.answer_card(cited, "card-cited-" + code)});
        ab::dialogs::cards::answer_view unsupported;
        unsupported.topic = kn::intent::external_access;
        unsupported.language_unsupported = true;
        if (l == kn::lang::en)
            out.push_back({"answer-language-unsupported", b.answer_card(unsupported, "card-unsupported")});

        out.push_back({"clarify-" + code, b.clarify_card(l, "card-clarify-" + code)});
        out.push_back({"welcome-" + code, b.welcome_card(l, "card-welcome-" + code)});
        out.push_back({"help-" + code, b.help_card(l, "card-help-" + code, "")});
        const auto* smalltalk = content.answer(kn::intent::smalltalk, l);
        out.push_back({"help-greeting-" + code, b.help_card(l, "card-greeting-" + code, code, smalltalk ? smalltalk->summary : "")});
        out.push_back({"out-of-scope-" + code, b.out_of_scope_card(l, "card-oos-" + code, "golden question")});
        out.push_back({"notice-escalate-unavailable-" + code,
                       b.notice_card(content.ui("escalate_unavailable_title", l), content.ui("escalate_unavailable", l))});
        out.push_back({"notice-clarify-again-" + code, b.notice_card({}, content.ui("clarify_again", l))});

        // Admin actions: "Apply now" on the answer, the confirmation, every result.
        ab::dialogs::cards::answer_view applying;
        applying.topic = kn::intent::external_access;
        applying.lang = l;
        applying.role = kn::role::admin;
        applying.domain = "fabrikam.com";
        applying.can_apply = true;
        applying.apply_binding = {{"u", "0a1b2c3d-0000-4000-8000-00000000ad01"}, {"c", "a:1personal"}, {"x", 1'780'001'800}};
        out.push_back({"answer-apply-" + code, b.answer_card(applying, "card-apply-" + code)});

        const auto* domain_setting = content.find_setting("teams_allowed_domain");
        const auto* graph_setting = content.find_setting("entra_guest_invitations");
        ab::dialogs::cards::change_view runbook_change;
        runbook_change.lang = l;
        runbook_change.setting = domain_setting;
        runbook_change.label = ab::dialogs::cards::fill(domain_setting->raw["action_labels"].value(code, ""), "domain", "fabrikam.com");
        runbook_change.target = "AllowedDomains + fabrikam.com";
        runbook_change.executor = "runbook";
        runbook_change.requested_by = "Megan Bowen";
        runbook_change.action_id = "0123456789abcdef0123456789abcdef";
        runbook_change.steps = {"Get-CsTenantFederationConfiguration | Select-Object -ExpandProperty AllowedDomains",
                                "$list = New-Object Collections.Generic.List[String];", "$list.Add(\"fabrikam.com\");",
                                "Set-CsTenantFederationConfiguration -AllowedDomainsAsAList @{Add=$list}"};
        const json bound = {{"a", runbook_change.action_id}, {"s", "teams_allowed_domain"}, {"p", {{"domain", "fabrikam.com"}}}};
        out.push_back({"confirm-runbook-" + code, b.confirm_card(runbook_change, "card-confirm-" + code, bound, bound)});
        ab::dialogs::cards::change_view graph_change = runbook_change;
        graph_change.setting = graph_setting;
        graph_change.label = graph_setting->raw["action_labels"].value(code, "");
        graph_change.target = "allowInvitesFrom = adminsGuestInvitersAndAllMembers";
        graph_change.executor = "graph";
        graph_change.current.known = true;
        graph_change.current.value = {{"allowInvitesFrom", "none"}};
        graph_change.steps = {"GET https://graph.microsoft.com/v1.0/policies/authorizationPolicy",
                              "PATCH https://graph.microsoft.com/v1.0/policies/authorizationPolicy {\"allowInvitesFrom\":\"adminsGuestInvitersAndAllMembers\"}"};
        out.push_back({"confirm-graph-" + code, b.confirm_card(graph_change, "card-confirm-graph-" + code, bound, bound)});
        ab::dialogs::cards::change_view dry = runbook_change;
        dry.executor = "dry-run";
        out.push_back({"confirm-dry-run-" + code, b.confirm_card(dry, "card-confirm-dry-" + code, bound, bound)});

        namespace ports = ab::bot::ports;
        ports::change_result applied;
        applied.outcome = ports::change_outcome::applied;
        applied.before = {{"allowInvitesFrom", "none"}};
        applied.after = {{"allowInvitesFrom", "adminsGuestInvitersAndAllMembers"}};
        applied.reference = "4f1c2d3e-request-id";
        out.push_back({"result-applied-" + code, b.result_card(graph_change, &applied)});
        ports::change_result already = applied;
        already.outcome = ports::change_outcome::already_set;
        already.before = already.after;
        out.push_back({"result-already-set-" + code, b.result_card(graph_change, &already)});
        ports::change_result pending;
        pending.outcome = ports::change_outcome::pending;
        pending.reference = "job 5b3c0a7e";
        out.push_back({"result-pending-" + code, b.result_card(runbook_change, &pending)});
        ports::change_result failed;
        failed.outcome = ports::change_outcome::failed;
        failed.error_id = "graph.forbidden";
        failed.detail = "Insufficient privileges to complete the operation.";
        out.push_back({"result-failed-" + code, b.result_card(graph_change, &failed)});
        ports::change_result dry_result;
        dry_result.outcome = ports::change_outcome::dry_run;
        dry_result.steps = runbook_change.steps;
        out.push_back({"result-dry-run-" + code, b.result_card(dry, &dry_result)});
        out.push_back({"result-cancelled-" + code, b.result_card(runbook_change, nullptr)});

        // Helpdesk escalation: confirm the summary, sent, the status list.
        const json esc_args = {{"e", "esc-0123456789ab"}, {"q", "golden question"}, {"i", "external_access"}, {"l", code}, {"d", "fabrikam.com"},
                               {"u", "0a1b2c3d-0000-4000-8000-00000000e5e1"}};
        out.push_back({"escalation-confirm-" + code,
                       b.escalation_confirm_card(l, "card-esc-" + code, "golden question [with] *markdown*",
                                                 content.answer(kn::intent::external_access, l)->title,
                                                 ab::dialogs::cards::fill(content.ui("esc_summary_domain", l), "domain", "fabrikam.com"), esc_args)});
        ab::dialogs::cards::escalation_view open_view{"esc-0123456789ab", "Please allow fabrikam.com", "open", {}, {}, true};
        out.push_back({"escalation-sent-" + code, b.escalation_sent_card(l, open_view)});
        ab::dialogs::cards::escalation_view ticketed = open_view;
        ticketed.tickets = {"INC0010002"};
        ticketed.status = "acknowledged";
        ticketed.last_reply = "Done, try again in an hour.";
        ab::dialogs::cards::escalation_view done{"esc-ba9876543210", "Guest access for a consultant", "resolved", {"INC0010001"}, {}, false};
        ab::dialogs::cards::escalation_view cancelled{"esc-aaaaaaaaaaaa", "Shared channel with Contoso", "cancelled", {}, {}, false};
        const json status_args = {{"l", code}, {"u", "0a1b2c3d-0000-4000-8000-00000000e5e1"}};
        out.push_back({"escalation-status-" + code, b.escalation_status_card(l, "card-status-" + code, {ticketed, open_view, done, cancelled}, status_args)});
        if (l == kn::lang::en)
            out.push_back({"escalation-status-none", b.escalation_status_card(l, "card-status-none", {}, status_args)});

        // The helpdesk channel's card: open (all buttons), acknowledged with a reply, resolved.
        ab::dialogs::cards::helpdesk_view hd;
        hd.id = "esc-0123456789ab";
        hd.status = "open";
        hd.user_name = "Anna Lind";
        hd.language = "sv";
        hd.need = content.answer(kn::intent::external_access, l)->title;
        hd.domain = "fabrikam.com";
        hd.question = "Kan jag chatta med anna@fabrikam.com?";
        hd.summary = "Please allow fabrikam.com [project] *now*";
        hd.history = {{"2026-11-22T10:00:00.000Z", "created", "Anna Lind", ""}};
        hd.tickets = {"INC0010002"};
        hd.apply_label = content.ui("hd_apply", l) + ": " + ab::dialogs::cards::fill(domain_setting->raw["action_labels"].value(code, ""), "domain", "fabrikam.com");
        const json hd_args = {{"l", code}};
        out.push_back({"helpdesk-open-" + code, b.helpdesk_card(l, "card-hd-" + code, hd, hd_args)});
        auto acked = hd;
        acked.status = "acknowledged";
        acked.apply_label.clear();
        acked.history.push_back({"2026-11-22T10:05:00.000Z", "acknowledged", "Diego Siciliani", ""});
        acked.history.push_back({"2026-11-22T10:06:00.000Z", "replied", "Diego Siciliani", "Allowed, give it an hour."});
        out.push_back({"helpdesk-acknowledged-" + code, b.helpdesk_card(l, "card-hd-ack-" + code, acked, hd_args)});
        auto closed = acked;
        closed.status = "resolved";
        closed.history.push_back({"2026-11-22T11:00:00.000Z", "resolved", "Diego Siciliani", ""});
        out.push_back({"helpdesk-resolved-" + code, b.helpdesk_card(l, "card-hd-res-" + code, closed, hd_args)});
    }
    return out;
}

fs::path golden_dir()
{
    return fs::path(AB_SOURCE_DIR) / "tests" / "golden" / "cards";
}

std::string read_file(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

template <class F>
void each_action(const json& j, F&& f)
{
    if (j.is_object()) {
        const std::string type = j.value("type", "");
        if (type.rfind("Action.", 0) == 0)
            f(j);
        for (const auto& [k, v] : j.items())
            if (k != "fallback")
                each_action(v, f);
    } else if (j.is_array()) {
        for (const auto& v : j)
            each_action(v, f);
    }
}

} // namespace

TEST(GoldenCards, EveryCardKeepsTeamsRules)
{
    for (const auto& [name, card] : every_card()) {
        SCOPED_TRACE(name);
        EXPECT_EQ(card.value("type", ""), "AdaptiveCard");
        EXPECT_EQ(card.value("version", ""), "1.5");
        EXPECT_LT(card.dump().size(), 28u * 1024u * 8u / 10u); // well under Teams' 28 KB
        EXPECT_LE(card.value("actions", json::array()).size(), 6u);
        ASSERT_FALSE(card.at("body").empty());
        for (const auto& b : card.at("body")) {
            if (b.value("type", "") == "TextBlock") {
                EXPECT_FALSE(b.value("text", "").empty()) << b.dump();
            }
        }
        each_action(card, [&](const json& a) {
            const std::string type = a.value("type", "");
            EXPECT_FALSE(a.value("title", "").empty()) << a.dump();
            if (type == "Action.Execute") {
                EXPECT_FALSE(a.value("verb", "").empty()) << a.dump();
                ASSERT_TRUE(a.contains("fallback")) << a.dump();
                EXPECT_EQ(a["fallback"].value("type", ""), "Action.Submit");
                EXPECT_EQ(a["fallback"]["data"], a["data"]);
                EXPECT_TRUE(a["data"].is_object());
            } else if (type == "Action.OpenUrl") {
                EXPECT_EQ(a.value("url", "").rfind("https://", 0), 0u) << a.dump();
            } else {
                ADD_FAILURE() << "unexpected action " << a.dump();
            }
        });
    }
}

TEST(GoldenCards, MatchTheCommittedFiles)
{
    const bool update = std::getenv("AB_UPDATE_GOLDEN") != nullptr;
    const auto cards = every_card();
    json all = json::array();
    std::vector<std::string> names;
    for (const auto& [name, card] : cards) {
        names.push_back(name + ".json");
        all.push_back(card);
        const fs::path file = golden_dir() / (name + ".json");
        const std::string text = card.dump(2) + "\n";
        if (update) {
            fs::create_directories(golden_dir());
            std::ofstream(file, std::ios::binary) << text;
            continue;
        }
        ASSERT_TRUE(fs::exists(file)) << file << " is missing; run with AB_UPDATE_GOLDEN=1 and review the new file";
        EXPECT_EQ(read_file(file), text) << name << " changed; if intended, run with AB_UPDATE_GOLDEN=1 and review the diff";
    }
    // No stale golden files left behind.
    for (const auto& entry : fs::directory_iterator(golden_dir())) {
        const std::string f = entry.path().filename().string();
        if (std::find(names.begin(), names.end(), f) == names.end()) {
            if (update)
                fs::remove(entry.path());
            else
                ADD_FAILURE() << "stale golden file " << f;
        }
    }
    // All cards in one file for ../shared/realclient/run-all.sh cards (ctest cards.realclient). Only
    // the fixture test asks for it, so a parallel run of this test never truncates the file.
    if (const char* out = std::getenv("AB_GOLDEN_CARDS_OUT")) {
        std::ofstream(fs::path(out), std::ios::binary) << all.dump(1);
        std::ofstream index(fs::path(out).replace_extension(".txt"), std::ios::binary); // card-N.png = line N
        for (const auto& n : names)
            index << n << "\n";
    }
}
