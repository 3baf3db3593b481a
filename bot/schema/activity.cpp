#include "bot/schema/activity.hpp"

#include <optional>
#include <utility>

namespace ab::bot::schema {

using nlohmann::json;

namespace {

// --- reading: tolerant, never throws ------------------------------------------------------

std::string get_string(const json& obj, std::string_view key)
{
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json get_json(const json& obj, std::string_view key)
{
    const auto it = obj.find(key);
    return it != obj.end() ? *it : json();
}

/// Elements of the array at `key` that are objects; anything else is skipped.
template <class T>
std::vector<T> get_array(const json& obj, std::string_view key)
{
    std::vector<T> out;
    const auto it = obj.find(key);
    if (it == obj.end() || !it->is_array())
        return out;
    for (const auto& e : *it) {
        if (!e.is_object())
            continue;
        T v;
        from_json(e, v);
        out.push_back(std::move(v));
    }
    return out;
}

template <class T>
T get_object(const json& obj, std::string_view key)
{
    T v;
    const auto it = obj.find(key);
    if (it != obj.end())
        from_json(*it, v);
    return v;
}

// --- writing: over `raw`, erasing known fields that are empty ------------------------------

json base_of(const json& raw)
{
    return raw.is_object() ? raw : json::object();
}

void put_string(json& obj, const char* key, const std::string& v)
{
    if (v.empty())
        obj.erase(key);
    else
        obj[key] = v;
}

void put_json(json& obj, const char* key, const json& v)
{
    if (v.is_null())
        obj.erase(key);
    else
        obj[key] = v;
}

template <class T>
void put_object(json& obj, const char* key, const T& v)
{
    json sub;
    to_json(sub, v);
    if (sub.empty())
        obj.erase(key);
    else
        obj[key] = std::move(sub);
}

template <class T>
void put_array(json& obj, const char* key, const std::vector<T>& v)
{
    if (v.empty()) {
        obj.erase(key); // senders omit empty entities/attachments (spec A2100, A3050)
        return;
    }
    json arr = json::array();
    for (const auto& e : v) {
        json sub;
        to_json(sub, e);
        arr.push_back(std::move(sub));
    }
    obj[key] = std::move(arr);
}

/// `{ "<key>": { "id": …, "name": … } }` parts of channelData, merged into what was received.
void put_id_name(json& obj, const char* key, const std::string& id, const std::string& name)
{
    const auto it = obj.find(key);
    json sub = it != obj.end() && it->is_object() ? *it : json::object();
    put_string(sub, "id", id);
    put_string(sub, "name", name);
    if (sub.empty())
        obj.erase(key);
    else
        obj[key] = std::move(sub);
}

// --- required fields ------------------------------------------------------------------------

/// A non-empty string at `key` inside `obj`; nullopt when it is there.
std::optional<errc> require_string(const json& obj, std::string_view key)
{
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
        return errc::missing_field;
    if (!it->is_string())
        return errc::wrong_type;
    if (it->get_ref<const json::string_t&>().empty())
        return errc::missing_field;
    return std::nullopt;
}

std::optional<errc> require_nested_string(const json& obj, std::string_view parent, std::string_view key)
{
    const auto it = obj.find(parent);
    if (it == obj.end() || it->is_null())
        return errc::missing_field;
    if (!it->is_object())
        return errc::wrong_type;
    return require_string(*it, key);
}

std::optional<errc> check_required(const json& j)
{
    if (auto e = require_string(j, "type"))
        return e;
    if (auto e = require_string(j, "channelId"))
        return e;
    if (auto e = require_string(j, "serviceUrl"))
        return e;
    if (auto e = require_nested_string(j, "conversation", "id"))
        return e;
    return require_nested_string(j, "from", "id");
}

// --- limits -------------------------------------------------------------------------------

// A byte scan before parsing, not a parser callback: nlohmann's callback parser rescans the
// parent container at every object end, which is quadratic (40,000 empty objects in an array,
// 120 KB, took 2 s against 4 ms for the plain parser). The scan only needs to be right for valid
// JSON; anything else fails in the parser that follows.
std::optional<errc> check_limits(std::string_view body, const parse_limits& limits)
{
    std::size_t depth = 0;
    std::size_t string_bytes = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : body) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"') {
                in_string = false;
                continue;
            }
            if (++string_bytes > limits.max_string_bytes)
                return errc::string_too_long;
            continue;
        }
        switch (c) {
        case '"':
            in_string = true;
            string_bytes = 0;
            break;
        case '{':
        case '[':
            if (++depth > limits.max_depth)
                return errc::too_deep;
            break;
        case '}':
        case ']':
            if (depth > 0)
                --depth;
            break;
        default:
            break;
        }
    }
    return std::nullopt;
}

