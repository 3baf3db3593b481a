#include "bot/serve/app.hpp"

#include "adapters/connector/connector_client.hpp"
#include "adapters/graph/graph_executor.hpp"
#include "adapters/helpdesk/servicenow_sink.hpp"
#include "adapters/helpdesk/webhook_sink.hpp"
#include "adapters/runbook/runbook_executor.hpp"
#include "adapters/runbook/signature.hpp"
#include "adapters/http/client.hpp"
#include "bot/auth/channel_validator.hpp"
#include "bot/http/server.hpp"
#include "bot/log.hpp"
#include "bot/schema/activity.hpp"
#include "bot/schema/invoke.hpp"
#include "bot/turn/adapter.hpp"
#include "adapters/storage/memory_storage.hpp"
#include "adapters/storage/sqlite_storage.hpp"
#include "bot/auth/hmac.hpp"
#include "dialogs/escalations/channel_sink.hpp"
#include "dialogs/escalations/dialog.hpp"
#include "dialogs/escalations/outbox_worker.hpp"
#include "dialogs/escalations/service.hpp"
#include "dialogs/escalations/user_sink.hpp"
#include "dialogs/runner.hpp"
#include "knowledge/articles/index.hpp"
#include "knowledge/classifier.hpp"
#include "knowledge/evaluation.hpp"
#include "knowledge/prebuilt_model.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>

#include <sys/stat.h>

namespace ab::bot::serve {

namespace {

using json = nlohmann::json;
using clock = std::chrono::steady_clock;

http::reply json_reply(unsigned status, json body)
{
    http::reply r;
    r.status = status;
    r.body = body.is_null() ? std::string() : body.dump();
    return r;
}

http::reply error_reply(unsigned status, std::string_view id)
{
    return json_reply(status, {{"error", id}});
}

} // namespace

// Everything the endpoint runs on, in one place; outlives ioc.run().
class endpoint::app {
public:
    explicit app(const options& opt)
        : opt_(opt),
          s_(opt.settings),
          content_(opt.knowledge_dir ? knowledge::content::from_directory(*opt.knowledge_dir) : knowledge::content::builtin()),
          engine_(load_engine(opt, content_)),
          http_client_(ioc_.get_executor(), client_options(s_)),
          tokens_(http_client_, adapters::connector::token_options{s_.token_endpoint, s_.app_id, s_.app_password, s_.oauth_scope}),
          connector_(http_client_, s_.local_mode || s_.app_id.empty() ? nullptr : &tokens_, connector_options(s_)),
          validator_(validation(s_), keys_),
          store_(open_store(s_)),
          articles_(open_articles(s_)),
          signer_(card_signing_key(s_)),
          admin_cards_(content_, signer_),
          catalog_(content_),
          graph_tokens_(graph_tokens(s_, http_client_)),
          graph_(graph_tokens_ ? std::make_unique<adapters::graph::graph_executor>(
                                     http_client_, *graph_tokens_, adapters::graph::graph_options{s_.graph_url, std::chrono::seconds(20)})
                               : nullptr),
          runbook_(runbook(s_, http_client_)),
          authorizer_(admin_policy(s_), graph_.get()),
          admin_(dialogs::actions::admin_parts{content_, catalog_, authorizer_, executors(), *store_.states, *store_.records, admin_cards_,
                                               s_.local_mode || s_.app_id.empty() ? nullptr : &connector_}),
          sink_http_(ioc_.get_executor(), sink_client_options(s_)),
          webhook_(webhook_sink(s_, sink_http_)),
          servicenow_(servicenow_sink(s_, sink_http_)),
          escalations_(*store_.states, *store_.outbox, dialogs::escalations::service_options{helpdesk_sinks()}),
          user_sink_(content_, escalations_, connector_),
          channel_(channel_sink(s_)),
          worker_(*store_.outbox, {webhook_.get(), servicenow_.get(), &user_sink_, channel_.get()}, {},
                  [this](const ports::outbox_delivery& d, const ports::delivery_result& r) { return ticket_delivered(d, r); }),
          escalation_dialog_(helpdesk_sinks().empty() ? nullptr
                                                      : std::make_unique<dialogs::escalations::escalation_dialog>(
                                                            content_, admin_cards_, escalations_, [this] { worker_.wake(); }, helpdesk_hooks())),
          handler_(dialogs::runner_parts{content_, engine_, articles_.get(), *store_.states, *store_.records, signer_, escalation_dialog_.get(),
                                         &admin_}),
          turns_(connector_, handler_),
          server_(ioc_, server_options(s_), [this](http::request_view r) { return route(std::move(r)); }),
          refresh_timer_(ioc_)
    {
    }

