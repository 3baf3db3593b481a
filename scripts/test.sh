#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs what is missing, builds with -Werror and
# runs every test; then builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the
# unit and integration tests again under them. The realclient tests (Microsoft's Adaptive Cards
# renderer and Teams manifest schemas, ../shared/realclient) run in the first pass.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/deps.sh"

echo "== build (RelWithDebInfo, -Werror)"
"$root/scripts/build.sh" "$root/build" -DAB_BUILD_TESTS=ON
# Microsoft's client software for the realclient tests (Node, Chromium, npm packages; cached).
if [[ -x "$root/../shared/realclient/run-all.sh" ]]; then
  echo "== realclient setup"
  "$root/../shared/realclient/run-all.sh" setup
fi
echo "== tests"
ctest --test-dir "$root/build" -j"$(nproc)" --output-on-failure --timeout 600

if [[ "${AB_SKIP_SANITIZE:-0}" != 1 ]]; then
  echo "== build (ASan + UBSan)"
  "$root/scripts/build.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DAB_SANITIZE=ON -DAB_BUILD_TESTS=ON
  echo "== tests under ASan + UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" -j"$(nproc)" -LE realclient --output-on-failure --timeout 900
fi