bool is_blank(std::string_view s)
{
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

} // namespace

// --- channel_account ----------------------------------------------------------------------

void to_json(json& j, const channel_account& v)
{
    j = base_of(v.raw);
    put_string(j, "id", v.id);
    put_string(j, "name", v.name);
    put_string(j, "aadObjectId", v.aad_object_id);
    put_string(j, "role", v.role);
}

void from_json(const json& j, channel_account& v)
{
    v = {};
    if (!j.is_object())
        return;
    v.id = get_string(j, "id");
    v.name = get_string(j, "name");
    v.aad_object_id = get_string(j, "aadObjectId");
    v.role = get_string(j, "role");
    v.raw = j;
}

// --- conversation_account -----------------------------------------------------------------

void to_json(json& j, const conversation_account& v)
{
    j = base_of(v.raw);
    put_string(j, "id", v.id);
    put_string(j, "name", v.name);
    put_string(j, "conversationType", v.conversation_type);
    put_string(j, "tenantId", v.tenant_id);
    if (v.is_group)
        j["isGroup"] = *v.is_group;
    else
        j.erase("isGroup");
}

void from_json(const json& j, conversation_account& v)
{
    v = {};
    if (!j.is_object())
        return;
    v.id = get_string(j, "id");
    v.name = get_string(j, "name");
    v.conversation_type = get_string(j, "conversationType");
    v.tenant_id = get_string(j, "tenantId");
    if (const auto it = j.find("isGroup"); it != j.end() && it->is_boolean())
        v.is_group = it->get<bool>();
    v.raw = j;
}

// --- attachment ---------------------------------------------------------------------------

namespace {

/// An attachment without its `content` (which the reply writer streams without copying it).
json attachment_shell(const attachment& v)
{
    json j = base_of(v.raw);
    put_string(j, "contentType", v.content_type);
    j.erase("content");
    put_string(j, "contentUrl", v.content_url);
    put_string(j, "name", v.name);
    return j;
}

} // namespace

void to_json(json& j, const attachment& v)
{
    j = attachment_shell(v);
    if (!v.content_json.empty())
        j["content"] = json::parse(v.content_json, nullptr, /*allow_exceptions=*/false); // discarded if it is not JSON
    else
        put_json(j, "content", v.content);
}

void from_json(const json& j, attachment& v)
{
    v = {};
    if (!j.is_object())
        return;
    v.content_type = get_string(j, "contentType");
    v.content = get_json(j, "content");
    v.content_url = get_string(j, "contentUrl");
    v.name = get_string(j, "name");
    v.raw = j;
}

// --- entity -------------------------------------------------------------------------------

void to_json(json& j, const entity& v)
{
    j = base_of(v.raw);
    put_string(j, "type", v.type);
}

void from_json(const json& j, entity& v)
{
    v = {};
    if (!j.is_object())
        return;
    v.type = get_string(j, "type");
    v.raw = j;
}

// --- teams_channel_data -------------------------------------------------------------------

void to_json(json& j, const teams_channel_data& v)
{
    j = base_of(v.raw);
    put_id_name(j, "tenant", v.tenant_id, {});
    put_id_name(j, "team", v.team_id, v.team_name);
    put_id_name(j, "channel", v.channel_id, v.channel_name);
    put_string(j, "eventType", v.event_type);
    put_json(j, "settings", v.settings);
}