    std::uint16_t start(clock::time_point t0)
    {
        log::info("serve.start", {{"config", s_.redacted()},
                                  {"knowledge_ms", std::chrono::duration<double, std::milli>(clock::now() - t0).count()},
                                  {"model", knowledge::origin_name(engine_.source())},
                                  {"utterances", content_.utterances().size()},
                                  {"store", s_.store == "memory" ? std::string("memory") : (s_.data_dir / "state.sqlite").string()},
                                  {"articles", articles_ != nullptr},
                                  {"helpdesk", helpdesk_sinks()},
                                  {"admin_actions", {{"enabled", authorizer_.enabled()},
                                                     {"graph", graph_ != nullptr},
                                                     {"runbook", runbook_ != nullptr},
                                                     {"default_executor", "dry-run"}}}});
        if (s_.local_mode)
            log::warn("serve.local_mode", {{"error_id", "serve.local_mode"},
                                           {"message", "LOCAL MODE: channel authentication is OFF. Only for the Microsoft 365 "
                                                       "Agents Playground on this machine; never expose this port."}});
        port_ = server_.start();
        log::info("serve.listening", {{"address", s_.address}, {"port", port_},
                                      {"startup_ms", std::chrono::duration<double, std::milli>(clock::now() - t0).count()}});
        if (!s_.local_mode)
            net::co_spawn(ioc_, key_refresh_loop(), [](std::exception_ptr e) { log_exception(e, "serve.key_refresh"); });
        // The outbox worker: resumes whatever a previous run left pending (crash, restart).
        worker_running_ = true;
        net::co_spawn(ioc_, worker_.run(), [this](std::exception_ptr e) {
            worker_running_ = false;
            log_exception(e, "serve.outbox_worker");
        });
        return port_;
    }

    void run()
    {
        ioc_.run();
        log::info("serve.stopped", {{"requests", requests_.load()}});
    }

    void request_stop()
    {
        net::post(ioc_, [this] {
            if (stop_requested_)
                return;
            stop_requested_ = true;
            net::co_spawn(ioc_, stop(), [](std::exception_ptr e) { log_exception(e, "serve.shutdown"); });
        });
    }

    bool ready() const { return s_.local_mode || keys_.snapshot() != nullptr; }

    net::io_context& io() { return ioc_; }

private:
    /// The dialogs' state: SQLite in the data directory (default) or memory.
    struct store {
        std::unique_ptr<adapters::storage::sqlite_storage> sqlite;
        std::unique_ptr<adapters::storage::memory_storage> memory;
        ports::state_store* states = nullptr;
        ports::record_log* records = nullptr;
        ports::outbox* outbox = nullptr;
    };

    // --- admin actions (issue 5): executors from configuration; dry run for the rest.
    static std::unique_ptr<adapters::connector::token_provider> graph_tokens(const config::settings& s, adapters::http::client& client)
    {
        if (s.graph_tenant_id.empty())
            return nullptr;
        adapters::connector::token_options o;
        o.endpoint = s.graph_token_endpoint.empty() ? "https://login.microsoftonline.com/" + s.graph_tenant_id + "/oauth2/v2.0/token"
                                                    : s.graph_token_endpoint;
        o.client_id = s.graph_client_id.empty() ? s.app_id : s.graph_client_id;
        o.client_secret = s.graph_client_secret.empty() ? s.app_password : s.graph_client_secret;
        o.scope = std::string(adapters::graph::token_scope);
        return std::make_unique<adapters::connector::token_provider>(client, o);
    }

    static std::unique_ptr<adapters::runbook::runbook_executor> runbook(const config::settings& s, adapters::http::client& client)
    {
        if (s.runbook_url.empty())
            return nullptr;
        std::string base = s.public_url;
        while (!base.empty() && base.back() == '/')
            base.pop_back();
        return std::make_unique<adapters::runbook::runbook_executor>(
            client, adapters::runbook::runbook_options{s.runbook_url, s.runbook_secret, base + "/api/admin/runbook-callback", std::chrono::seconds(30)});
    }

