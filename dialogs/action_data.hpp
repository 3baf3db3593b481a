#pragma once
// Card button data, signed by the bot. Every button the bot puts on a card carries
//   {"ab": {"v": 1, "verb": …, "card": <card id>, "t": <issued, unix s>, "args": {…}}, "sig": …}
// where sig = base64url(HMAC-SHA256(key, dump(ab))). Teams merges the card's input values into
// the same object next to "ab" (they are not signed: they are what the user typed). A click whose
// "ab" was edited, or that was signed with another key, is refused before any dialog sees it
// (house style: never trust card data).

#include "bot/auth/hmac.hpp"

#include <nlohmann/json.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace ab::dialogs {

/// What a button asks for, once its signature checked out.
struct card_action {
    std::string verb;     ///< e.g. "clarify", "helpful", "ask_it", "example", "help", "set_language"
    std::string card_id;  ///< the card the button was on (stale / repeated click detection)
    std::int64_t issued_at = 0; ///< unix seconds
    nlohmann::json args = nlohmann::json::object(); ///< signed arguments
    nlohmann::json inputs = nlohmann::json::object(); ///< unsigned input values merged in by the client
};

enum class action_errc {
    not_ours = 1,  ///< [card.not_ours] no "ab" object: not a button of ours (or from an old card)
    malformed,     ///< [card.malformed] "ab" is there but not of the expected shape
    bad_signature, ///< [card.bad_signature] edited or signed with another key
};

const boost::system::error_category& action_category() noexcept;
inline boost::system::error_code make_error_code(action_errc e) noexcept { return {static_cast<int>(e), action_category()}; }
std::string_view action_error_id(action_errc e) noexcept;

class action_signer {
public:
    /// `key`: the secret (at least 16 bytes; throws std::invalid_argument otherwise).
    explicit action_signer(std::string key);

    /// The `data` object for an Action.Execute / Action.Submit button.
    nlohmann::json sign(std::string_view verb, std::string_view card_id, nlohmann::json args = nlohmann::json::object(),
                        std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

    /// The same `data` object as sign(), already serialized (the bytes `sign(...).dump()` gives,
    /// without building the object: for cards written as text).
    std::string sign_text(std::string_view verb, std::string_view card_id, nlohmann::json args,
                          std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

    /// Checks and unpacks button data as it comes back (Action.Execute `data` or Action.Submit
    /// `value`). Never throws on content.
    boost::system::result<card_action> verify(const nlohmann::json& data) const;

private:
    bot::auth::hmac_sha256_key key_; ///< prepared once: signing runs for every button of every card
};

/// A fresh random card id (12 hex digits).
std::string new_card_id();

} // namespace ab::dialogs

template <>
struct boost::system::is_error_code_enum<ab::dialogs::action_errc> : std::true_type {};
