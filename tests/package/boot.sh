#!/usr/bin/env bash
# Part of the package stage (tests/package/run.sh): boots a Debian 12 root with the package
# installed under a real systemd (PID 1 in systemd-nspawn) and checks what the units do there.
#
#   tests/package/boot.sh ROOT OUT_DIR
#
# - signage-player.service and signage-studio.service active after boot. Both are Type=notify:
#   active means READY=1 came (the player's first frame drawn, the studio listening).
# - The player runs with the unit's hardening as shipped: its user, no capabilities,
#   NoNewPrivileges, a seccomp filter, / read-only but its state directory, and DevicePolicy:
#   a device outside DeviceAllow= cannot be opened from its cgroup.
# - StatusText (STATUS=) says what plays.
# - The watchdog: a drop-in adding --debug-stall-after stalls the frame loop; systemd logs a
#   watchdog timeout after WatchdogSec=30s, kills it, restarts it (NRestarts grows) and the new
#   process is active again (READY=1).
# - The studio answers over HTTPS on port 8443 inside the guest, with the certificate postinst made.
#
# What the test changes in the units, and why (drop-ins in /etc, removed at the end):
# - Environment=SDL_VIDEODRIVER=offscreen for the player: there is no display in the root. This
#   keeps the unit's ExecStart (--fullscreen, the state directory) and its window path; only SDL's
#   driver differs (kmsdrm -> offscreen). --headless would change the command and skip the display.
# - /dev/tty1 (TTYPath=, StandardInput=tty-force, DeviceAllow=/dev/tty1) is a pseudo terminal made
#   here and bound into the guest, so the unit's console lines stay as shipped.
#
# Why these systemd-nspawn options:
# - --register=no --keep-unit: the host has no systemd as PID 1 (no machined, no D-Bus).
# - --private-network: the studio's port 8443 stays inside the guest (no clash with the host).
# - SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1: on a host with cgroup v1 controllers (hybrid layout, as
#   here) the guest would get them read-only and its systemd could not apply DevicePolicy=; in the
#   unified hierarchy it applies it with a BPF program, which needs --capability=CAP_BPF and
#   --system-call-filter=bpf (nspawn refuses bpf() by default). Without them DevicePolicy= would be
#   silently ignored. MemoryMax= is not enforced here (no memory controller in that hierarchy).
set -euo pipefail

root=$(realpath "${1:?usage: tests/package/boot.sh ROOT OUT_DIR}")
out=$(realpath "${2:?usage: tests/package/boot.sh ROOT OUT_DIR}")

step() { printf '\n==> [%ds] %s\n' "$SECONDS" "$*"; }
fail() {
  printf 'FAILED: %s\n' "$*" >&2
  if [[ -n ${leader:-} ]] && kill -0 "$leader" 2>/dev/null; then
    guest journalctl -b --no-pager >"$out/boot-journal.txt" 2>&1 || true
    echo "----- the guest's journal (all of it in $out/boot-journal.txt) -----" >&2
    tail -n 60 "$out/boot-journal.txt" >&2
  fi
  exit 1
}
expect() { # DESCRIPTION COMMAND...: the command must succeed
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else fail "$what"; fi
}
# wait_for SECONDS DESCRIPTION COMMAND...: polls the command until it succeeds (generous limits:
# a loaded 2-core machine).
wait_for() {
  local limit=$1 what=$2 start=$SECONDS
  shift 2
  until "$@"; do
    ((SECONDS - start < limit)) || fail "$what (waited ${limit}s)"
    sleep 1
  done
  echo "ok: $what (after $((SECONDS - start))s)"
}

for tool in systemd-nspawn:systemd-container nsenter:util-linux python3:python3 curl:curl; do
  command -v "${tool%%:*}" >/dev/null ||
    fail "'${tool%%:*}' not found (Debian package ${tool#*:}): platform/debian/install-deps --test"
done
[[ -x $root/lib/systemd/systemd ]] || fail "no systemd in $root"
if mountpoint -q "$root/proc"; then fail "$root/proc is mounted: unmount it before booting the root"; fi

nspawn_pid="" pty_pid="" leader=""
dropin_dir=$root/etc/systemd/system/signage-player.service.d
cleanup() {
  if [[ -n $leader ]] && kill -0 "$leader" 2>/dev/null; then guest systemctl poweroff 2>/dev/null || true; fi
  if [[ -n $nspawn_pid ]]; then
    for _ in $(seq 60); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 1; done
    ! kill -0 "$nspawn_pid" 2>/dev/null || kill "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  [[ -z $pty_pid ]] || kill "$pty_pid" 2>/dev/null || true
  rm -f "$dropin_dir/test-offscreen.conf" "$dropin_dir/test-stall.conf"
  rmdir "$dropin_dir" 2>/dev/null || true
}
trap cleanup EXIT