    static dialogs::actions::admin_policy admin_policy(const config::settings& s)
    {
        dialogs::actions::admin_policy p;
        p.admin_ids = s.admin_ids;
        p.admin_groups = s.admin_groups;
        p.tenant_id = s.admin_tenant_id;
        p.directory_roles = s.admin_roles;
        return p;
    }

    // --- helpdesk escalation (issue 6): sinks from configuration, one outbox worker for all.
    static adapters::http::client::options sink_client_options(const config::settings& s)
    {
        auto o = client_options(s);
        o.max_attempts = 1; // the outbox owns retries (with backoff, across restarts)
        return o;
    }

    static std::unique_ptr<adapters::helpdesk::webhook_sink> webhook_sink(const config::settings& s, adapters::http::client& client)
    {
        if (s.helpdesk_webhook_url.empty())
            return nullptr;
        return std::make_unique<adapters::helpdesk::webhook_sink>(
            client, adapters::helpdesk::webhook_options{s.helpdesk_webhook_url, s.helpdesk_webhook_secret, std::chrono::seconds(15)});
    }

    static std::unique_ptr<adapters::helpdesk::servicenow_sink> servicenow_sink(const config::settings& s, adapters::http::client& client)
    {
        if (s.servicenow_url.empty())
            return nullptr;
        adapters::helpdesk::servicenow_options o;
        o.instance_url = s.servicenow_url;
        o.user = s.servicenow_user;
        o.password = s.servicenow_password;
        o.bearer_token = s.servicenow_token;
        o.assignment_group = s.servicenow_assignment_group;
        return std::make_unique<adapters::helpdesk::servicenow_sink>(client, o);
    }

    std::unique_ptr<dialogs::escalations::channel_sink> channel_sink(const config::settings& s)
    {
        if (s.helpdesk_channel.empty())
            return nullptr;
        dialogs::escalations::channel_options o;
        o.channel_id = s.helpdesk_channel;
        o.service_url = s.helpdesk_service_url;
        o.tenant_id = s.helpdesk_tenant_id;
        o.bot_id = "28:" + s.app_id;
        const auto l = knowledge::lang_from_code(s.helpdesk_language);
        o.lang = static_cast<std::size_t>(l) < knowledge::answer_language_count ? l : knowledge::lang::en;
        return std::make_unique<dialogs::escalations::channel_sink>(
            content_, admin_cards_, escalations_, connector_, o,
            [this](const dialogs::escalations::escalation& e, knowledge::lang lang) { return apply_label(e, lang); });
    }

    /// "Approve & apply: Allow fabrikam.com for external access" when the escalation names a
    /// setting an admin can apply from Teams (admin actions configured), else "".
    std::string apply_label(const dialogs::escalations::escalation& e, knowledge::lang l) const
    {
        const auto topic = knowledge::intent_from_name(e.intent);
        if (!authorizer_.enabled() || !topic || !knowledge::is_topic(*topic))
            return {};
        const auto* s = admin_cards_.governing_setting(*topic, !e.domain.empty());
        const auto* x = s ? catalog_.find(s->id) : nullptr;
        if (!x || !catalog_.applicable(*x, e.domain))
            return {};
        std::string label;
        if (const auto labels = s->raw.find("action_labels"); labels != s->raw.end() && labels->is_object())
            label = labels->value(std::string(knowledge::lang_code(l)), labels->value("en", ""));
        return content_.ui("hd_apply", l) + ": " + dialogs::cards::fill(label, "domain", e.domain);
    }

    dialogs::escalations::helpdesk_hooks helpdesk_hooks()
    {
        dialogs::escalations::helpdesk_hooks h;
        h.is_member = [this](const schema::activity& a) {
            std::string id = a.from.aad_object_id;
            std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            const auto same = [&](const std::string& x) {
                return x.size() == id.size() && std::equal(x.begin(), x.end(), id.begin(), [](char p, char q) {
                           return std::tolower(static_cast<unsigned char>(p)) == static_cast<unsigned char>(q);
                       });
            };
            return !id.empty() && (std::any_of(s_.helpdesk_members.begin(), s_.helpdesk_members.end(), same) ||
                                   std::any_of(s_.admin_ids.begin(), s_.admin_ids.end(), same));
        };
        h.card = [this](const dialogs::escalations::escalation& e) { return channel_ ? channel_->card_of(e) : json(); };
        h.apply_card = [this](const schema::activity& in, const dialogs::escalations::escalation& e) { return admin_apply_card(in, e); };
        return h;
    }

