#include "dialogs/cards/cards.hpp"

#include <array>
#include <charconv>
#include <mutex>
#include <unordered_map>

namespace ab::dialogs::cards {

namespace {

using json = nlohmann::json;
using knowledge::lang;

json text(std::string t, bool wrap = true)
{
    json b = {{"type", "TextBlock"}, {"text", std::move(t)}};
    if (wrap)
        b["wrap"] = true;
    return b;
}

json heading(std::string t)
{
    json b = text(std::move(t));
    b["weight"] = "Bolder";
    b["size"] = "Large";
    return b;
}

json subheading(std::string t)
{
    json b = text(std::move(t));
    b["weight"] = "Bolder";
    b["spacing"] = "Medium";
    return b;
}

json subtle(std::string t)
{
    json b = text(std::move(t));
    b["isSubtle"] = true;
    b["spacing"] = "Small";
    return b;
}

json card_of(json body, json actions = json::array())
{
    json c = {{"type", "AdaptiveCard"},
              {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
              {"version", "1.5"},
              {"msteams", {{"width", "Full"}}},
              {"body", std::move(body)}};
    if (!actions.empty())
        c["actions"] = std::move(actions);
    return c;
}

json action_set(json actions)
{
    return {{"type", "ActionSet"}, {"actions", std::move(actions)}};
}

/// Numbered steps as one ColumnSet per step ("1." | text): wraps cleanly in every client, where a
/// markdown list in a TextBlock gets clipped by some renderers.
json numbered(const std::vector<std::string>& steps, std::string_view domain)
{
    json rows = json::array();
    for (std::size_t i = 0; i < steps.size(); ++i) {
        json number = text(std::to_string(i + 1) + "\\.", false);
        json step = text(fill(steps[i], "domain", domain));
        rows.push_back({{"type", "ColumnSet"},
                        {"spacing", "Small"},
                        {"columns", json::array({{{"type", "Column"}, {"width", "auto"}, {"items", json::array({number})}},
                                                 {{"type", "Column"}, {"width", "stretch"}, {"items", json::array({step})}}})}});
    }
    return {{"type", "Container"}, {"items", std::move(rows)}};
}

/// A command or request as a shaded block of monospace lines (one TextBlock per line, so long
/// commands break between statements, not inside a cmdlet name).
json code_block(const std::vector<std::string>& lines)
{
    json items = json::array();
    for (const auto& line : lines) {
        if (line.empty())
            continue;
        json t = text(line);
        t["fontType"] = "Monospace";
        t["spacing"] = "None";
        items.push_back(std::move(t));
    }
    return {{"type", "Container"}, {"style", "emphasis"}, {"items", std::move(items)}};
}

std::vector<std::string> split_on(const std::string& s, std::string_view sep)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t at = s.find(sep); at != std::string::npos; at = s.find(sep, start)) {
        out.push_back(s.substr(start, at - start + (sep.front() == ';' ? 1 : 0)));
        start = at + sep.size();
    }
    out.push_back(s.substr(start));
    return out;
}

bool usable_url(const std::string& url)
{
    return url.rfind("https://", 0) == 0 && url.find('{') == std::string::npos && url.find(' ') == std::string::npos;
}

std::string localized(const json& raw, const char* key, lang l)
{
    const auto it = raw.find(key);
    if (it == raw.end() || !it->is_object())
        return {};
    const std::string code(knowledge::lang_code(l));
    if (auto v = it->find(code); v != it->end() && v->is_string() && !v->get_ref<const std::string&>().empty())
        return v->get<std::string>();
    if (auto v = it->find("en"); v != it->end() && v->is_string())
        return v->get<std::string>();
    return {};
}

std::size_t index_of(lang l)
{
    const auto i = static_cast<std::size_t>(l);
    return i < knowledge::answer_language_count ? i : 0;
}

/// A link target safe inside markdown "(…)".
std::string link_target(std::string url)
{
    std::string out;
    for (char c : url) {
        if (c == '(')
            out += "%28";
        else if (c == ')')
            out += "%29";
        else if (c == ' ')
            out += "%20";
        else
            out += c;
    }
    return out;
}

/// The context every answer-card button carries, so the card can be rebuilt after a click.
json answer_args(const answer_view& v)
{
    return {{"i", knowledge::intent_name(v.topic)},
            {"l", knowledge::lang_code(v.lang)},
            {"r", knowledge::role_name(v.role)},
            {"d", v.domain},
            {"q", v.question}};
}

} // namespace

