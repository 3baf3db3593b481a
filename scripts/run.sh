#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs what is missing, builds, and starts
# access-bot with the embedded defaults: built-in knowledge, data in ./data, local mode (no channel
# authentication, loopback only) for the Microsoft 365 Agents Playground on BOT_PORT (3978).
# `scripts/run.sh chat` starts the terminal chat instead; other arguments go to `serve`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/deps.sh"
"$root/scripts/build.sh" "$root/build" -DAB_BUILD_TESTS=OFF
data="${AB_DATA_DIR:-$root/data}"
if [[ "${1:-}" == chat ]]; then
  shift
  exec "$root/build/bot/access-bot" --data "$data" chat "$@"
fi
exec "$root/build/bot/access-bot" --data "$data" serve --local "$@"