    /// Approve & apply: the admin's own answer card with "Apply now" for the escalation's setting.
    task<json> admin_apply_card(const schema::activity& in, const dialogs::escalations::escalation& e)
    {
        const auto topic = knowledge::intent_from_name(e.intent);
        if (!topic || !knowledge::is_topic(*topic))
            co_return json();
        const auto who = co_await admin_.who(in);
        dialogs::cards::answer_view v;
        v.topic = *topic;
        v.lang = channel_ ? knowledge::lang_from_code(s_.helpdesk_language) : knowledge::lang::en;
        if (static_cast<std::size_t>(v.lang) >= knowledge::answer_language_count)
            v.lang = knowledge::lang::en;
        v.role = knowledge::role::admin;
        v.domain = e.domain;
        v.question = e.question;
        v.apply_binding = admin_.offer(who, in, admin_cards_.governing_setting(*topic, !e.domain.empty()), e.domain);
        if (!v.apply_binding.is_object())
            co_return json();
        v.can_apply = true;
        co_return admin_cards_.answer_card(v, dialogs::new_card_id());
    }

    /// The configured helpdesk sinks by name (from the configuration: used while the sinks
    /// themselves are still being constructed).
    std::vector<std::string> helpdesk_sinks() const
    {
        std::vector<std::string> out;
        if (!s_.helpdesk_webhook_url.empty())
            out.emplace_back("webhook");
        if (!s_.servicenow_url.empty())
            out.emplace_back("servicenow");
        if (!s_.helpdesk_channel.empty())
            out.emplace_back(dialogs::escalations::channel_sink_name);
        return out;
    }

    /// A sink returned its id for the case: a ticket number (ServiceNow INC…) is kept on the
    /// escalation and the user is told; the helpdesk channel's thread is kept for card updates.
    task<void> ticket_delivered(const ports::outbox_delivery& d, const ports::delivery_result& r)
    {
        if (d.sink == dialogs::escalations::user_sink_name || (r.external_number.empty() && r.external_id.empty()) ||
            !d.payload.value("externalId", "").empty())
            co_return;
        const std::string id = d.payload.value("escalationId", "");
        dialogs::escalations::ticket t{d.sink, r.external_id, r.external_number}; // not a braced temporary in co_await (GCC 12)
        auto added = co_await escalations_.add_ticket(id, std::move(t));
        if (!added)
            log::warn("serve.ticket_not_recorded", {{"error_id", "serve.ticket_not_recorded"}, {"escalation_id", id}});
        worker_.wake();
    }

    std::vector<ports::setting_executor*> executors()
    {
        std::vector<ports::setting_executor*> out;
        if (graph_)
            out.push_back(graph_.get());
        if (runbook_)
            out.push_back(runbook_.get());
        return out;
    }

    static store open_store(const config::settings& s)
    {
        store st;
        if (s.store == "memory") {
            log::warn("serve.memory_store", {{"error_id", "serve.memory_store"},
                                             {"message", "AB_STORE=memory: conversation state is lost when the process ends"}});
            st.memory = std::make_unique<adapters::storage::memory_storage>();
            st.states = st.memory.get();
            st.records = st.memory.get();
            st.outbox = st.memory.get();
        } else {
            st.sqlite = adapters::storage::sqlite_storage::open(s.data_dir / "state.sqlite");
            st.states = st.sqlite.get();
            st.records = st.sqlite.get();
            st.outbox = st.sqlite.get();
        }
        return st;
    }

    /// Articles imported with `access-bot kb import` (citations on answer cards), if any.
    static std::unique_ptr<knowledge::articles::article_index> open_articles(const config::settings& s)
    {
        const auto db = s.data_dir / "knowledge.sqlite";
        std::error_code ec;
        if (!std::filesystem::exists(db, ec))
            return nullptr;
        try {
            return knowledge::articles::article_index::open(db);
        } catch (const std::exception& e) {
            log::warn("serve.articles_unavailable", {{"error_id", "serve.articles_unavailable"}, {"what", e.what()}});
            return nullptr;
        }
    }