std::string fill(std::string text, std::string_view name, std::string_view value)
{
    const std::string token = "{" + std::string(name) + "}";
    for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
        text.replace(at, token.size(), value);
    return text;
}

std::string escape_markdown(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    for (char c : in) {
        switch (c) {
        case '\\': case '`': case '*': case '_': case '[': case ']': case '(': case ')': case '#': case '<': case '>':
        case '!': case '|': case '~':
            out += '\\';
            [[fallthrough]];
        default:
            out += c;
        }
    }
    return out;
}

json attachment_of(json card)
{
    return {{"contentType", "application/vnd.microsoft.card.adaptive"}, {"content", std::move(card)}};
}

namespace {

json button_with(const std::string& title, std::string_view verb, const json& data)
{
    // Teams desktop/web send Action.Execute as an adaptiveCard/action invoke; clients without
    // Universal Actions (Teams mobile, older hosts) fall back to Action.Submit with the same data.
    return {{"type", "Action.Execute"},
            {"title", title},
            {"verb", verb},
            {"data", data},
            {"fallback", {{"type", "Action.Submit"}, {"title", title}, {"data", data}}}};
}

/// Stands in for button i's data in a card template: a string no card text can be (control
/// characters are escaped by dump(), and every user text sits inside a longer string).
std::string slot_marker(std::size_t i)
{
    return "\x01" + std::to_string(i) + "\x01";
}

std::string dump_card(const json& card)
{
    return card.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

/// Rendered answers by everything that shapes them except the signed data. Bounded by size (an
/// answer is 5-17 KB): when full it starts over (answers repeat a lot; domains and citations vary
/// without end).
struct card_builder::template_cache {
    /// A rendered answer card cut at its buttons' data: text[0] data[slot[0]] text[1] … text[n].
    struct card_template {
        std::vector<std::string> text;
        std::vector<std::size_t> slot;
        std::size_t size = 0;
    };
    static constexpr std::size_t max_bytes = 4u << 20;
    std::mutex mutex;
    std::size_t bytes = 0;
    std::unordered_map<std::string, std::shared_ptr<const card_template>> entries;
};

card_builder::card_builder(const knowledge::content& content, const action_signer& signer, clock_fn clock)
    : content_(content),
      signer_(signer),
      clock_(clock ? std::move(clock) : clock_fn([] { return std::chrono::system_clock::now(); })),
      templates_(std::make_unique<template_cache>())
{
}

card_builder::~card_builder() = default;

json card_builder::button(const std::string& title, std::string_view verb, const std::string& card_id, json args) const
{
    return button_with(title, verb, signer_.sign(verb, card_id, std::move(args), clock_()));
}

const knowledge::setting* card_builder::governing_setting(knowledge::intent topic, bool has_domain) const
{
    const auto candidates = content_.settings_for(topic);
    if (has_domain)
        for (const knowledge::setting* s : candidates)
            if (s->parameters.is_array())
                for (const auto& p : s->parameters)
                    if (p.value("name", "") == "domain" && p.value("required", false))
                        return s;
    for (const knowledge::setting* s : candidates) {
        const auto primary = s->raw.find("primary_for");
        if (primary != s->raw.end() && primary->is_array())
            for (const auto& p : *primary)
                if (p == knowledge::intent_name(topic))
                    return s;
    }
    return candidates.empty() ? nullptr : candidates.front();
}

card_builder::answer_buttons card_builder::buttons_of(const answer_view& v, const knowledge::setting* s) const
{
    const lang l = v.lang;
    answer_buttons out;
    // Feedback: two buttons until used, then the thanks in their place.
    if (v.feedback.empty()) {
        json yes = answer_args(v);
        yes["a"] = "yes";
        json no = answer_args(v);
        no["a"] = "no";
        out.list.push_back({content_.ui("helpful_yes", l), "helpful", std::move(yes)});
        out.list.push_back({content_.ui("helpful_no", l), "helpful", std::move(no)});
        out.feedback = 2;
    }
    if (v.can_apply && s) {
        json args = answer_args(v);
        args["setting"] = s->id;
        if (v.apply_binding.is_object())
            for (const auto& [k, val] : v.apply_binding.items())
                args[k] = val;
        std::string label = localized(s->raw, "action_labels", l);
        label = label.empty() ? content_.ui("apply_now", l) : fill(std::move(label), "domain", v.domain);
        out.list.push_back({std::move(label), "apply", std::move(args)});
    }
    // What the user can ask IT for: the setting ("Ask IT to allow fabrikam.com"), or, where no one
    // setting answers the question, the helpdesk as such. Admins are IT: they get the setting.
    if (v.role != knowledge::role::admin) {
        std::string ask = !v.domain.empty() ? fill(content_.ui("ask_it_domain", l), "domain", v.domain)
                          : v.topic == knowledge::intent::access_comparison ? content_.ui("ask_helpdesk", l)
                                                                            : content_.ui("ask_it", l);
        out.list.push_back({std::move(ask), "ask_it", answer_args(v)});
    }
    return out;
}

json card_builder::answer_card(const answer_view& v, const std::string& card_id) const
{
    const knowledge::setting* s = governing_setting(v.topic, !v.domain.empty());
    const answer_buttons buttons = buttons_of(v, s);
    return answer_document(v, s, buttons, [&](std::size_t i) {
        const answer_button& b = buttons.list[i];
        return signer_.sign(b.verb, card_id, b.args, clock_());
    });
}

std::string card_builder::answer_card_text(const answer_view& v, const std::string& card_id) const
{
    const knowledge::setting* s = governing_setting(v.topic, !v.domain.empty());
    answer_buttons buttons = buttons_of(v, s);

    // Everything answer_document() reads, except the buttons' data (question, card id, time, who).
    std::string key;
    key.reserve(256);
    const auto field = [&key](std::string_view f) {
        key += f;
        key += '\x1f';
    };
    field(knowledge::intent_name(v.topic));
    field(knowledge::lang_code(v.lang));
    field(knowledge::role_name(v.role));
    field(v.domain);
    field(v.note);
    field(v.feedback);
    field(v.language_unsupported ? "u" : "");
    for (const auto& b : buttons.list) {
        field(b.verb);
        field(b.title);
    }
    for (const auto& c : v.citations) {
        field(c.title);
        field(c.section);
        field(c.url);
    }

    std::shared_ptr<const template_cache::card_template> tpl;
    {
        std::lock_guard lock(templates_->mutex);
        if (auto it = templates_->entries.find(key); it != templates_->entries.end())
            tpl = it->second;
    }
    if (!tpl) {
        const std::string whole = dump_card(answer_document(v, s, buttons, [](std::size_t i) { return json(slot_marker(i)); }));
        auto made = std::make_shared<template_cache::card_template>();
        std::size_t piece = 0; // where the text since the last marker starts
        for (std::size_t at = whole.find("\"\\u0001"); at != std::string::npos; at = whole.find("\"\\u0001", at + 1)) {
            const std::size_t digits = at + 7;
            const std::size_t end = whole.find("\\u0001\"", digits);
            std::size_t i = 0;
            const auto [p, ec] = std::from_chars(whole.data() + digits, whole.data() + (end == std::string::npos ? digits : end), i);
            if (end == std::string::npos || ec != std::errc() || p != whole.data() + end || i >= buttons.list.size())
                continue; // not a marker after all
            made->text.push_back(whole.substr(piece, at - piece));
            made->slot.push_back(i);
            piece = end + 7;
            at = piece - 1;
        }
        made->text.push_back(whole.substr(piece));
        made->size = whole.size();
        if (made->slot.size() != 2 * buttons.list.size()) // each button holds its data twice (Execute + fallback)
            return dump_card(answer_card(v, card_id));
        tpl = std::move(made);
        std::lock_guard lock(templates_->mutex);
        const std::size_t cost = tpl->size + key.size();
        if (templates_->bytes + cost > template_cache::max_bytes) {
            templates_->entries.clear();
            templates_->bytes = 0;
        }
        if (templates_->entries.emplace(std::move(key), tpl).second)
            templates_->bytes += cost;
    }

    const auto now = clock_();
    std::vector<std::string> data;
    data.reserve(buttons.list.size());
    std::size_t extra = 0;
    for (auto& b : buttons.list) {
        data.push_back(signer_.sign_text(b.verb, card_id, std::move(b.args), now));
        extra += 2 * data.back().size();
    }
    std::string out;
    out.reserve(tpl->size + extra);
    for (std::size_t k = 0; k < tpl->slot.size(); ++k) {
        out += tpl->text[k];
        out += data[tpl->slot[k]];
    }
    out += tpl->text.back();
    return out;
}

json card_builder::answer_document(const answer_view& v, const knowledge::setting* s, const answer_buttons& buttons,
                                   const std::function<json(std::size_t)>& data_of) const
{
    const auto make = [&](std::size_t i) { return button_with(buttons.list[i].title, buttons.list[i].verb, data_of(i)); };
    const lang l = v.lang;
    const knowledge::answer_text* a = content_.answer(v.topic, l);
    json body = json::array();
    if (v.language_unsupported)
        body.push_back(subtle(content_.ui("language_unsupported", lang::en)));
    if (!v.note.empty())
        body.push_back(subtle(v.note));
    if (a) {
        body.push_back(heading(a->title));
        body.push_back(text(a->summary));
    }
    if (!v.domain.empty())
        body.push_back(subtle(fill(content_.ui("domain_note", l), "domain", v.domain)));
    if (a && !a->explanation.empty()) {
        json e = text(a->explanation);
        e["spacing"] = "Medium";
        body.push_back(std::move(e));
    }

    const bool admin = v.role == knowledge::role::admin;
    if (a) {
        const auto& steps = admin && !a->admin_steps.empty() ? a->admin_steps : a->user_steps;
        if (!steps.empty()) {
            body.push_back(subheading(content_.ui(admin && !a->admin_steps.empty() ? "what_admin_does" : "what_you_can_do", l)));
            body.push_back(numbered(steps, v.domain.empty() ? content_.ui("domain_placeholder", l) : v.domain));
        }
    }

    json actions = json::array();
    if (s) {
        const std::size_t li = index_of(l);
        const std::string name = s->names[li].empty() ? s->names[0] : s->names[li];
        std::string where = localized(s->raw, "admin_center_names", l);
        if (where.empty())
            where = s->admin_center;
        const std::string path = s->paths[li].empty() ? s->paths[0] : s->paths[li];
        if (!path.empty())
            where += " > " + path;
        // The admin center's name links to the setting's page (for everyone: users can forward it).
        std::string where_md = usable_url(s->deep_link) ? "[" + escape_markdown(where.substr(0, where.find(" > "))) + "](" + link_target(s->deep_link) + ")" +
                                                              (where.find(" > ") == std::string::npos ? "" : where.substr(where.find(" > ")))
                                                        : where;
        body.push_back({{"type", "FactSet"},
                        {"separator", true},
                        {"spacing", "Medium"},
                        {"facts", json::array({{{"title", content_.ui("setting_label", l)}, {"value", name}},
                                               {{"title", content_.ui("where_label", l)}, {"value", where_md}}})}});
        if (admin) {
            const std::string domain = v.domain.empty() ? content_.ui("domain_placeholder", l) : v.domain;
            if (!s->powershell.empty()) {
                body.push_back(subheading(content_.ui("powershell_label", l)));
                body.push_back(code_block(split_on(fill(s->powershell, "domain", domain), "; ")));
            }
            if (s->graph.is_object()) {
                if (const auto w = s->graph.find("write"); w != s->graph.end() && w->is_object()) {
                    std::vector<std::string> lines{w->value("method", "PATCH") + " " + w->value("url", "")};
                    if (const auto b = w->find("body"); b != w->end() && !b->is_null())
                        for (auto& line : split_on(b->dump(2), "\n"))
                            lines.push_back(std::move(line));
                    for (auto& line : lines) {
                        line = fill(std::move(line), "domain", domain);
                        line = fill(std::move(line), "tenantId", "<" + content_.ui("tenant_placeholder", l) + ">");
                        // Leading spaces of the pretty-printed JSON as non-breaking spaces (kept by every renderer).
                        std::size_t indent = 0;
                        while (indent < line.size() && line[indent] == ' ')
                            ++indent;
                        std::string nbsp;
                        for (std::size_t i = 0; i < indent; ++i)
                            nbsp += "\u00a0";
                        line = nbsp + line.substr(indent);
                    }
                    body.push_back(subheading(content_.ui("graph_label", l)));
                    body.push_back(code_block(lines));
                }
            }
        }
        if (admin && usable_url(s->deep_link))
            actions.push_back({{"type", "Action.OpenUrl"}, {"title", content_.ui("open_admin_center", l)}, {"url", s->deep_link}});
    }

    if (!v.citations.empty()) {
        body.push_back(subheading(content_.ui("sources_label", l)));
        std::string list;
        for (const auto& c : v.citations) {
            if (!usable_url(c.url))
                continue;
            if (!list.empty())
                list += '\r';
            std::string label = c.title;
            if (!c.section.empty() && c.section != c.title)
                label += " · " + c.section;
            list += "- [" + escape_markdown(label) + "](" + link_target(c.url) + ")";
        }
        if (!list.empty())
            body.push_back(text(list));
    }

    // Feedback: two buttons until used, then the thanks in their place.
    if (buttons.feedback == 2) {
        body.push_back(subheading(content_.ui("helpful_question", l)));
        body.push_back(action_set(json::array({make(0), make(1)})));
    } else {
        json thanks = subtle(content_.ui(v.feedback == "no" ? "feedback_thanks_no" : "feedback_thanks", l));
        thanks["spacing"] = "Medium";
        body.push_back(std::move(thanks));
    }

    for (std::size_t i = buttons.feedback; i < buttons.list.size(); ++i) // Apply now, Ask IT
        actions.push_back(make(i));
    return card_of(std::move(body), std::move(actions));
}

json card_builder::examples(lang l, const std::string& card_id) const
{
    // Each example question is a whole-width, wrapped, clickable line (a button would cut it off).
    json items = json::array();
    for (const char* key : {"help_example_1", "help_example_2", "help_example_3"}) {
        const std::string& q = content_.ui(key, l);
        json t = text("› " + q);
        t["color"] = "Accent";
        items.push_back({{"type", "Container"},
                         {"spacing", "Small"},
                         {"selectAction", button(q, "example", card_id, {{"q", q}, {"l", knowledge::lang_code(l)}})},
                         {"items", json::array({std::move(t)})}});
    }
    return {{"type", "Container"}, {"items", std::move(items)}};
}

json card_builder::clarify_card(lang l, const std::string& card_id) const
{
    json body = json::array({heading(content_.ui("clarify_title", l)), text(content_.ui("clarify_question", l))});
    // The card's only purpose: the two answers are its main (top-level) actions.
    return card_of(std::move(body), json::array({button(content_.ui("clarify_chat_only", l), "clarify", card_id, {{"choice", "external"}}),
                                                 button(content_.ui("clarify_collaborate", l), "clarify", card_id, {{"choice", "guest"}})}));
}

json card_builder::welcome_card(lang l, const std::string& card_id) const
{
    json body = json::array({heading(content_.ui("welcome_title", l)), text(content_.ui("welcome_text", l))});
    body.push_back(subheading(content_.ui("help_text", l)));
    body.push_back(examples(l, card_id));
    return card_of(std::move(body), json::array({button(content_.ui("help_button", l), "help", card_id, {{"l", knowledge::lang_code(l)}})}));
}

json card_builder::help_card(lang l, const std::string& card_id, const std::string& language_pref, const std::string& lead) const
{
    json body = json::array();
    body.push_back(heading(content_.ui("help_title", l)));
    if (!lead.empty())
        body.push_back(text(lead));
    body.push_back(subheading(content_.ui("help_text", l)));
    body.push_back(examples(l, card_id));

    // The answer language: detected per message unless the user picks one here.
    json choices = json::array({{{"title", content_.ui("language_auto", l)}, {"value", "auto"}}});
    for (std::size_t i = 0; i < knowledge::answer_language_count; ++i) {
        const lang each = static_cast<lang>(i);
        choices.push_back({{"title", content_.ui("language_name", each)}, {"value", std::string(knowledge::lang_code(each))}});
    }
    body.push_back(subheading(content_.ui("language_label", l)));
    body.push_back({{"type", "Input.ChoiceSet"},
                    {"id", "language"},
                    {"style", "compact"},
                    {"value", language_pref.empty() ? std::string("auto") : language_pref},
                    {"choices", std::move(choices)}});
    body.push_back(action_set(json::array({button(content_.ui("language_save", l), "set_language", card_id, {{"l", knowledge::lang_code(l)}})})));
    return card_of(std::move(body));
}

json card_builder::out_of_scope_card(lang l, const std::string& card_id, const std::string& question) const
{
    json body = json::array({heading(content_.ui("out_of_scope_title", l)), text(content_.ui("out_of_scope_can_help", l))});
    const json args = {{"i", "out_of_scope"}, {"l", knowledge::lang_code(l)}, {"r", "user"}, {"d", ""}, {"q", question}};
    return card_of(std::move(body), json::array({button(content_.ui("help_button", l), "help", card_id, {{"l", knowledge::lang_code(l)}}),
                                                 button(content_.ui("ask_helpdesk", l), "ask_it", card_id, args)}));
}

namespace {

/// A read value for a card: {"a": "x", "b": true} → "a = x, b = True".
std::string value_text(const json& v)
{
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_boolean())
        return v.get<bool>() ? "True" : "False";
    if (v.is_object()) {
        std::string out;
        for (const auto& [k, x] : v.items()) {
            if (!out.empty())
                out += ", ";
            out += k + " = " + value_text(x);
        }
        return out;
    }
    if (v.is_array()) {
        std::string out;
        for (const auto& x : v) {
            if (!out.empty())
                out += ", ";
            out += value_text(x);
        }
        return out.empty() ? "(none)" : out;
    }
    return v.is_null() ? std::string() : v.dump();
}

json fact(std::string title, std::string value)
{
    return {{"title", std::move(title)}, {"value", std::move(value)}};
}

} // namespace

json card_builder::confirm_card(const change_view& v, const std::string& card_id, const json& confirm_args, const json& cancel_args) const
{
    const lang l = v.lang;
    const std::size_t li = index_of(l);
    json body = json::array({heading(content_.ui("confirm_title", l)), text("**" + escape_markdown(v.label) + "**")});
    json facts = json::array();
    if (v.setting)
        facts.push_back(fact(content_.ui("setting_label", l), v.setting->names[li].empty() ? v.setting->names[0] : v.setting->names[li]));
    std::string current;
    if (v.current.known)
        current = escape_markdown(value_text(v.current.value));
    else if (!v.current.error_id.empty())
        current = fill(content_.ui("current_unreadable", l), "reason", v.current.error_id);
    else
        current = content_.ui(v.executor == "runbook" ? "current_by_runbook" : "current_unknown", l);
    facts.push_back(fact(content_.ui("fact_current", l), current));
    facts.push_back(fact(content_.ui("fact_change", l), escape_markdown(v.target)));
    facts.push_back(fact(content_.ui("fact_executor", l), content_.ui("executor_" + std::string(v.executor == "dry-run" ? "dry_run" : v.executor), l)));
    facts.push_back(fact(content_.ui("fact_requested_by", l), escape_markdown(v.requested_by)));
    body.push_back({{"type", "FactSet"}, {"separator", true}, {"spacing", "Medium"}, {"facts", std::move(facts)}});
    if (v.current.known && v.current.satisfied)
        body.push_back(subtle(content_.ui("current_satisfied", l)));
    if (!v.steps.empty()) {
        body.push_back(subheading(content_.ui(v.executor == "dry-run" ? "would_run_label" : "will_run_label", l)));
        body.push_back(code_block(v.steps));
    }
    if (v.executor == "dry-run")
        body.push_back(subtle(content_.ui("dry_run_note", l)));
    body.push_back(subtle(fill(content_.ui("confirm_expires", l), "minutes", std::to_string(v.expires_minutes))));
    return card_of(std::move(body), json::array({button(content_.ui("confirm_button", l), "apply_confirm", card_id, confirm_args),
                                                 button(content_.ui("cancel_button", l), "apply_cancel", card_id, cancel_args)}));
}

json card_builder::result_card(const change_view& v, const bot::ports::change_result* r) const
{
    const lang l = v.lang;
    const std::size_t li = index_of(l);
    const std::string outcome = r ? std::string(bot::ports::outcome_name(r->outcome)) : std::string("cancelled");
    json body = json::array({heading(content_.ui("result_" + outcome + "_title", l)), text("**" + escape_markdown(v.label) + "**")});
    body.push_back(text(content_.ui("result_" + outcome + "_text", l)));
    json facts = json::array();
    if (v.setting)
        facts.push_back(fact(content_.ui("setting_label", l), v.setting->names[li].empty() ? v.setting->names[0] : v.setting->names[li]));
    facts.push_back(fact(content_.ui("fact_change", l), escape_markdown(v.target)));
    if (r && !r->before.is_null())
        facts.push_back(fact(content_.ui("fact_before", l), escape_markdown(value_text(r->before))));
    if (r && !r->after.is_null())
        facts.push_back(fact(content_.ui("fact_after", l), escape_markdown(value_text(r->after))));
    if (r && r->outcome == bot::ports::change_outcome::failed)
        facts.push_back(fact(content_.ui("fact_reason", l),
                             escape_markdown(r->error_id + (r->detail.empty() ? std::string() : ": " + r->detail))));
    facts.push_back(fact(content_.ui("fact_executor", l), content_.ui("executor_" + std::string(v.executor == "dry-run" ? "dry_run" : v.executor), l)));
    facts.push_back(fact(content_.ui("fact_requested_by", l), escape_markdown(v.requested_by)));
    if (r && !r->reference.empty())
        facts.push_back(fact(content_.ui("fact_reference", l), escape_markdown(r->reference)));
    if (!v.action_id.empty())
        facts.push_back(fact(content_.ui("fact_action_id", l), v.action_id));
    body.push_back({{"type", "FactSet"}, {"separator", true}, {"spacing", "Medium"}, {"facts", std::move(facts)}});
    if (r && r->outcome == bot::ports::change_outcome::dry_run && !r->steps.empty()) {
        body.push_back(subheading(content_.ui("would_run_label", l)));
        body.push_back(code_block(r->steps));
    }
    if (r && (r->outcome == bot::ports::change_outcome::applied || r->outcome == bot::ports::change_outcome::pending) && v.executor == "runbook")
        body.push_back(subtle(content_.ui("propagation_note", l)));
    return card_of(std::move(body));
}

json card_builder::escalation_confirm_card(lang l, const std::string& card_id, const std::string& question, const std::string& need,
                                           const std::string& summary, const json& args) const
{
    json body = json::array({heading(content_.ui("escalate_title", l)), text(content_.ui("escalate_text", l))});
    json facts = json::array({{{"title", content_.ui("esc_fact_question", l)}, {"value", escape_markdown(question)}}});
    if (!need.empty())
        facts.push_back({{"title", content_.ui("esc_fact_need", l)}, {"value", escape_markdown(need)}});
    body.push_back({{"type", "FactSet"}, {"spacing", "Medium"}, {"facts", std::move(facts)}});
    body.push_back({{"type", "Input.Text"},
                    {"id", "summary"},
                    {"label", content_.ui("esc_summary_label", l)},
                    {"isMultiline", true},
                    {"maxLength", 1000},
                    {"value", summary}});
    return card_of(std::move(body), json::array({button(content_.ui("escalate_confirm", l), "esc_send", card_id, args),
                                                 button(content_.ui("esc_discard", l), "esc_discard", card_id, args)}));
}

namespace {

std::string status_label(const knowledge::content& c, const std::string& status, lang l)
{
    return c.ui("esc_status_" + status, l);
}

} // namespace

json card_builder::escalation_sent_card(lang l, const escalation_view& v) const
{
    json body = json::array({heading(content_.ui("esc_sent_title", l)), text(fill(content_.ui("esc_sent_text", l), "id", v.id))});
    json facts = json::array({{{"title", content_.ui("fact_reference", l)}, {"value", v.id}},
                              {{"title", content_.ui("hd_fact_summary", l)}, {"value", escape_markdown(v.summary)}},
                              {{"title", content_.ui("hd_fact_status", l)}, {"value", status_label(content_, v.status, l)}}});
    body.push_back({{"type", "FactSet"}, {"separator", true}, {"spacing", "Medium"}, {"facts", std::move(facts)}});
    return card_of(std::move(body));
}

json card_builder::escalation_status_card(lang l, const std::string& card_id, const std::vector<escalation_view>& list, const json& args) const
{
    json body = json::array({heading(content_.ui("esc_status_title", l))});
    if (list.empty())
        body.push_back(text(content_.ui("esc_status_none", l)));
    for (const auto& v : list) {
        std::string line = "**" + v.id + "** · " + status_label(content_, v.status, l);
        for (const auto& t : v.tickets)
            line += " · " + fill(content_.ui("esc_ticket", l), "number", escape_markdown(t));
        json item = json::array({text(line), subtle(escape_markdown(v.summary))});
        if (!v.last_reply.empty())
            item.push_back(text("› " + escape_markdown(v.last_reply)));
        if (v.can_cancel) {
            json a = args;
            a["id"] = v.id;
            item.push_back(action_set(json::array({button(fill(content_.ui("esc_cancel_button", l), "id", v.id), "esc_cancel", card_id, a)})));
        }
        body.push_back({{"type", "Container"}, {"separator", true}, {"spacing", "Medium"}, {"items", std::move(item)}});
    }
    return card_of(std::move(body));
}

json card_builder::helpdesk_card(lang l, const std::string& card_id, const helpdesk_view& v, const json& args) const
{
    json body = json::array({heading(fill(fill(content_.ui("hd_title", l), "id", v.id), "user", escape_markdown(v.user_name)))});
    json facts = json::array({{{"title", content_.ui("hd_fact_status", l)}, {"value", content_.ui("esc_status_" + v.status, l)}},
                              {{"title", content_.ui("hd_fact_from", l)}, {"value", escape_markdown(v.user_name)}},
                              {{"title", content_.ui("hd_fact_language", l)}, {"value", v.language}}});
    if (!v.need.empty())
        facts.push_back({{"title", content_.ui("hd_fact_need", l)}, {"value", escape_markdown(v.need)}});
    if (!v.domain.empty())
        facts.push_back({{"title", content_.ui("hd_fact_domain", l)}, {"value", escape_markdown(v.domain)}});
    for (const auto& t : v.tickets)
        facts.push_back({{"title", content_.ui("fact_reference", l)}, {"value", escape_markdown(t)}});
    body.push_back({{"type", "FactSet"}, {"spacing", "Medium"}, {"facts", std::move(facts)}});
    body.push_back(subheading(content_.ui("hd_fact_summary", l)));
    body.push_back(text(escape_markdown(v.summary)));
    if (!v.question.empty() && v.question != v.summary) {
        body.push_back(subheading(content_.ui("hd_fact_question", l)));
        body.push_back(text(escape_markdown(v.question)));
    }
    if (!v.history.empty()) {
        body.push_back(subheading(content_.ui("hd_history", l)));
        std::string lines;
        for (const auto& h : v.history) {
            if (!lines.empty())
                lines += '\r';
            lines += "- " + h.at.substr(0, 16) + " · " + escape_markdown(h.actor) + " " + content_.ui("hd_event_" + h.event, l) +
                     (h.text.empty() ? std::string() : ": " + escape_markdown(h.text));
        }
        body.push_back(text(lines));
    }
    const bool open = v.status == "open" || v.status == "acknowledged";
    json actions = json::array();
    if (open) {
        body.push_back({{"type", "Input.Text"},
                        {"id", "reply"},
                        {"label", fill(content_.ui("hd_reply_label", l), "user", v.user_name)},
                        {"isMultiline", true},
                        {"maxLength", 2000}});
        json a = args;
        a["id"] = v.id;
        if (v.status == "open")
            actions.push_back(button(content_.ui("hd_ack", l), "esc_ack", card_id, a));
        actions.push_back(button(content_.ui("hd_reply", l), "esc_reply", card_id, a));
        if (!v.apply_label.empty())
            actions.push_back(button(v.apply_label, "esc_apply", card_id, a));
        actions.push_back(button(content_.ui("hd_resolve", l), "esc_resolve", card_id, a));
    }
    return card_of(std::move(body), std::move(actions));
}

json card_builder::notice_card(const std::string& title, const std::string& body_text) const
{
    json body = json::array();
    if (!title.empty())
        body.push_back(subheading(title));
    body.push_back(text(body_text));
    return card_of(std::move(body));
}

} // namespace ab::dialogs::cards
