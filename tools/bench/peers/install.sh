#!/usr/bin/env bash
# Installs the peer brokers that `npm run bench -- --peers ...` compares Quiver with, from
# Debian's packages: redis-server (Redis 7), rabbitmq-server, nats-server. Idempotent: a package
# whose binary is already on the machine is skipped, and nothing is done when all are there.
# The bench starts each server itself as a child process on 127.0.0.1 with its own temp data
# dir; the packages' system services are neither wanted nor started here.
# Usage: tools/bench/peers/install.sh [redis|rabbitmq|nats|all]...   (default: all)
set -euo pipefail

declare -A binary=([redis]=/usr/bin/redis-server [rabbitmq]=/usr/sbin/rabbitmq-server [nats]=/usr/sbin/nats-server)
declare -A package=([redis]=redis-server [rabbitmq]=rabbitmq-server [nats]=nats-server)

wanted=("$@")
if [ ${#wanted[@]} -eq 0 ] || [[ " ${wanted[*]} " == *" all "* ]]; then wanted=(redis rabbitmq nats); fi

missing=()
for peer in "${wanted[@]}"; do
  if [ -z "${package[$peer]:-}" ]; then echo "install.sh: unknown peer '$peer' (redis, rabbitmq, nats, all)" >&2; exit 2; fi
  if [ ! -x "${binary[$peer]}" ]; then missing+=("${package[$peer]}"); fi
done
if [ ${#missing[@]} -eq 0 ]; then echo "install.sh: peers present: ${wanted[*]}"; exit 0; fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi

# Keep the packages' post-install scripts from starting system services (no systemd here, and
# the bench wants no broker but its own children): a policy-rc.d that denies every start, put
# in place only for this install when the machine has none.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
echo "install.sh: installing ${missing[*]}"
# Refresh the package lists when they are missing or more than a day old.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 -print -quit 2>/dev/null)" ]; then
  "${sudo[@]}" apt-get update -qq
fi
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install.sh: installed ${missing[*]}"