    /// AB_CARD_SIGNING_KEY, or a random key kept in DATA/card-signing.key (created 0600).
    static std::string card_signing_key(const config::settings& s)
    {
        if (!s.card_signing_key.empty())
            return s.card_signing_key;
        const auto file = s.data_dir / "card-signing.key";
        {
            std::ifstream in(file, std::ios::binary);
            std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            if (in && key.size() >= 32)
                return key;
        }
        std::filesystem::create_directories(s.data_dir);
        const std::string key = auth::random_bytes(32);
        const std::string tmp = file.string() + ".tmp";
        {
            const mode_t old = ::umask(077);
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            ::umask(old);
            out.write(key.data(), static_cast<std::streamsize>(key.size()));
            if (!out)
                throw std::runtime_error("[serve.card_key] cannot write " + tmp);
        }
        std::filesystem::rename(tmp, file);
        return key;
    }

    static knowledge::classifier load_engine(const options& opt, const knowledge::content& c)
    {
        knowledge::engine_options eo;
        for (const auto& f : opt.train_extra) {
            auto extra = knowledge::to_training(knowledge::load_labelled(f));
            eo.extra.insert(eo.extra.end(), extra.begin(), extra.end());
        }
        return knowledge::classifier::load_or_train(c, eo, opt.settings.data_dir / "model.cache", knowledge::prebuilt_model());
    }

    static adapters::connector::connector_options connector_options(const config::settings& s)
    {
        adapters::connector::connector_options o;
        o.sends_per_second = s.sends_per_second;
        o.burst = std::max(1.0, s.sends_per_second);
        return o;
    }

    static auth::validation_options validation(const config::settings& s)
    {
        auth::validation_options v;
        v.app_id = s.app_id;
        v.issuers = {s.token_issuer};
        return v;
    }

    static adapters::http::client::options client_options(const config::settings& s)
    {
        adapters::http::client::options o;
        o.ca_file = s.ca_file;
        // Keep as many idle connections as turns run at once: with fewer, every burst closes and
        // re-opens TLS sessions to the Connector (a handshake costs more than a whole turn).
        o.max_idle_per_host = 256;
        return o;
    }

    static http::server::options server_options(const config::settings& s)
    {
        http::server::options o;
        o.address = s.address;
        o.port = s.port;
        o.body_limit = s.body_limit;
        return o;
    }

    static void log_exception(std::exception_ptr e, const char* where)
    {
        if (e)
            log::error("serve.task_failed", {{"error_id", where}, {"what", log::describe(e)}});
    }

    // --- signing keys: OpenID metadata → jwks_uri → JWKS; at start, daily, and on an unknown kid.
    task<bool> refresh_keys()
    {
        adapters::http::request meta;
        meta.url = s_.openid_metadata_url;
        meta.timeout = std::chrono::seconds(10);
        auto m = co_await http_client_.send(std::move(meta));
        if (!m || m->status != 200) {
            log::error("auth.keys.failed", {{"error_id", "auth.openid_metadata"}, {"status", m ? m->status : 0u}});
            co_return false;
        }
        const json doc = json::parse(m->body, nullptr, false);
        if (!doc.is_object() || !doc.contains("jwks_uri") || !doc["jwks_uri"].is_string()) {
            log::error("auth.keys.failed", {{"error_id", "auth.openid_metadata_bad"}});
            co_return false;
        }
        adapters::http::request jwks;
        jwks.url = doc["jwks_uri"].get<std::string>();
        jwks.timeout = std::chrono::seconds(10);
        auto k = co_await http_client_.send(std::move(jwks));
        if (!k || k->status != 200) {
            log::error("auth.keys.failed", {{"error_id", "auth.jwks"}, {"status", k ? k->status : 0u}});
            co_return false;
        }
        auto updated = keys_.update(k->body, std::chrono::system_clock::now());
        if (!updated) {
            log::error("auth.keys.failed", {{"error_id", "auth.jwks_bad"}, {"error", updated.error().message()}});
            co_return false;
        }
        log::info("auth.keys.loaded", {{"keys", *updated}});
        co_return true;
    }

