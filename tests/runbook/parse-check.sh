#!/usr/bin/env bash
# Syntax check of the runbook(s) without PowerShell: parses deploy/runbooks/*.ps1 with the
# tree-sitter PowerShell grammar from npm and fails on any ERROR or MISSING node.
# Exit codes: 0 clean, 1 syntax errors, 77 skipped (no node/npm, or the packages cannot be
# installed: ctest's SKIP_RETURN_CODE). Installs into tests/runbook/node_modules (gitignored) from
# the pinned package-lock.json, with install scripts off (the grammar runs as WebAssembly).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "parse-check: node/npm not found; skipping" >&2
  exit 77
fi

# Reinstall when the lock file changed since the last install.
stamp="$here/node_modules/.lock-stamp"
if [ ! -f "$stamp" ] || ! cmp -s "$stamp" "$here/package-lock.json"; then
  if ! (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2); then
    echo "parse-check: npm ci failed (no registry?); skipping" >&2
    exit 77
  fi
  cp "$here/package-lock.json" "$stamp"
fi

if [ "$#" -eq 0 ]; then
  set -- "$root"/deploy/runbooks/*.ps1
fi
# V8 would otherwise compile the 1 MB grammar with its optimizing tier in the background and hold
# the exit for ~10 s; the baseline compiler parses this file in well under a second.
flags=(--no-deprecation)
if node --liftoff-only -e 0 >/dev/null 2>&1; then
  flags+=(--liftoff-only)
fi
exec node "${flags[@]}" "$here/parse-check.mjs" "$@"
