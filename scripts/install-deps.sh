#!/usr/bin/env bash
# Installs every Debian package Cairn needs to build, test and run. Idempotent: when everything is
# present it prints one line and exits. Later issues add their packages to PACKAGES below.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-format clang-tidy
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libssl-dev libjemalloc-dev liblua5.1-0-dev lua-cjson-dev lua-bitop-dev
  libcli11-dev libxxhash-dev libhiredis-dev libyaml-cpp-dev liblzf-dev
  # reference server and real clients for the compat, integration and bench suites
  redis-server redis-tools python3-redis python3-pytest python3-yaml
  # the fleet suite (hosts as network namespaces) and test certificates
  iproute2 openssl
  # fuzzing (libFuzzer ships with clang)
  clang
)

missing=()
for p in "${PACKAGES[@]}"; do
  # dpkg-query prints "install ok installed" only for fully installed packages.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's redis-server package starts a system service on 6379; the tests start their own
# servers on free ports, so stop it to keep the machine quiet (ignore failure: no systemd here).
$SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
$SUDO service redis-server stop >/dev/null 2>&1 || true
echo "install-deps: done"