    task<void> key_refresh_loop()
    {
        auto backoff = std::chrono::milliseconds(250);
        while (!stopping_) {
            const bool ok = co_await refresh_keys();
            // Wake waiters of an unknown-kid refresh either way.
            for (auto& w : key_waiters_)
                w->cancel();
            key_waiters_.clear();
            if (ok) {
                backoff = std::chrono::milliseconds(250);
                refresh_timer_.expires_after(std::chrono::hours(24));
            } else {
                refresh_timer_.expires_after(backoff);
                backoff = std::min(backoff * 2, std::chrono::milliseconds(60000));
            }
            auto [ec] = co_await refresh_timer_.async_wait(use_nothrow);
            (void)ec; // cancelled: an early refresh was requested, or we are stopping
        }
    }

    /// Asks the refresh loop for new keys now and waits (bounded) for the attempt to finish.
    task<void> refresh_keys_now()
    {
        auto waiter = std::make_shared<net::steady_timer>(ioc_, std::chrono::seconds(5));
        key_waiters_.push_back(waiter);
        refresh_timer_.cancel();
        auto [ec] = co_await waiter->async_wait(use_nothrow);
        (void)ec;
    }

    // --- HTTP routing
    task<http::reply> route(http::request_view r)
    {
        ++requests_;
        const std::string path = r.target.substr(0, r.target.find('?'));
        if (path == "/api/messages") {
            if (r.method != "POST")
                co_return error_reply(405, "http.method_not_allowed");
            auto reply = co_await messages(std::move(r));
            co_return reply;
        }
        if (path == "/api/admin/runbook-callback") {
            if (r.method != "POST")
                co_return error_reply(405, "http.method_not_allowed");
            auto reply = co_await runbook_callback(std::move(r));
            co_return reply;
        }
        if (path == "/healthz" && r.method == "GET")
            co_return json_reply(200, {{"status", "ok"}});
        if (path == "/readyz" && r.method == "GET")
            co_return ready() ? json_reply(200, {{"status", "ready"}}) : json_reply(503, {{"status", "starting"}});
        if (path == "/metrics" && r.method == "GET") {
            http::reply m;
            m.content_type = "text/plain; version=0.0.4";
            m.body = metrics_text() + co_await outbox_metrics();
            co_return m;
        }
        co_return error_reply(404, "http.not_found");
    }

    /// The runbook's signed report (deploy/runbooks): verified, then recorded by the admin actions.
    task<http::reply> runbook_callback(http::request_view r)
    {
        if (!runbook_)
            co_return error_reply(404, "http.not_found");
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        auto verified = adapters::runbook::verify_signature(s_.runbook_secret, r.header(adapters::runbook::timestamp_header_name),
                                                            r.header(adapters::runbook::signature_header_name), r.body, now);
        if (!verified) {
            const std::string id(adapters::runbook::error_id(static_cast<adapters::runbook::signature_errc>(verified.error().value())));
            ++rejected_[id];
            log::warn("serve.runbook_callback_rejected", {{"error_id", id}, {"remote", r.remote_address}});
            co_return error_reply(401, id);
        }
        auto cb = adapters::runbook::parse_callback(r.body);
        if (!cb) {
            ++rejected_["runbook.callback_malformed"];
            co_return error_reply(400, "runbook.callback_malformed");
        }
        const std::string correlation = "runbook-" + cb->id.substr(0, 16);
        dialogs::actions::executor_report report{cb->id, cb->operation, cb->status, cb->before, cb->after, cb->error, cb->job_id};
        const auto status = co_await admin_.complete(std::move(report), correlation);
        using rs = dialogs::actions::report_status;
        switch (status) {
        case rs::recorded: co_return json_reply(200, {{"status", "recorded"}});
        case rs::already_recorded: co_return json_reply(200, {{"status", "already_recorded"}});
        case rs::unknown_action: co_return error_reply(404, "admin.unknown_action");
        case rs::mismatch: co_return error_reply(409, "admin.operation_mismatch");
        case rs::bad_status: co_return error_reply(400, "runbook.callback_malformed");
        case rs::unavailable: co_return error_reply(503, "storage.unavailable");
        }
        co_return error_reply(500, "serve.internal");
    }

