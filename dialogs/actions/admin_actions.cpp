#include "dialogs/actions/admin_actions.hpp"

#include "bot/log.hpp"
#include "bot/schema/reply.hpp"

#include <algorithm>
#include <cctype>

namespace ab::dialogs::actions {

namespace {

using json = nlohmann::json;
using knowledge::lang;
namespace ports = bot::ports;

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

lang lang_of(const std::string& code)
{
    const lang l = knowledge::lang_from_code(code);
    return static_cast<std::size_t>(l) < knowledge::answer_language_count ? l : lang::en;
}

/// A 128-bit random action id (32 hex digits).
std::string new_action_id()
{
    return new_card_id() + new_card_id() + new_card_id().substr(0, 8);
}

} // namespace

std::string action_key(std::string_view action_id)
{
    return "admin-action/" + std::string(action_id);
}

/// One click being handled.
struct admin_actions::click {
    const bot::schema::activity& in;
    const card_action& action;
    std::string correlation_id;
    lang l = lang::en;
    const executable_setting* setting = nullptr;
};

admin_actions::admin_actions(admin_parts parts, admin_options options)
    : parts_(std::move(parts))
    , options_(std::move(options))
    , dry_run_(parts_.settings)
{
}

ports::setting_executor& admin_actions::executor_for(std::string_view operation)
{
    for (auto* e : parts_.executors)
        if (e && e->handles(operation))
            return *e;
    return dry_run_;
}

json admin_actions::offer(const access& who, const bot::schema::activity& in, const knowledge::setting* s, const std::string& domain) const
{
    if (!s)
        return nullptr;
    const executable_setting* e = parts_.settings.find(s->id);
    if (!e || !parts_.settings.applicable(*e, domain) || !parts_.auth.decide(who, *e).allowed)
        return nullptr;
    return {{"u", who.user_id}, {"c", in.conversation.id}, {"x", unix_seconds(options_.clock() + options_.offer_lifetime)}};
}

cards::change_view admin_actions::view_of(const executable_setting& s, const json& parameters, lang l, std::string executor,
                                          std::string requested_by, std::string action_id) const
{
    cards::change_view v;
    v.lang = l;
    v.setting = s.setting;
    std::string label;
    if (const auto labels = s.setting->raw.find("action_labels"); labels != s.setting->raw.end() && labels->is_object()) {
        label = labels->value(std::string(knowledge::lang_code(l)), "");
        if (label.empty())
            label = labels->value("en", "");
    }
    if (label.empty())
        label = parts_.content.ui("apply_now", l);
    for (const auto& [name, value] : parameters.items())
        if (value.is_string())
            label = cards::fill(std::move(label), name, value.get<std::string>());
    v.label = std::move(label);
    v.target = parts_.settings.describe(s, parameters);
    v.executor = std::move(executor);
    v.requested_by = std::move(requested_by);
    v.action_id = std::move(action_id);
    v.expires_minutes = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(options_.confirm_lifetime).count());
    return v;
}

task<void> admin_actions::audit(json entry, std::string idempotency_key, const std::string& correlation_id)
{
    entry["correlation_id"] = correlation_id;
    auto appended = co_await parts_.records.append("audit", std::move(entry), std::move(idempotency_key));
    if (!appended) {
        // Surfaced loudly; the caller has not executed anything yet when this is a
        // denial, and an executed change keeps its record in the state store
        // (admin-action/<id>) either way.
        log::error("admin.audit_failed",
                   {{"error_id", "admin.audit_failed"}, {"correlation_id", correlation_id}, {"error", appended.error().message()}});
        throw std::runtime_error("[admin.audit_failed] " + appended.error().message());
    }
}

