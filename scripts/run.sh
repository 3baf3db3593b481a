#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs what is missing, builds, and starts
# access-bot with the embedded defaults (built-in knowledge, data in ./data).
# Until the Bot Framework endpoint lands (issue 3) "starting the bot" means the terminal chat:
# type a question, get the answer card as text.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/deps.sh"
"$root/scripts/build.sh" "$root/build" -DAB_BUILD_TESTS=OFF
exec "$root/build/bot/access-bot" --data "${AB_DATA_DIR:-$root/data}" chat "$@"