    task<http::reply> messages(http::request_view r)
    {
        const std::string content_type = r.header("Content-Type");
        if (content_type.rfind("application/json", 0) != 0) {
            ++rejected_["http.unsupported_media_type"];
            co_return error_reply(415, "http.unsupported_media_type");
        }
        // Authenticate first (house style 7.2 item 8): the token's own rules run before a byte
        // of the body is parsed or logged. Then the body is parsed (bounded, without throwing)
        // and the token is bound to the activity's channelId and serviceUrl.
        std::shared_ptr<const auth::verified_claims> claims;
        const std::string authorization = s_.local_mode ? std::string() : r.header("Authorization");
        if (!s_.local_mode) {
            auto who = validator_.authenticate(authorization, std::chrono::system_clock::now());
            const bool no_keys_yet = !who && who.error() == auth::errc::no_keys;
            const bool new_kid = !who && who.error() == auth::errc::unknown_kid &&
                                 keys_.may_refresh_for_unknown_kid(std::chrono::system_clock::now());
            if (no_keys_yet || new_kid) {
                // Keys not loaded yet (just started) or rotated: fetch them now, then try once more.
                co_await refresh_keys_now();
                who = validator_.authenticate(authorization, std::chrono::system_clock::now());
            }
            if (!who)
                co_return unauthorized(static_cast<auth::errc>(who.error().value()), r.remote_address);
            claims = std::move(*who);
        }
        auto parsed = schema::parse_activity(r.body);
        if (!parsed) {
            ++rejected_["schema.bad_activity"];
            log::warn("http.bad_activity", {{"error_id", std::string(schema::error_id(static_cast<schema::errc>(parsed.error().value())))}});
            co_return error_reply(400, "schema.bad_activity");
        }
        if (claims) {
            auto bound = validator_.bind(*claims, parsed->channel_id, parsed->service_url, std::chrono::system_clock::now());
            if (!bound)
                co_return unauthorized(static_cast<auth::errc>(bound.error().value()), r.remote_address);
        }
        const bool is_invoke = parsed->type == schema::activity_types::invoke;
        auto outcome = co_await turns_.process(std::move(*parsed));
        ++turns_done_;
        if (is_invoke && outcome.invoke) {
            // Invokes are answered in the HTTP body (the card refresh travels here).
            http::reply ir = json_reply(static_cast<unsigned>(outcome.invoke->status), outcome.invoke->body);
            co_return ir;
        }
        co_return json_reply(200, nullptr);
    }

    http::reply unauthorized(auth::errc e, const std::string& remote)
    {
        const std::string id(auth::error_id(e));
        ++rejected_[id];
        // Counted per reason in /metrics; logged at debug level (a flood of bad tokens must not
        // turn into a flood of log lines).
        if (log::level::debug >= log::min_level())
            log::debug("auth.rejected", {{"error_id", id}, {"remote", remote}});
        return error_reply(401, "auth.unauthorized");
    }

    std::string metrics_text() const
    {
        const auto st = server_.stats();
        std::string m;
        m += "# TYPE ab_http_requests_total counter\nab_http_requests_total " + std::to_string(st.requests) + "\n";
        m += "# TYPE ab_http_connections_active gauge\nab_http_connections_active " + std::to_string(st.active) + "\n";
        m += "# TYPE ab_turns_total counter\nab_turns_total " + std::to_string(turns_done_) + "\n";
        m += "# TYPE ab_rejected_total counter\n";
        for (const auto& [id, n] : rejected_)
            m += "ab_rejected_total{reason=\"" + id + "\"} " + std::to_string(n) + "\n";
        const auto cs = http_client_.stats();
        m += "# TYPE ab_outbound_connects_total counter\nab_outbound_connects_total " + std::to_string(cs.connects) + "\n";
        m += "# TYPE ab_outbound_reuses_total counter\nab_outbound_reuses_total " + std::to_string(cs.reuses) + "\n";
        m += "# TYPE ab_token_requests_total counter\nab_token_requests_total " + std::to_string(tokens_.fetches()) + "\n";
        const auto ws = worker_.stats();
        m += "# TYPE ab_outbox_attempts_total counter\n";
        m += "ab_outbox_attempts_total{outcome=\"delivered\"} " + std::to_string(ws.delivered) + "\n";
        m += "ab_outbox_attempts_total{outcome=\"retry\"} " + std::to_string(ws.retried) + "\n";
        m += "ab_outbox_attempts_total{outcome=\"rejected\"} " + std::to_string(ws.rejected) + "\n";
        m += "ab_outbox_attempts_total{outcome=\"not_recorded\"} " + std::to_string(ws.failed_to_record) + "\n";
        return m;
    }

