#pragma once
// The intent taxonomy: the contract ids of ../shared/eval/README.md, used verbatim.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ab::knowledge {

enum class intent : std::uint8_t {
    external_access,
    guest_access,
    access_comparison,
    shared_channels,
    consumer_chat,
    external_meeting,
    escalate,
    smalltalk,
    out_of_scope,
};
inline constexpr std::size_t intent_count = 9;

inline constexpr std::array<std::string_view, intent_count> intent_names = {
    "external_access", "guest_access",  "access_comparison", "shared_channels", "consumer_chat",
    "external_meeting", "escalate",     "smalltalk",         "out_of_scope",
};

inline constexpr std::string_view intent_name(intent i) { return intent_names[static_cast<std::size_t>(i)]; }

inline constexpr std::optional<intent> intent_from_name(std::string_view s)
{
    for (std::size_t i = 0; i < intent_count; ++i)
        if (intent_names[i] == s)
            return static_cast<intent>(i);
    return std::nullopt;
}

/// True for the six intents answered from the knowledge base (not escalate/smalltalk/out_of_scope).
inline constexpr bool is_topic(intent i) { return static_cast<std::size_t>(i) <= static_cast<std::size_t>(intent::external_meeting); }

enum class role : std::uint8_t { user, admin };
inline constexpr std::string_view role_name(role r) { return r == role::admin ? "admin" : "user"; }

} // namespace ab::knowledge