task<admin_reply> admin_actions::deny(click& c, std::string reason, std::string text_key)
{
    log::warn("admin.denied", {{"error_id", reason}, {"correlation_id", c.correlation_id}, {"verb", c.action.verb}});
    json entry = {{"event", "denied"},
                  {"result", "denied"},
                  {"reason", reason},
                  {"verb", c.action.verb},
                  {"actor", {{"id", lower(c.in.from.aad_object_id)}, {"name", c.in.from.name}, {"channel_user_id", c.in.from.id}}},
                  {"tenant_id", c.in.conversation.tenant_id},
                  {"conversation_id", c.in.conversation.id},
                  {"setting", c.action.args.value("setting", c.action.args.value("s", ""))},
                  {"parameters", c.action.args.value("p", json::object())},
                  {"domain", c.action.args.value("d", "")},
                  {"action_id", c.action.args.value("a", "")}};
    // One entry per click: the activity id is unique per click (Teams re-delivers
    // with the same id).
    const std::string key = "denied/" + (c.in.id.empty() ? new_action_id() : c.in.id);
    co_await audit(std::move(entry), key, c.correlation_id);
    admin_reply r;
    r.text = parts_.content.ui(text_key, c.l);
    if (text_key == "admin_check_failed")
        r.text = cards::fill(std::move(r.text), "reason", reason);
    co_return r;
}

task<admin_reply> admin_actions::on_action(const bot::schema::activity& in, const card_action& a, std::string correlation_id)
{
    click c{in, a, std::move(correlation_id), lang_of(a.args.value("l", std::string("en"))), nullptr};
    const json& args = a.args;

    // Who and where the button is for, and until when (signed, so only the bot
    // wrote them).
    const std::string for_user = args.value("u", "");
    const std::string for_conversation = args.value("c", "");
    const std::int64_t until = args.value("x", std::int64_t{0});
    if (for_user.empty() || for_conversation.empty() || until == 0)
        co_return co_await deny(c, "card.malformed", "tampered");
    if (for_user != lower(in.from.aad_object_id) || for_conversation != in.conversation.id)
        co_return co_await deny(c, "admin.not_yours", "admin_not_yours");
    if (a.verb != "apply_cancel" && unix_seconds(options_.clock()) > until)
        co_return co_await deny(c, "admin.expired", "admin_expired");

    c.setting = parts_.settings.find(args.value("setting", args.value("s", "")));
    if (!c.setting)
        co_return co_await deny(c, "admin.unknown_setting", "tampered");

    if (a.verb == "apply_cancel")
        co_return co_await cancel(c);

    // Authorization, fresh, on every click that can lead to a change.
    const access who = co_await parts_.auth.lookup(in, true);
    const grant g = parts_.auth.decide(who, *c.setting);
    if (!g.allowed)
        co_return co_await deny(c, g.reason, g.reason.rfind("directory.", 0) == 0 ? "admin_check_failed" : "admin_denied");

    if (a.verb == "apply")
        co_return co_await propose(c);
    co_return co_await confirm(c);
}

/// The change a click asks for (who, what, where; parameters already validated).
ports::setting_change admin_actions::change_of(const click& c, std::string id, json parameters) const
{
    ports::setting_change change;
    change.id = std::move(id);
    change.setting = c.setting->setting->id;
    change.operation = c.setting->operation;
    change.parameters = std::move(parameters);
    change.requested_by = lower(c.in.from.aad_object_id);
    change.requested_by_name = c.in.from.name;
    change.tenant_id = c.in.conversation.tenant_id;
    change.correlation_id = c.correlation_id;
    return change;
}

task<admin_reply> admin_actions::propose(click& c)
{
    const auto params = parts_.settings.parameters_for(*c.setting, c.action.args.value("d", ""));
    if (!params)
        co_return co_await deny(c, "admin.bad_parameter", "tampered");

    ports::setting_change change = change_of(c, new_action_id(), *params);

    ports::setting_executor& exec = executor_for(change.operation);
    cards::change_view v = view_of(*c.setting, change.parameters, c.l, std::string(exec.name()), c.in.from.name, {});
    v.current = co_await exec.read(change);
    v.steps = dry_run_.steps(change);

    const std::int64_t until = unix_seconds(options_.clock() + options_.confirm_lifetime);
    const json bound = {{"a", change.id},
                        {"s", change.setting},
                        {"p", change.parameters},
                        {"u", change.requested_by},
                        {"c", c.in.conversation.id},
                        {"x", until},
                        {"l", std::string(knowledge::lang_code(c.l))}};
    admin_reply r;
    r.card = parts_.cards.confirm_card(v, new_card_id(), bound, bound);
    r.replace = false; // the answer stays; the confirmation comes as its own card
    co_return r;
}