    /// Deliveries per sink and status, from the outbox itself (what is pending survives restarts).
    task<std::string> outbox_metrics()
    {
        std::string m = "# TYPE ab_outbox_deliveries gauge\n";
        auto counts = co_await store_.outbox->counts();
        if (counts)
            for (const auto& [sink, by_status] : *counts)
                for (const auto& [status, n] : by_status)
                    m += "ab_outbox_deliveries{sink=\"" + sink + "\",status=\"" + status + "\"} " + std::to_string(n) + "\n";
        co_return m;
    }

    task<void> stop()
    {
        // The outbox worker ends first (its delivery in flight finishes or times out: sinks have a
        // 15 s deadline); whatever it did not deliver stays in the outbox for the next start.
        worker_.stop();
        for (int i = 0; i < 400 && worker_running_; ++i) {
            net::steady_timer t(ioc_, std::chrono::milliseconds(50));
            auto [ec] = co_await t.async_wait(use_nothrow);
            (void)ec;
        }
        stopping_ = true;
        stop_requested_ = true;
        refresh_timer_.cancel();
        co_await server_.shutdown();
        log::info("serve.shutdown", {{"turns", turns_done_}});
        ioc_.stop();
    }

    const options& opt_;
    const config::settings& s_;
    net::io_context ioc_{1};
    knowledge::content content_;
    knowledge::classifier engine_;
    adapters::http::client http_client_;
    adapters::connector::token_provider tokens_;
    adapters::connector::connector_client connector_;
    auth::signing_key_cache keys_;
    auth::channel_validator validator_;
    store store_;
    std::unique_ptr<knowledge::articles::article_index> articles_;
    dialogs::action_signer signer_;
    dialogs::cards::card_builder admin_cards_;
    dialogs::actions::catalog catalog_;
    std::unique_ptr<adapters::connector::token_provider> graph_tokens_;
    std::unique_ptr<adapters::graph::graph_executor> graph_;
    std::unique_ptr<adapters::runbook::runbook_executor> runbook_;
    dialogs::actions::authorizer authorizer_;
    dialogs::actions::admin_actions admin_;
    adapters::http::client sink_http_;
    std::unique_ptr<adapters::helpdesk::webhook_sink> webhook_;
    std::unique_ptr<adapters::helpdesk::servicenow_sink> servicenow_;
    dialogs::escalations::escalation_service escalations_;
    dialogs::escalations::user_sink user_sink_;
    std::unique_ptr<dialogs::escalations::channel_sink> channel_;
    dialogs::escalations::outbox_worker worker_;
    std::unique_ptr<dialogs::escalations::escalation_dialog> escalation_dialog_;
    bool worker_running_ = false;
    dialogs::runner handler_;
    turn::adapter turns_;
    http::server server_;
    net::steady_timer refresh_timer_;
    std::vector<std::shared_ptr<net::steady_timer>> key_waiters_;
    std::atomic<std::uint64_t> requests_{0};
    std::uint64_t turns_done_ = 0;
    std::map<std::string, std::uint64_t> rejected_;
    std::uint16_t port_ = 0;
    bool stopping_ = false;
    bool stop_requested_ = false;
};

endpoint::endpoint(const options& opt)
{
    config::validate(opt.settings);
    t0_ = clock::now();
    app_ = std::make_unique<app>(opt);
}

endpoint::~endpoint() = default;

std::uint16_t endpoint::start()
{
    return app_->start(t0_);
}

void endpoint::run()
{
    app_->run();
}

void endpoint::request_stop()
{
    app_->request_stop();
}

bool endpoint::ready() const
{
    return app_->ready();
}

net::io_context& endpoint::app_io()
{
    return app_->io();
}

int run(const options& opt)
{
    endpoint e(opt);
    e.start();
    net::signal_set signals(e.app_io(), SIGINT, SIGTERM);
    signals.async_wait([&e](const boost::system::error_code& ec, int sig) {
        if (ec)
            return; // cancelled at exit
        log::info("serve.signal", {{"signal", sig}});
        e.request_stop();
    });
    e.run();
    return 0;
}

} // namespace ab::bot::serve
