#!/usr/bin/env bash
# Installs the Debian 12 packages access-bot needs to build and test, if any are missing.
set -euo pipefail
packages=(
  build-essential cmake pkg-config ccache
  libboost1.81-dev nlohmann-json3-dev libssl-dev
  googletest libgtest-dev
  libsqlite3-dev libicu-dev libstemmer-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-cpp-dev
  libspdlog-dev libcli11-dev libjemalloc-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