task<admin_reply> admin_actions::prior_outcome(click& c, const cards::change_view& v, const json& parameters)
{
    auto existing = co_await parts_.states.load(action_key(c.action.args.value("a", "")));
    if (existing && *existing) {
        const json& rec = (*existing)->value;
        const std::string status = rec.value("status", "");
        if (status == "done" || status == "pending") {
            const ports::change_result prior = rec.value("result", json::object()).get<ports::change_result>();
            cards::change_view pv = view_of(*c.setting, parameters, c.l, rec.value("executor", v.executor),
                                            rec.value("change", json::object()).value("requested_by_name", v.requested_by), v.action_id);
            co_return admin_reply{parts_.cards.result_card(pv, &prior), {}, true};
        }
        if (status == "cancelled")
            co_return admin_reply{parts_.cards.result_card(v, nullptr), {}, true};
    }
    co_return admin_reply{nullptr, parts_.content.ui("admin_in_progress", c.l), false};
}

task<admin_reply> admin_actions::confirm(click& c)
{
    const std::string id = c.action.args.value("a", "");
    const json claimed_params = c.action.args.value("p", json::object());
    if (id.size() != 32 || !std::all_of(id.begin(), id.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); }))
        co_return co_await deny(c, "card.malformed", "tampered");
    // Parameters are checked against the catalog again (signed, but the catalog
    // has the last word).
    const auto params = parts_.settings.parameters_for(*c.setting, claimed_params.value("domain", ""));
    if (!params || *params != claimed_params)
        co_return co_await deny(c, "admin.bad_parameter", "tampered");

    ports::setting_change change = change_of(c, id, *params);
    ports::setting_executor& exec = executor_for(change.operation);
    cards::change_view v = view_of(*c.setting, change.parameters, c.l, std::string(exec.name()), c.in.from.name, id);

    // Used before (a repeated click, a redelivery, a cancelled confirmation):
    // show what happened then, run nothing, audit nothing new.
    {
        auto existing = co_await parts_.states.load(action_key(id));
        if (!existing)
            co_return admin_reply{nullptr, parts_.content.ui("admin_unavailable", c.l), false};
        if (*existing)
            co_return co_await prior_outcome(c, v, change.parameters);
    }

    // Write-ahead: the attempt is in the audit log before anything can change (a
    // failure here ends the turn with an apology and nothing claimed or executed;
    // a retry appends nothing twice).
    json entry1 = {{"event", "requested"},
                   {"result", "requested"},
                   {"action_id", id},
                   {"actor", {{"id", change.requested_by}, {"name", change.requested_by_name}, {"channel_user_id", c.in.from.id}}},
                   {"tenant_id", change.tenant_id},
                   {"conversation_id", c.in.conversation.id},
                   {"setting", change.setting},
                   {"operation", change.operation},
                   {"parameters", change.parameters},
                   {"executor", exec.name()}};
    const std::string key1 = id + "/requested";
    co_await audit(std::move(entry1), key1, c.correlation_id);

    // Claim the action id: at most one execution, whatever the clicks, instances
    // or redeliveries.
    json record = {{"v", 1},
                   {"status", "running"},
                   {"change", change},
                   {"executor", exec.name()},
                   {"lang", knowledge::lang_code(c.l)},
                   {"reference", bot::schema::reference_of(c.in)},
                   {"card_activity_id", c.in.reply_to_id},
                   {"started_at", unix_seconds(options_.clock())}};
    auto claimed = co_await parts_.states.save(action_key(id), record, ports::etag_match::must_be_absent());
    if (!claimed) {
        if (claimed.error() != ports::storage_errc::conflict)
            co_return admin_reply{nullptr, parts_.content.ui("admin_unavailable", c.l), false};
        co_return co_await prior_outcome(c, v, change.parameters); // a concurrent click claimed it first
    }
    ports::change_result result;
    try {
        result = co_await exec.apply(change);
    } catch (const std::exception& e) {
        result.outcome = ports::change_outcome::failed;
        result.error_id = "admin.executor_error";
        result.detail = e.what();
    }
    if (result.steps.empty())
        result.steps = dry_run_.steps(change);

    record["status"] = result.outcome == ports::change_outcome::pending ? "pending" : "done";
    record["result"] = result;
    record["finished_at"] = unix_seconds(options_.clock());
    auto saved = co_await parts_.states.save(action_key(id), record, ports::etag_match::must_equal(*claimed));
    if (!saved)
        log::error("admin.record_failed", {{"error_id", "admin.record_failed"},
                                           {"correlation_id", c.correlation_id},
                                           {"action_id", id},
                                           {"error", saved.error().message()}});

    log::info("admin.executed", {{"correlation_id", c.correlation_id},
                                 {"action_id", id},
                                 {"setting", change.setting},
                                 {"executor", exec.name()},
                                 {"outcome", ports::outcome_name(result.outcome)},
                                 {"error_id", result.error_id}});
    json entry2 = {{"event", "executed"},
                   {"result", ports::outcome_name(result.outcome)},
                   {"action_id", id},
                   {"actor", {{"id", change.requested_by}, {"name", change.requested_by_name}, {"channel_user_id", c.in.from.id}}},
                   {"tenant_id", change.tenant_id},
                   {"conversation_id", c.in.conversation.id},
                   {"setting", change.setting},
                   {"operation", change.operation},
                   {"parameters", change.parameters},
                   {"executor", exec.name()},
                   {"before", result.before},
                   {"after", result.after},
                   {"reason", result.error_id},
                   {"detail", result.detail},
                   {"reference", result.reference},
                   {"steps", result.steps}};
    const std::string key2 = id + "/executed";
    co_await audit(std::move(entry2), key2, c.correlation_id);
    co_return admin_reply{parts_.cards.result_card(v, &result), {}, true};
}

