#!/usr/bin/env bash
# Try access-bot in Microsoft's own Teams client emulator, in one command:
#   scripts/playground.sh            installs what is missing, builds, starts the bot in local mode on a
#                                    free loopback port with a fresh data folder, and opens nothing:
#                                    it drives the Microsoft 365 Agents Playground headless through the
#                                    scenarios below (../shared/realclient playground-e2e), then stops the bot.
#   scripts/playground.sh --open     the same bot, but starts the Playground for you to use in a browser
#                                    (http://127.0.0.1:56150), until Ctrl-C.
# Scenarios: questions in Dutch, Swedish and English; personal chat, group chat and channel; an
# escalation to a stand-in helpdesk webhook (started here); every
# button of the reply card is clicked; the clarification (chat only vs. work in our team) is answered.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
realclient="$root/../shared/realclient"
[[ -x "$realclient/run-all.sh" ]] || { echo "playground.sh: $realclient/run-all.sh not found" >&2; exit 2; }
"$root/scripts/deps.sh"
"$root/scripts/build.sh" "$root/build" >/dev/null
data="$(mktemp -d)"
out="${PLAYGROUND_OUT:-$root/build/playground}"
mkdir -p "$out"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 3978)"
# A stand-in helpdesk (generic webhook receiver) so that "Ask IT" really hands the case over.
hook_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
: >"$out/helpdesk-webhook.jsonl"
python3 - "$hook_port" "$out/helpdesk-webhook.jsonl" <<'PY' &
import http.server, sys
port, path = int(sys.argv[1]), sys.argv[2]
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(path, "ab") as f:
            f.write(body + b"\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), Hook).serve_forever()
PY
hook=$!
AB_HELPDESK_WEBHOOK_URL="http://127.0.0.1:$hook_port/helpdesk" AB_HELPDESK_WEBHOOK_SECRET="playground-webhook-secret" \
  "$root/build/bot/access-bot" --data "$data" serve --local --port "$port" >"$out/bot.log" 2>&1 &
bot=$!
cleanup() { kill "$bot" "$hook" 2>/dev/null || true; wait "$bot" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
url="http://127.0.0.1:$port/api/messages"

if [[ "${1:-}" == --open ]]; then
  deps="${ACCESS_BOT_TOOLS_HOME:-$HOME/.cache/access-bot-tools}/realclient/deps"
  "$realclient/run-all.sh" setup >/dev/null
  echo "access-bot on $url (log: $out/bot.log); Playground on http://127.0.0.1:56150 — Ctrl-C stops both"
  BOT_ENDPOINT="$url" TEAMSAPPTESTER_BROWSER=none \
    node -r "$realclient/lib/bind-loopback.js" "$deps/node_modules/@microsoft/m365agentsplayground/cli.js" start \
    --port 56150 --service-url http://127.0.0.1:56150/_connector --disable-telemetry
  exit 0
fi

rc=0
run() { # name conversation question
  echo "== $1 ($2): $3"
  "$realclient/run-all.sh" playground-e2e "$url" --conversation "$2" --question "$3" --out "$out/$1" 2>&1 |
    grep -E '^(PASS|FAIL|SKIP)|passed' || true
  grep -q '"ok": *false' "$out/$1/result.json" 2>/dev/null && rc=1
  [[ -f "$out/$1/result.json" ]] || rc=1
}
run nl-personal-answer personal "Hoe kan ik chatten met iemand van een ander bedrijf?"
run en-personal-clarify personal "I need to work with a consultant from Fabrikam"
run sv-group-answer group "Hur lägger jag till en gäst i mitt team?"
# The first visit to a channel gets the welcome card; the question comes after it.
run sv-channel-welcome channel "Hej! Vad kan du hjälpa till med?"
run sv-channel-clarify channel "Vi har en konsult från fabrikam.com som ska jobba med oss, hur gör vi?"
run en-channel-answer channel "How do I let people from another company skip the lobby in my meeting?"
# Escalation: the confirmation's "Send to IT" is clicked; the stand-in helpdesk must receive it.
run en-personal-escalate personal "I want to talk to someone from the IT helpdesk"
for _ in $(seq 1 50); do grep -q '"event":"created"' "$out/helpdesk-webhook.jsonl" && break; sleep 0.1; done
if grep -q '"event":"created"' "$out/helpdesk-webhook.jsonl"; then echo "PASS the helpdesk webhook received the escalation"
else echo "FAIL the helpdesk webhook received nothing"; rc=1; fi
echo "results: $out (screenshots, transcript.json, result.json per scenario); bot log: $out/bot.log"
exit "$rc"