# A command in the guest: all of its namespaces (mount, PID, network ...), its root.
guest() { nsenter -t "$leader" -a -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
player_show() { guest systemctl show -p "$1" --value signage-player.service; }

# --- the test's drop-in and console --------------------------------------------------------------
mkdir -p "$dropin_dir"
printf '# tests/package/boot.sh: no display in the test root\n[Service]\nEnvironment=SDL_VIDEODRIVER=offscreen\n' \
  >"$dropin_dir/test-offscreen.conf"
# The pseudo terminal stays open while python sleeps; its name goes to the file.
rm -f "$out/boot-pty"
python3 -c 'import os, pty, time; m, s = pty.openpty(); print(os.ttyname(s), flush=True); time.sleep(3600)' \
  >"$out/boot-pty" &
pty_pid=$!
wait_for 30 "a pseudo terminal for /dev/tty1" test -s "$out/boot-pty"
tty=$(cat "$out/boot-pty")
[[ -c $tty ]] || fail "no pseudo terminal $tty"

# --- boot --------------------------------------------------------------------------------------
step "systemd-nspawn --boot (systemd $(chroot "$root" /lib/systemd/systemd --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p') as PID 1)"
# The journal of this boot only; status.json written by the unit, not by an earlier run.
rm -rf "$root"/var/log/journal/* "$root/var/lib/signage-player/status.json"
boot_start=$SECONDS
SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn --quiet --register=no --keep-unit \
  --directory="$root" --boot --console=pipe --private-network --bind="$tty:/dev/tty1" \
  --capability=CAP_BPF --system-call-filter=bpf </dev/null >"$out/nspawn.log" 2>&1 &
nspawn_pid=$!
# The guest's PID 1: nspawn's child once it has become systemd (before, nspawn's own helper).
nspawn_child() {
  leader=$(pgrep -P "$nspawn_pid" | head -n 1) && [[ -n $leader ]] &&
    [[ $(cat "/proc/$leader/comm" 2>/dev/null) == systemd ]]
}
nspawn_alive() { kill -0 "$nspawn_pid" 2>/dev/null || { cat "$out/nspawn.log"; fail "systemd-nspawn exited"; }; }
started() { nspawn_alive && nspawn_child; }
wait_for 60 "the guest's PID 1 started" started
manager_up() { guest test -S /run/systemd/private; }
wait_for 60 "the guest's systemd listens" manager_up
# is-system-running --wait returns once the boot's jobs are done: the Type=notify units' start
# jobs end with READY=1 (or their failure).
state=$(timeout 240 nsenter -t "$leader" -a -- systemctl is-system-running --wait 2>&1) || true
echo "    the guest booted in $((SECONDS - boot_start))s: $state"
[[ $state == running || $state == degraded ]] || fail "the boot did not finish: '$state'"
failed=$(guest systemctl list-units --failed --plain --no-legend)
[[ -z $failed ]] || echo "    failed units in the guest (not ours): $failed"

step "the units after boot"
for unit in signage-player.service signage-studio.service; do
  active=$(guest systemctl is-active "$unit" || true)
  expect "$unit is active after boot (Type=notify: READY=1 came)" test "$active" = active
done
guest systemctl status --no-pager --lines=0 signage-player.service signage-studio.service | sed 's/^/    /' || true
guest journalctl -b --no-pager -o cat -u signage-player.service | grep 'signage-player:' | sed 's/^/    /' || true
journal() { guest journalctl -b --no-pager -o cat -u signage-player.service; }
journal_has() { journal | grep -q -- "$1"; }
expect "the player drew its first frame" journal_has 'first frame on screen'
expect "nothing stored: the first-boot card, then the demo" \
  journal_has 'its card then the demo /usr/share/signage-player/playlists/hexi-2024'
status_text=$(player_show StatusText)

step "the player's hardening, as systemd applied it"
pid=$(player_show MainPID)
cgroup_root=$(findmnt -n -o TARGET -t cgroup2 | head -n 1) || true
[[ -n $cgroup_root ]] || fail "no cgroup2 mount on the host"
guest_cgroup=$(dirname "$(sed -n 's/^0:://p' "/proc/$leader/cgroup")")
player_cgroup=$cgroup_root$guest_cgroup/system.slice/signage-player.service
host_pid=$(head -n 1 "$player_cgroup/cgroup.procs") || fail "no $player_cgroup/cgroup.procs on the host"
[[ -n $host_pid ]] || fail "no process in $player_cgroup"
status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$host_pid/status"; }
uid=$(chroot "$root" id -u signage)
expect "runs as signage (uid $uid; guest PID $pid)" test "$(status Uid | awk '{print $1}')" = "$uid"
expect "no capabilities (CapabilityBoundingSet=)" test "$(status CapEff)" = 0000000000000000
expect "NoNewPrivileges=" test "$(status NoNewPrivs)" = 1
expect "a seccomp filter (SystemCallFilter=)" test "$(status Seccomp)" = 2
in_player_ns() { nsenter -t "$host_pid" -m -- "$@"; }
expect "/usr is read-only to it (ProtectSystem=strict)" bash -c \
  "! nsenter -t $host_pid -m -- touch /usr/signage-probe 2>/dev/null"
expect "/etc is read-only to it (ProtectSystem=strict)" bash -c \
  "! nsenter -t $host_pid -m -- touch /etc/signage-player/signage-probe 2>/dev/null"
status_by_signage() { [[ $(in_player_ns stat -c %U /var/lib/signage-player/status.json 2>/dev/null) == signage ]]; }
wait_for 60 "it wrote status.json in its state directory (ReadWritePaths=)" status_by_signage
expect "/root is an empty mode-000 directory to it (ProtectHome=)" \
  test "$(in_player_ns stat -c %a /root) $(in_player_ns ls -A /root | wc -l)" = "0 0"
# DevicePolicy=closed: a probe process in the player's cgroup opens /dev/null (always allowed)
# but not a device outside DeviceAllow= (10:200, /dev/net/tun); outside the cgroup it can.
guest sh -c 'test -c /dev/net/tun || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200; }'
probe() { # IN_CGROUP(0/1) DEVICE: opens DEVICE for reading in the player's mount namespace
  sh -c "[ $1 = 0 ] || echo \$\$ >'$player_cgroup/cgroup.procs'; exec nsenter -t $host_pid -m -- sh -c 'exec 3<$2' 2>&1"
}
expect "DevicePolicy: its cgroup may open /dev/null" probe 1 /dev/null
expect "DevicePolicy: outside its cgroup /dev/net/tun opens (the probe works)" probe 0 /dev/net/tun
denied=$(probe 1 /dev/net/tun) && fail "DevicePolicy: its cgroup opened /dev/net/tun"
expect "DevicePolicy: its cgroup may not open /dev/net/tun ($denied)" grep -q 'not permitted' <<<"$denied"

step "the studio on https://127.0.0.1:8443 in the guest (the package's studio.conf)"
echo "    its StatusText=$(guest systemctl show -p StatusText --value signage-studio.service)"
# The host's curl in the guest's network namespace.
box=$(chroot "$root" hostname)
code=$(nsenter -t "$leader" -n -- curl -s -o "$out/studio-index.html" -w '%{http_code}' \
  --cacert "$root/etc/signage-player/studio.crt" --resolve "$box:8443:127.0.0.1" \
  --max-time 30 "https://$box:8443/") || fail "curl https://$box:8443/ in the guest"
expect "the studio answers: HTTP $code" grep -q '^[23]' <<<"$code"

step "the watchdog restarts a stalled player"
# The unit's own ExecStart with --debug-stall-after: the frame loop hangs 3 s after playing.
exec_start=$(grep '^ExecStart=' "$root/lib/systemd/system/signage-player.service")
printf '# tests/package/boot.sh: the watchdog test\n[Service]\nExecStart=\n%s --debug-stall-after 3\n' \
  "$exec_start" >"$dropin_dir/test-stall.conf"
guest systemctl daemon-reload
guest systemctl restart signage-player.service
stalled_pid=$(player_show MainPID)
restarts=$(player_show NRestarts)
command_line=$(tr '\0' ' ' <"/proc/$(head -n 1 "$player_cgroup/cgroup.procs")/cmdline")
expect "restarted as: $command_line(guest PID $stalled_pid, NRestarts $restarts)" \
  grep -q -- '--debug-stall-after 3' <<<"$command_line"
watchdog=$(player_show WatchdogUSec)
[[ $watchdog != 0 ]] || fail "the unit has no watchdog (WatchdogSec=0): nothing restarts a hung player"
[[ $watchdog =~ ^([0-9]+)s$ ]] || fail "WatchdogSec is not a number of seconds: '$watchdog'"
watchdog_sec=${BASH_REMATCH[1]}
# Pings stop within half of WatchdogSec after the stall; systemd waits the whole of it.
wait_for $((30 + 2 * watchdog_sec)) "systemd: 'Watchdog timeout (limit ${watchdog_sec}s)'" \
  journal_has 'Watchdog timeout'
restarted() {
  [[ $(player_show NRestarts) -gt $restarts && $(player_show ActiveState) == active &&
    $(player_show SubState) == running && $(player_show MainPID) != "$stalled_pid" ]]
}
wait_for 120 "restarted by systemd (NRestarts > $restarts), active again (READY=1) with a new PID" restarted
journal | grep -E 'Watchdog timeout|Killing process|result|Scheduled restart' | sed 's/^/    /' || true
expect "killed for the watchdog (Result 'watchdog')" journal_has "Failed with result 'watchdog'"
echo "    NRestarts: $restarts -> $(player_show NRestarts), PID $stalled_pid -> $(player_show MainPID)"

step "STATUS= after boot"
echo "    StatusText=$status_text"
expect "StatusText after boot says what plays ('playing N/M ...')" \
  grep -qE '^playing [0-9]+/[0-9]+ ' <<<"$status_text"

guest journalctl -b --no-pager >"$out/boot-journal.txt" 2>&1 || true
step "power off"
guest systemctl poweroff
for _ in $(seq 120); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 1; done
! kill -0 "$nspawn_pid" 2>/dev/null || fail "the guest did not power off in 120 s"
wait "$nspawn_pid" || true
leader=""
echo "ok: the guest powered off; the boot checks took $((SECONDS - boot_start))s"