task<admin_reply> admin_actions::cancel(click& c)
{
    const std::string id = c.action.args.value("a", "");
    if (id.size() != 32)
        co_return co_await deny(c, "card.malformed", "tampered");
    const json params = c.action.args.value("p", json::object());
    cards::change_view v = view_of(*c.setting, params, c.l, std::string(executor_for(c.setting->operation).name()), c.in.from.name, id);
    json record = {
        {"v", 1}, {"status", "cancelled"}, {"lang", knowledge::lang_code(c.l)}, {"cancelled_at", unix_seconds(options_.clock())}};
    auto claimed = co_await parts_.states.save(action_key(id), record, ports::etag_match::must_be_absent());
    if (!claimed && claimed.error() == ports::storage_errc::conflict) {
        auto existing = co_await parts_.states.load(action_key(id));
        if (existing && *existing && (*existing)->value.value("status", "") != "cancelled") {
            const ports::change_result prior = (*existing)->value.value("result", json::object()).get<ports::change_result>();
            co_return admin_reply{parts_.cards.result_card(v, &prior), {}, true}; // confirmed before: too late to cancel
        }
    } else if (!claimed) {
        co_return admin_reply{nullptr, parts_.content.ui("admin_unavailable", c.l), false};
    } else {
        json entry3 = {{"event", "cancelled"},
                       {"result", "cancelled"},
                       {"action_id", id},
                       {"actor", {{"id", lower(c.in.from.aad_object_id)}, {"name", c.in.from.name}, {"channel_user_id", c.in.from.id}}},
                       {"tenant_id", c.in.conversation.tenant_id},
                       {"conversation_id", c.in.conversation.id},
                       {"setting", c.setting->setting->id},
                       {"operation", c.setting->operation},
                       {"parameters", params}};
        const std::string key3 = id + "/cancelled";
        co_await audit(std::move(entry3), key3, c.correlation_id);
    }
    co_return admin_reply{parts_.cards.result_card(v, nullptr), {}, true};
}

task<void> admin_actions::audit_rejected(const bot::schema::activity& in, const json& data, std::string error_id,
                                         std::string correlation_id)
{
    // The data is not trusted: what it claims is recorded as claimed.
    json claimed = json::object();
    if (const auto ab = data.find("ab"); ab != data.end() && ab->is_object())
        if (const auto args = ab->find("args"); args != ab->end() && args->is_object())
            claimed = *args;
    const std::string dumped = claimed.dump(-1, ' ', false, json::error_handler_t::replace);
    json entry4 = {{"event", "denied"},
                   {"result", "denied"},
                   {"reason", error_id},
                   {"actor", {{"id", lower(in.from.aad_object_id)}, {"name", in.from.name}, {"channel_user_id", in.from.id}}},
                   {"tenant_id", in.conversation.tenant_id},
                   {"conversation_id", in.conversation.id},
                   {"claimed", dumped.size() > 2000 ? dumped.substr(0, 2000) : dumped}};
    const std::string key4 = "denied/" + (in.id.empty() ? new_action_id() : in.id);
    co_await audit(std::move(entry4), key4, correlation_id);
}

