#pragma once
// One escalation event for the helpdesk sink and outbox worker tests: the one in
// tests/fixtures/helpdesk/webhook-body.json.
#include "bot/ports/helpdesk.hpp"

namespace ab::test {

/// The event of tests/fixtures/helpdesk/webhook-body.json.
inline bot::ports::escalation_event fixture_event()
{
    bot::ports::escalation_event e;
    e.delivery_id = "dlv-esc-3f2a9c41-created-webhook";
    e.escalation_id = "esc-3f2a9c41";
    e.event = "created";
    e.status = "open";
    e.question = "Why can't I chat with Zo\u00eb at fabrikam.com in Teams?";
    e.summary = "Cannot chat with an external user at fabrikam.com";
    e.intent = "external_access";
    e.language = "en";
    e.domain = "fabrikam.com";
    e.user_id = "29:1a2b3c4d5e";
    e.user_aad_object_id = "8c6c2c05-4b7f-4f0e-9d57-1f1d2c0a9b11";
    e.user_name = "Megan Bowen";
    e.tenant_id = "0f7d3b2a-5c1e-4e8f-a9d6-3b2c1d0e9f87";
    e.actor_name = "Megan Bowen";
    e.occurred_at = "2025-11-21T09:20:00Z";
    return e;
}

} // namespace ab::test