void from_json(const json& j, teams_channel_data& v)
{
    v = {};
    if (!j.is_object())
        return;
    const json none = json::object();
    const auto part = [&](std::string_view key) -> const json& {
        const auto it = j.find(key);
        return it != j.end() && it->is_object() ? *it : none;
    };
    v.tenant_id = get_string(part("tenant"), "id");
    v.team_id = get_string(part("team"), "id");
    v.team_name = get_string(part("team"), "name");
    v.channel_id = get_string(part("channel"), "id");
    v.channel_name = get_string(part("channel"), "name");
    v.event_type = get_string(j, "eventType");
    v.settings = get_json(j, "settings");
    v.raw = j;
}

// --- message_reaction ---------------------------------------------------------------------

void to_json(json& j, const message_reaction& v)
{
    j = base_of(v.raw);
    put_string(j, "type", v.type);
}

void from_json(const json& j, message_reaction& v)
{
    v = {};
    if (!j.is_object())
        return;
    v.type = get_string(j, "type");
    v.raw = j;
}

// --- conversation_reference ---------------------------------------------------------------

void to_json(json& j, const conversation_reference& v)
{
    j = json::object();
    put_string(j, "activityId", v.activity_id);
    put_object(j, "user", v.user);
    put_object(j, "bot", v.bot);
    put_object(j, "conversation", v.conversation);
    put_string(j, "channelId", v.channel_id);
    put_string(j, "serviceUrl", v.service_url);
    put_string(j, "locale", v.locale);
}

void from_json(const json& j, conversation_reference& v)
{
    v = {};
    if (!j.is_object())
        return;
    v.activity_id = get_string(j, "activityId");
    // Typed fields only, like reference_of(): a stored reference loads equal to a fresh one.
    v.user = get_object<channel_account>(j, "user");
    v.user.raw = nullptr;
    v.bot = get_object<channel_account>(j, "bot");
    v.bot.raw = nullptr;
    v.conversation = get_object<conversation_account>(j, "conversation");
    v.conversation.raw = nullptr;
    v.channel_id = get_string(j, "channelId");
    v.service_url = get_string(j, "serviceUrl");
    v.locale = get_string(j, "locale");
}

// --- activity -----------------------------------------------------------------------------