task<report_status> admin_actions::complete(executor_report report, std::string correlation_id)
{
    if (report.status != "applied" && report.status != "already_set" && report.status != "failed")
        co_return report_status::bad_status;
    if (report.id.size() != 32)
        co_return report_status::unknown_action;
    auto loaded = co_await parts_.states.load(action_key(report.id));
    if (!loaded)
        co_return report_status::unavailable;
    if (!*loaded)
        co_return report_status::unknown_action;
    json record = (*loaded)->value;
    const ports::setting_change change = record.value("change", json::object()).get<ports::setting_change>();
    if (change.operation != report.operation)
        co_return report_status::mismatch;
    if (record.value("status", "") != "pending")
        co_return record.value("status", "") == "done" ? report_status::already_recorded : report_status::unknown_action;

    ports::change_result result = record.value("result", json::object()).get<ports::change_result>();
    result.outcome = report.status == "applied"       ? ports::change_outcome::applied
                     : report.status == "already_set" ? ports::change_outcome::already_set
                                                      : ports::change_outcome::failed;
    result.before = report.before;
    result.after = report.after;
    if (result.outcome == ports::change_outcome::failed) {
        result.error_id = "runbook.failed";
        result.detail = report.error.size() > 500 ? report.error.substr(0, 500) : report.error;
    }
    if (!report.reference.empty())
        result.reference = report.reference;
    record["status"] = "done";
    record["result"] = result;
    record["finished_at"] = unix_seconds(options_.clock());
    auto saved = co_await parts_.states.save(action_key(report.id), record, ports::etag_match::must_equal((*loaded)->etag));
    if (!saved)
        co_return saved.error() == ports::storage_errc::conflict ? report_status::already_recorded : report_status::unavailable;

    const std::string executor = record.value("executor", "runbook");
    json entry5 = {{"event", "completed"},          {"result", ports::outcome_name(result.outcome)},
                   {"action_id", report.id},        {"actor", {{"id", change.requested_by}, {"name", change.requested_by_name}}},
                   {"tenant_id", change.tenant_id}, {"setting", change.setting},
                   {"operation", change.operation}, {"parameters", change.parameters},
                   {"executor", executor},          {"before", result.before},
                   {"after", result.after},         {"reason", result.error_id},
                   {"detail", result.detail},       {"reference", result.reference}};
    const std::string key5 = report.id + "/completed";
    co_await audit(std::move(entry5), key5, correlation_id);

    // Tell the admin: the result card replaces the "sent to the runbook" card.
    const executable_setting* s = parts_.settings.find(change.setting);
    if (parts_.connector && s) {
        const lang l = lang_of(record.value("lang", "en"));
        cards::change_view v = view_of(*s, change.parameters, l, executor, change.requested_by_name, report.id);
        bot::schema::conversation_reference where;
        try {
            where = record.at("reference").get<bot::schema::conversation_reference>();
        } catch (const std::exception&) {
            co_return report_status::recorded; // no way back to the conversation; the
                                               // audit has it
        }
        bot::schema::activity message = bot::schema::make_message(where);
        bot::schema::attachment att;
        att.content_type = "application/vnd.microsoft.card.adaptive";
        att.content = parts_.cards.result_card(v, &result);
        message.attachments.push_back(std::move(att));
        const std::string card_activity = record.value("card_activity_id", "");
        bool delivered = false;
        if (!card_activity.empty()) {
            auto updated = co_await parts_.connector->update(where, card_activity, message);
            delivered = static_cast<bool>(updated);
        }
        if (!delivered) {
            auto sent = co_await parts_.connector->send(where, std::move(message));
            if (!sent)
                log::warn("admin.notify_failed", {{"error_id", "admin.notify_failed"},
                                                  {"correlation_id", correlation_id},
                                                  {"action_id", report.id},
                                                  {"error", sent.error().message()}});
        }
    }
    co_return report_status::recorded;
}

} // namespace ab::dialogs::actions
