#!/usr/bin/env bash
# The systemd units in platform/raspberry-pi/ as systemd reads them, without a running systemd:
#   verify    `systemd-analyze verify` says nothing (an unknown key, a bad value or a missing
#             program is a line of output): in a temporary root holding systemd's own units and
#             /usr/bin/signage-player and signage-studio (verify checks that ExecStart= exists),
#             so the test does not depend on what this machine has installed.
#   security  `systemd-analyze security --offline=yes` rates each unit's exposure (0 best, 10
#             worst); each must stay at or under MAX (the scores are in
#             platform/raspberry-pi/README.md).
# A unit with a misspelt key is verified too: the check must catch it.
#
# usage: units_test.sh SYSTEMD_ANALYZE UNITS_DIR MAX
set -euo pipefail
analyze=$1 units=$2 max=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

root=$tmp/root
mkdir -p "$root/usr/bin" "$root/usr/lib/systemd" "$root/etc/systemd/system"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
for program in signage-player signage-studio; do
  printf '#!/bin/sh\n' >"$root/usr/bin/$program" # verify only checks it is an executable file
  chmod 755 "$root/usr/bin/$program"
done
names=(signage-player.service signage-studio.service)
for name in "${names[@]}"; do cp "$units/$name" "$root/etc/systemd/system/"; done

verify() { "$analyze" verify --man=no --root="$root" "$@" 2>&1; }

said=$(verify "${names[@]}") || { echo "FAIL: systemd-analyze verify failed:"; echo "$said"; exit 1; }
if [[ -n $said ]]; then
  echo "FAIL: systemd-analyze verify complained:"
  echo "$said"
  exit 1
fi
echo "ok: systemd-analyze verify ${names[*]}: nothing to say"

# The check itself catches a mistake.
sed 's/^NoNewPrivileges=/NoNewPrivilege=/' "$units/signage-player.service" \
  >"$root/etc/systemd/system/broken.service"
said=$(verify broken.service) || true
if ! grep -q "Unknown key 'NoNewPrivilege'" <<<"$said"; then
  echo "FAIL: a misspelt key went unnoticed: $said"
  exit 1
fi

failed=0
for name in "${names[@]}"; do
  report=$("$analyze" security --offline=yes --root="$root" "$name" 2>&1) || true
  score=$(sed -n "s/.*Overall exposure level for $name: \([0-9.]*\) .*/\1/p" <<<"$report")
  if [[ -z $score ]]; then
    echo "FAIL: no exposure level for $name:"
    echo "$report"
    exit 1
  fi
  grep '^✗' <<<"$report" || true # what is still open, and why it costs
  if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
    echo "ok: $name exposure $score (at most $max)"
  else
    echo "FAIL: $name exposure $score is over $max"
    failed=1
  fi
done
exit $failed