namespace {

/// Every field but `raw`; the attachments only when asked (the reply writer streams them).
void activity_fields(json& j, const activity& v, bool with_attachments)
{
    j = base_of(v.raw);
    put_string(j, "type", v.type);
    put_string(j, "id", v.id);
    put_string(j, "timestamp", v.timestamp);
    put_string(j, "localTimestamp", v.local_timestamp);
    put_string(j, "serviceUrl", v.service_url);
    put_string(j, "channelId", v.channel_id);
    put_object(j, "from", v.from);
    put_object(j, "conversation", v.conversation);
    put_object(j, "recipient", v.recipient);
    put_string(j, "text", v.text);
    put_string(j, "textFormat", v.text_format);
    put_string(j, "locale", v.locale);
    put_string(j, "replyToId", v.reply_to_id);
    put_json(j, "value", v.value);
    put_string(j, "name", v.name);
    put_string(j, "action", v.action);
    put_array(j, "membersAdded", v.members_added);
    put_array(j, "membersRemoved", v.members_removed);
    if (with_attachments)
        put_array(j, "attachments", v.attachments);
    else
        j.erase("attachments");
    put_array(j, "entities", v.entities);
    put_object(j, "channelData", v.channel_data);
    put_array(j, "reactionsAdded", v.reactions_added);
    put_array(j, "reactionsRemoved", v.reactions_removed);
}

/// Every typed field of `v` from `j`, but not `raw`.
void read_activity(const json& j, activity& v)
{
    v.type = get_string(j, "type");
    v.id = get_string(j, "id");
    v.timestamp = get_string(j, "timestamp");
    v.local_timestamp = get_string(j, "localTimestamp");
    v.service_url = get_string(j, "serviceUrl");
    v.channel_id = get_string(j, "channelId");
    v.from = get_object<channel_account>(j, "from");
    v.conversation = get_object<conversation_account>(j, "conversation");
    v.recipient = get_object<channel_account>(j, "recipient");
    v.text = get_string(j, "text");
    v.text_format = get_string(j, "textFormat");
    v.locale = get_string(j, "locale");
    v.reply_to_id = get_string(j, "replyToId");
    v.value = get_json(j, "value");
    v.name = get_string(j, "name");
    v.action = get_string(j, "action");
    v.members_added = get_array<channel_account>(j, "membersAdded");
    v.members_removed = get_array<channel_account>(j, "membersRemoved");
    v.attachments = get_array<attachment>(j, "attachments");
    v.entities = get_array<entity>(j, "entities");
    v.channel_data = get_object<teams_channel_data>(j, "channelData");
    v.reactions_added = get_array<message_reaction>(j, "reactionsAdded");
    v.reactions_removed = get_array<message_reaction>(j, "reactionsRemoved");
}

using json_writer = nlohmann::detail::serializer<json>;

/// Writes `obj` as json::dump does (keys in order), with one more member `key` whose value
/// `write_value` writes, merged in at its place in that order. `obj` must not hold `key`.
template <class F>
void write_with_member(std::string& out, json_writer& w, const json& obj, std::string_view key, F&& write_value)
{
    out += '{';
    bool first = true;
    bool written = false;
    const auto member = [&](std::string_view k) {
        if (!first)
            out += ',';
        first = false;
        w.dump(json(k), false, false, 0);
        out += ':';
    };
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (!written && key < std::string_view(it.key())) {
            member(key);
            write_value();
            written = true;
        }
        member(it.key());
        w.dump(it.value(), false, false, 0);
    }
    if (!written) {
        member(key);
        write_value();
    }
    out += '}';
}

} // namespace

void to_json(json& j, const activity& v)
{
    activity_fields(j, v, true);
}

void from_json(const json& j, activity& v)
{
    v = {};
    if (!j.is_object())
        return;
    read_activity(j, v);
    v.raw = j;
}

// --- entry points -------------------------------------------------------------------------

boost::system::result<activity> parse_activity(std::string_view body, const parse_limits& limits)
{
    if (is_blank(body))
        return make_error_code(errc::empty_body);
    if (const auto e = check_limits(body, limits))
        return make_error_code(*e);
    json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return make_error_code(errc::malformed_json);
    if (!j.is_object())
        return make_error_code(errc::not_an_object);
    if (const auto e = check_required(j))
        return make_error_code(*e);
    activity a;
    read_activity(j, a);
    a.raw = std::move(j); // the parsed document is not needed otherwise: no copy
    return a;
}

std::string to_json_string(const activity& a)
{
    // The same bytes as `json(a).dump()`, without copying the attachments' content (an Adaptive
    // Card is most of a reply) into a temporary document first.
    json j;
    activity_fields(j, a, false);
    std::string out;
    out.reserve(1024);
    // Strings built in code may hold invalid UTF-8; replace it rather than throw (type_error.316).
    json_writer w(nlohmann::detail::output_adapter<char>(out), ' ', json::error_handler_t::replace);
    if (a.attachments.empty()) {
        w.dump(j, false, false, 0);
        return out;
    }
    write_with_member(out, w, j, "attachments", [&] {
        out += '[';
        for (std::size_t i = 0; i < a.attachments.size(); ++i) {
            if (i)
                out += ',';
            const attachment& at = a.attachments[i];
            const json shell = attachment_shell(at);
            if (!at.content_json.empty())
                write_with_member(out, w, shell, "content", [&] { out += at.content_json; });
            else if (at.content.is_null())
                w.dump(shell, false, false, 0);
            else
                write_with_member(out, w, shell, "content", [&] { w.dump(at.content, false, false, 0); });
        }
        out += ']';
    });
    return out;
}

} // namespace ab::bot::schema
