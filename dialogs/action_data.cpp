#include "dialogs/action_data.hpp"

#include "bot/auth/base64url.hpp"
#include "bot/auth/hmac.hpp"

#include <stdexcept>

namespace ab::dialogs {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class action_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "card_action"; }
    std::string message(int ev) const override
    {
        return "[" + std::string(action_error_id(static_cast<action_errc>(ev))) + "]";
    }
};
#pragma GCC diagnostic pop

std::string canonical(const nlohmann::json& ab)
{
    // nlohmann's object is a std::map: keys come out sorted, so the same object always dumps to
    // the same bytes, whatever order the client sent them back in.
    return ab.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

const boost::system::error_category& action_category() noexcept
{
    static const action_category_impl instance;
    return instance;
}

std::string_view action_error_id(action_errc e) noexcept
{
    switch (e) {
    case action_errc::not_ours: return "card.not_ours";
    case action_errc::malformed: return "card.malformed";
    case action_errc::bad_signature: return "card.bad_signature";
    }
    return "card.unknown";
}

namespace {

const std::string& checked_key(const std::string& key)
{
    if (key.size() < 16)
        throw std::invalid_argument("[card.weak_key] the card signing key must be at least 16 bytes");
    return key;
}

} // namespace

action_signer::action_signer(std::string key) : key_(checked_key(key)) {}

namespace {

nlohmann::json signed_part(std::string_view verb, std::string_view card_id, nlohmann::json args, std::chrono::system_clock::time_point now)
{
    return {{"v", 1},
            {"verb", verb},
            {"card", card_id},
            {"t", std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()},
            {"args", args.is_object() ? std::move(args) : nlohmann::json::object()}};
}

} // namespace

nlohmann::json action_signer::sign(std::string_view verb, std::string_view card_id, nlohmann::json args,
                                   std::chrono::system_clock::time_point now) const
{
    nlohmann::json ab = signed_part(verb, card_id, std::move(args), now);
    std::string sig = bot::auth::base64url_encode(key_.sign(canonical(ab)));
    return {{"ab", std::move(ab)}, {"sig", std::move(sig)}};
}

std::string action_signer::sign_text(std::string_view verb, std::string_view card_id, nlohmann::json args,
                                     std::chrono::system_clock::time_point now) const
{
    // {"ab":…,"sig":…}: keys in the order dump() writes them; the signature is base64url (no escaping).
    const std::string ab = canonical(signed_part(verb, card_id, std::move(args), now));
    return "{\"ab\":" + ab + ",\"sig\":\"" + bot::auth::base64url_encode(key_.sign(ab)) + "\"}";
}

boost::system::result<card_action> action_signer::verify(const nlohmann::json& data) const
{
    if (!data.is_object())
        return action_errc::not_ours;
    const auto ab = data.find("ab");
    if (ab == data.end())
        return action_errc::not_ours;
    const auto sig = data.find("sig");
    if (!ab->is_object() || sig == data.end() || !sig->is_string())
        return action_errc::malformed;
    const auto given = bot::auth::base64url_decode(sig->get_ref<const std::string&>());
    if (!given || !bot::auth::constant_time_equal(*given, key_.sign(canonical(*ab))))
        return action_errc::bad_signature;

    // Signed by us: the shape is ours, but check it anyway (an old version may have signed it).
    const auto v = ab->find("v");
    const auto verb = ab->find("verb");
    const auto card = ab->find("card");
    const auto t = ab->find("t");
    const auto args = ab->find("args");
    if (v == ab->end() || *v != 1 || verb == ab->end() || !verb->is_string() || card == ab->end() || !card->is_string() ||
        t == ab->end() || !t->is_number_integer() || args == ab->end() || !args->is_object())
        return action_errc::malformed;
    card_action a;
    a.verb = verb->get<std::string>();
    a.card_id = card->get<std::string>();
    a.issued_at = t->get<std::int64_t>();
    a.args = *args;
    for (const auto& [k, val] : data.items())
        if (k != "ab" && k != "sig")
            a.inputs[k] = val;
    return a;
}

std::string new_card_id()
{
    // 6 bytes from OpenSSL's CSPRNG, drawn 512 at a time per thread (one generator call per 85
    // cards instead of one per card: its locking showed in the endpoint's profile).
    thread_local std::string pool;
    thread_local std::size_t used = 0;
    if (used + 6 > pool.size()) {
        pool = bot::auth::random_bytes(512);
        used = 0;
    }
    const std::string_view raw(pool.data() + used, 6);
    used += 6;
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(12);
    for (unsigned char c : raw) {
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
    return out;
}

} // namespace ab::dialogs
