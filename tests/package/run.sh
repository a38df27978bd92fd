#!/usr/bin/env bash
# The package stage of scripts/test: builds the .deb files with scripts/package and checks them.
#
#   tests/package/run.sh OUT_DIR [AMD64_BUILD_DIR [ARM64_BUILD_DIR]]
#
# 1. scripts/package builds signage-player_<v>_amd64.deb and _arm64.deb into OUT_DIR (from the
#    build directories given, configured and built there when new), and an amd64 one with a
#    higher version for the upgrade.
# 2. dpkg-deb -I/-c: the control fields (Depends from dpkg-shlibdeps for each architecture, the
#    fonts), the files, the conffile, a man page for every command; lintian: no error, no warning.
# 3. A fresh Debian 12 root (debootstrap --variant=minbase --include=systemd bookworm, kept as a
#    tarball in OUT_DIR and unpacked anew each run; downloaded .debs are kept in OUT_DIR/apt-cache)
#    with a policy-rc.d that forbids starting services. In it, through chroot, as a user would:
#    apt-get install ./signage-player_<v>_amd64.deb; then the users and groups, the state
#    directory's owner and mode, the units enabled and `systemd-analyze verify`, --version, the
#    demo played headless by the signage user from /usr/share with the installed fonts and the
#    conffile read; then the root booted under a real systemd (tests/package/boot.sh: systemd-nspawn
#    --boot; the units active after boot (READY=1), the player's hardening applied, STATUS=, the
#    watchdog restarting a stalled player, the studio answering); the conffile's edit kept on an
#    upgrade, and purge removing what install made.
# 4. The arm64 package's program under qemu-aarch64: --version and a short headless run of the
#    demo it finds next to itself.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=$(realpath -m "${1:?usage: tests/package/run.sh OUT_DIR [AMD64_BUILD_DIR [ARM64_BUILD_DIR]]}")
host_arch=$(dpkg --print-architecture)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$out"

step() { printf '\n==> [%ds] %s\n' "$SECONDS" "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
expect() { # DESCRIPTION COMMAND...: the command must succeed
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else fail "$what"; fi
}

for tool in debootstrap lintian help2man dpkg-shlibdeps chroot systemd-nspawn openssl curl jq unshare ip; do
  command -v "$tool" >/dev/null || fail "'$tool' not found: platform/debian/install-deps --test"
done

# --- 1. build --------------------------------------------------------------------------------
package_args=(--out "$out")
[[ -z ${2:-} ]] || package_args+=(--build-dir "$host_arch=$2")
[[ -z ${3:-} || $host_arch == arm64 ]] || package_args+=(--build-dir "arm64=$3")
step "scripts/package ${package_args[*]}"
rm -f "$out"/*.deb
scripts/package "${package_args[@]}"
host_deb=$(ls "$out"/signage-player_*_"$host_arch".deb)
version=$(dpkg-deb -f "$host_deb" Version)
upgrade_version=$version+upgrade
mkdir -p "$out/upgrade"
rm -f "$out"/upgrade/*.deb
scripts/package "$host_arch" "${package_args[@]}" --out "$out/upgrade" --version "$upgrade_version" \
  >/dev/null
upgrade_deb=$out/upgrade/signage-player_${upgrade_version}_$host_arch.deb
debs=("$out"/signage-player_"$version"_*.deb)

# --- 2. inspect ------------------------------------------------------------------------------
step "dpkg-deb -I / -c, lintian"
has_depends() { # DEB PACKAGE: Depends names PACKAGE
  dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx "$2"
}
for deb in "${debs[@]}"; do
  arch=$(dpkg-deb -f "$deb" Architecture)
  name=$(basename "$deb")
  expect "$name: named for its version and architecture" \
    test "$name" = "signage-player_${version}_$arch.deb"
  for dep in libc6 libstdc++6 libsdl2-2.0-0 libsdl2-image-2.0-0 libharfbuzz0b libfreetype6 \
    libfontconfig1 libicu72 libsodium23 libmicrohttpd12 adduser openssl fonts-noto-cjk \
    fonts-noto-color-emoji; do
    has_depends "$deb" "$dep" || fail "$name: Depends lacks $dep: $(dpkg-deb -f "$deb" Depends)"
  done
  echo "ok: $name: Depends: $(dpkg-deb -f "$deb" Depends)"
  expect "$name: Installed-Size set" test "$(dpkg-deb -f "$deb" Installed-Size)" -gt 1000
  expect "$name: player.conf and studio.conf are conffiles" \
    test "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = \
    "$(printf '%s\n' /etc/signage-player/player.conf /etc/signage-player/studio.conf)"
  dpkg-deb -c "$deb" | awk '{print $1, $2, $6}' >"$out/contents-$arch.txt"
  for file in usr/bin/signage-player usr/bin/signage-studio etc/signage-player/player.conf \
    etc/signage-player/studio.conf \
    lib/systemd/system/signage-player.service lib/systemd/system/signage-studio.service \
    lib/systemd/system/signage-usb-mount@.service lib/udev/rules.d/99-signage-usb.rules \
    usr/lib/signage-player/signage-usb-mount usr/share/signage-player/fonts/fallback-chains.conf \
    usr/share/signage-player/playlists/hexi-2024/playlist.json \
    usr/share/signage-player/playlists/hexi-2024/images/hexi-banner.png \
    usr/share/signage-player/playlists/schema/playlist.schema.json \
    usr/share/signage-player/studio-web/index.html usr/share/doc/signage-player/copyright \
    usr/share/doc/signage-player/changelog.Debian.gz usr/share/man/man1/signage-player.1.gz \
    usr/share/man/man1/signage-studio.1.gz; do
    grep -q " \./$file$" "$out/contents-$arch.txt" || fail "$name: no /$file"
  done
  for command in run render layout check manifest keygen sign; do
    grep -q " \./usr/share/man/man1/signage-player-$command.1.gz$" "$out/contents-$arch.txt" ||
      fail "$name: no man page for $command"
  done
  grep -q '^-rwxr-xr-x root/root ./usr/bin/signage-player$' "$out/contents-$arch.txt" ||
    fail "$name: /usr/bin/signage-player is not root-owned 0755"
  ! grep -q ' \./usr/local' "$out/contents-$arch.txt" || fail "$name: files in /usr/local"
  echo "ok: $name: $(grep -c . "$out/contents-$arch.txt") entries, every expected file"
  dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/signage-player >"$out/program-$arch"
  machine=$(readelf -h "$out/program-$arch" | sed -n 's/^ *Machine: *//p')
  expected_machine=$([[ $arch == arm64 ]] && echo AArch64 || echo "Advanced Micro Devices X86-64")
  expect "$name: the program is built for $arch ($machine)" test "$machine" = "$expected_machine"
done
lintian_out=$(lintian -I "${debs[@]}" 2>&1 | grep -v '^running with root privileges' || true)
echo "lintian -I: ${lintian_out:-nothing to say}"
! grep -q '^[EW]: ' <<<"$lintian_out" || fail "lintian reports errors or warnings"
# Built with Debian's hardening flags (SIGNAGE_HARDEN): fortify and bindnow are what lintian sees.
! grep -q 'hardening-no' <<<"$lintian_out" || fail "a program without Debian's hardening flags"

# --- 3. a fresh Debian 12 root ---------------------------------------------------------------
root=$out/root
tarball=$out/bookworm-minbase-systemd.tar.gz
cache=$out/apt-cache
unmount_root() {
  if mountpoint -q "$root/proc" 2>/dev/null; then umount -l "$root/proc"; fi
}
trap unmount_root EXIT
unmount_root
rm -rf "$root"
if [[ ! -f $tarball ]]; then
  step "debootstrap --variant=minbase --include=systemd bookworm (cached in $tarball)"
  # systemd: what the units are verified against (and what every Pi runs).
  debootstrap --variant=minbase --include=systemd bookworm "$root" "$mirror" >"$out/debootstrap.log" 2>&1 ||
    { tail -n 30 "$out/debootstrap.log"; fail "debootstrap"; }
  rm -rf "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf "$root"
fi
step "a fresh root from $(basename "$tarball")"
mkdir -p "$root" "$cache"
tar -C "$root" -xzf "$tarball"
printf '#!/bin/sh\n# no service starts in this test root\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  LANG=C.UTF-8 "$@"; }
# apt in the root: the .debs downloaded on earlier runs first (hard links), new ones kept after.
apt_install() { # DEB
  cp -l "$cache"/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
  cp "$1" "$root/tmp/"
  in_root apt-get install -y -q "/tmp/$(basename "$1")" >"$out/apt-$(basename "$1").log" 2>&1 ||
    { tail -n 40 "$out/apt-$(basename "$1").log"; fail "apt-get install ./$(basename "$1")"; }
  cp -ln "$root"/var/cache/apt/archives/*.deb "$cache/" 2>/dev/null || true
}
in_root apt-get update -q >"$out/apt-update.log" 2>&1 || { cat "$out/apt-update.log"; fail "apt-get update"; }
step "apt-get install ./$(basename "$host_deb") in the root"
apt_install "$host_deb"
grep -E 'newly installed|After this operation' "$out/apt-$(basename "$host_deb").log" | sed 's/^/    /'
expect "installed at $version" test "$(in_root dpkg-query -W -f "\${Version}" signage-player)" = "$version"

step "users, groups, directories, units"
passwd_line=$(in_root getent passwd signage) || fail "no user signage"
echo "    $passwd_line"
IFS=: read -r _ _ uid _ _ home shell <<<"$passwd_line"
expect "signage is a system user (uid $uid < 1000)" test "$uid" -lt 1000
expect "signage's home is the state directory" test "$home" = /var/lib/signage-player
expect "signage cannot log in ($shell)" test "$shell" = /usr/sbin/nologin
groups=$(in_root id -nG signage)
for group in signage video render input; do
  expect "signage is in group $group ($groups)" grep -qw "$group" <<<"$groups"
done
expect "signage-studio is a system user in group signage" \
  test "$(in_root id -gn signage-studio)" = signage
expect "/var/lib/signage-player is signage:signage 755" \
  test "$(in_root stat -c '%U:%G %a' /var/lib/signage-player)" = "signage:signage 755"
expect "/var/lib/signage-studio is signage-studio:signage 750" \
  test "$(in_root stat -c '%U:%G %a' /var/lib/signage-studio)" = "signage-studio:signage 750"
for unit in signage-player.service signage-studio.service; do
  expect "$unit enabled (multi-user.target.wants)" \
    test -L "$root/etc/systemd/system/multi-user.target.wants/$unit"
done
expect "no service was started in the chroot" test ! -e "$root/run/systemd/system"
verify_log=$out/systemd-analyze-verify.log
# --man=no: no man-db in a minbase root; the Documentation= pages are checked below instead.
if ! in_root systemd-analyze verify --man=no /lib/systemd/system/signage-player.service \
  /lib/systemd/system/signage-studio.service /lib/systemd/system/signage-usb-mount@sda1.service \
  >"$verify_log" 2>&1 || grep -q 'signage' "$verify_log"; then
  cat "$verify_log"
  fail "systemd-analyze verify"
fi
echo "ok: systemd-analyze verify: the player, studio and USB mount units"
expect "the USB rule names the mount unit" grep -q 'signage-usb-mount@%k.service' \
  "$root/lib/udev/rules.d/99-signage-usb.rules"
# Documentation= (systemctl help): every man page a unit names is installed.
for unit in signage-player.service signage-studio.service signage-usb-mount@.service; do
  pages=$(sed -n 's/^Documentation=//p' "$root/lib/systemd/system/$unit")
  expect "$unit: Documentation= names man pages ($pages)" grep -q '^man:' <<<"$pages"
  for page in $pages; do
    [[ $page =~ ^man:([a-z0-9-]+)\(([0-9])\)$ ]] || fail "$unit: Documentation=$page is not man:NAME(N)"
    test -f "$root/usr/share/man/man${BASH_REMATCH[2]}/${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.gz" ||
      fail "$unit: Documentation=$page: not installed"
  done
done

step "the programs in the root"
player_version=$(in_root signage-player --version)
expect "signage-player --version: $player_version" grep -qx "signage-player ${version%%-*}" <<<"$player_version"
studio_version=$(in_root signage-studio --version)
expect "signage-studio --version: $studio_version" grep -qx "signage-studio ${version%%-*}" <<<"$studio_version"
man_has() { zcat "$root/usr/share/man/man1/$1" | grep -qF -- "$2"; }
expect "signage-player-run(1) lists --state-dir" man_has signage-player-run.1.gz '\-\-state\-dir'
# The demo as the signage user, the conffile read: a setting in it must change what plays.
echo "rotate = 90" >>"$root/etc/signage-player/player.conf"
demo=/usr/share/signage-player/playlists/hexi-2024
run_log=$out/run-headless.log
in_root timeout -k 10 120 setpriv --reuid=signage --regid=signage --init-groups -- signage-player run --headless --duration 3 "$demo" \
  --stats-json /tmp/stats.json >"$run_log" 2>&1 || { cat "$run_log"; fail "the demo did not play"; }
sed 's/^/    /' "$run_log"
expect "the demo played from /usr/share, rotated by player.conf" \
  grep -q "playing $demo on headless/software at 1920x1080 (scene 1080x1920" "$run_log"
expect "every font of the fallback chains installed" bash -c "! grep -q 'not installed' '$run_log'"
frames=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['frames'])" "$root/tmp/stats.json")
expect "frames drawn ($frames)" test "$frames" -gt 30
expect "status.json written by signage in its state directory" \
  test "$(in_root stat -c %U /var/lib/signage-player/status.json)" = signage

step "the root booted under systemd: tests/package/boot.sh"
umount "$root/proc"  # systemd-nspawn mounts the guest's own
tests/package/boot.sh "$root" "$out" || fail "the root under systemd (tests/package/boot.sh)"
mount -t proc proc "$root/proc"

# What `apt install` alone gives a centre: the studio on the network over HTTPS with its own
# certificate and an admin account, and a player that shows how to reach it, then the demo.
step "as installed: the studio's certificate, account and HTTPS; the first-boot screen"
etc=/etc/signage-player
crt=$root$etc/studio.crt
expect "studio.crt is signage-studio:signage 644" \
  test "$(in_root stat -c '%U:%G %a' $etc/studio.crt)" = "signage-studio:signage 644"
expect "studio.key is signage-studio:signage 600" \
  test "$(in_root stat -c '%U:%G %a' $etc/studio.key)" = "signage-studio:signage 600"
box=$(chroot "$root" hostname)
expect "the certificate is for $box, SAN its name and addresses" bash -c \
  "openssl x509 -in '$crt' -noout -subject | grep -q 'CN = $box' &&
   openssl x509 -in '$crt' -noout -ext subjectAltName | grep -q 'DNS:$box, DNS:$box.local'"
expect "an EC key, the certificate's own" bash -c "openssl pkey -in '$root$etc/studio.key' -noout -text | grep -q 'ASN1 OID: prime256v1' &&
  cmp -s <(openssl pkey -in '$root$etc/studio.key' -pubout) <(openssl x509 -in '$crt' -noout -pubkey)"
expect "valid for 10 years (more than 9 left)" \
  bash -c "openssl x509 -in '$crt' -noout -checkend $((9 * 366 * 86400)) >/dev/null"
fingerprint=$(openssl x509 -in "$crt" -noout -fingerprint -sha256 | sed 's/.*=//')
apt_log=$out/apt-$(basename "$host_deb").log
expect "apt showed the studio's https address, the fingerprint and where admin's password is" \
  bash -c "grep -q 'signage-studio: open https://.*:8443/' '$apt_log' && grep -qF '$fingerprint' '$apt_log' &&
  grep -q 'sign in as admin: the password is in /var/lib/signage-studio/admin-password' '$apt_log'"
grep -A2 '^signage-studio: open' "$apt_log" | sed 's/^/    /'
expect "admin-password is signage-studio 600" \
  test "$(in_root stat -c '%U %a' /var/lib/signage-studio/admin-password)" = "signage-studio 600"
expect "users.json has the account admin" python3 -c "import json,sys; u=json.load(open(sys.argv[1]))['users'];
assert [x['role'] for x in u if x['name'] == 'admin'] == ['admin']" "$root/var/lib/signage-studio/users.json"
for line in 'local_source = /var/lib/signage-studio/published' 'studio_url = https://{ip}:8443'; do
  expect "player.conf: $line" grep -qxF "$line" "$root$etc/player.conf"
done
for line in 'listen = 0.0.0.0' 'port = 8443' "tls_cert = $etc/studio.crt" "tls_key = $etc/studio.key"; do
  expect "studio.conf: $line" grep -qxF "$line" "$root$etc/studio.conf"
done
# The player as its unit starts it, nothing stored: the card, then the demo.
first_boot_log=$out/run-first-boot.log
in_root timeout -k 10 120 setpriv --reuid=signage --regid=signage --init-groups -- signage-player run \
  --headless --duration 3 --state-dir /var/lib/signage-player >"$first_boot_log" 2>&1 ||
  { cat "$first_boot_log"; fail "the first-boot run"; }
sed 's/^/    /' "$first_boot_log"
expect "nothing stored: the first-boot card, then the demo, looping" grep -q \
  "playing the first-boot waiting screen (.*), its card then the demo $demo ([0-9]* items), looping" \
  "$first_boot_log"
# The studio as its unit starts it (user, command line, studio.conf) in a network namespace of
# its own (port 8443 may be taken on this machine): HTTPS with the certificate made above, and
# the clerk's first steps: sign in as admin with the password postinst wrote, publish the draft.
studio_log=$out/studio-https.log
cat >"$out/studio-https.sh" <<'SCRIPT'
root=$1 log=$2 demo=$3 box=$4 jar=$5
ip link set lo up
chroot "$root" env -i PATH=/usr/sbin:/usr/bin LANG=C.UTF-8 setpriv --reuid=signage-studio \
  --regid=signage --init-groups -- signage-studio --data-dir /var/lib/signage-studio \
  --player-state-dir /var/lib/signage-player --seed "$demo" >"$log" 2>&1 &
studio=$!
for _ in $(seq 240); do grep -q "listening on" "$log" && break; sleep 0.5; done
url=https://$box:8443
web=(curl -sS --max-time 60 --cacert "$root/etc/signage-player/studio.crt"
  --resolve "$box:8443:127.0.0.1" -b "$jar" -c "$jar")
json() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
"${web[@]}" -o /dev/null -w "page %{http_code}\n" "$url/"
login=$(jq -n --rawfile p "$root/var/lib/signage-studio/admin-password" '{name: "admin", password: ($p | rtrimstr("\n"))}')
csrf=$("${web[@]}" -H 'Content-Type: application/json' -d "$login" "$url/api/login" | json csrf)
version=$("${web[@]}" "$url/api/draft" | json version)
echo "published $("${web[@]}" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
  -d "{\"base\": \"$version\", \"note\": \"first\"}" "$url/api/publish" | json revision)"
kill "$studio"
wait "$studio"
SCRIPT
rm -f "$out/cookies"
answers=$(unshare -n bash "$out/studio-https.sh" "$root" "$studio_log" "$demo" "$box" "$out/cookies") || true
sed 's/^/    /' "$studio_log"
# shellcheck disable=SC2001
sed 's/^/    /' <<<"$answers"
expect "the studio listens on 0.0.0.0:8443 over HTTPS" grep -q "listening on https://0.0.0.0:8443/" "$studio_log"
expect "https://$box:8443/ answers, its certificate the one made at install" grep -qx "page 200" <<<"$answers"
revision=$(sed -n 's/^published \([0-9][0-9]*\)$/\1/p' <<<"$answers")
expect "admin signed in with the password in admin-password and published revision ${revision:-none}" \
  test -n "$revision"
# The player as its unit starts it takes that publish (local_source in the shipped player.conf).
published_log=$out/run-published.log
in_root timeout -k 10 120 setpriv --reuid=signage --regid=signage --init-groups -- signage-player run \
  --headless --duration 4 --state-dir /var/lib/signage-player >"$published_log" 2>&1 ||
  { cat "$published_log"; fail "the player after the publish"; }
sed 's/^/    /' "$published_log"
expect "the player plays the studio's revision $revision" \
  grep -q "now playing .* revision $revision from local /var/lib/signage-studio/revisions/r$revision " \
  "$published_log"
crt_sum=$(sha256sum "$crt" "$root$etc/studio.key" | cut -d' ' -f1)

step "upgrade to $upgrade_version: the edited conffile stays"
apt_install "$upgrade_deb"
expect "upgraded to $upgrade_version" \
  test "$(in_root dpkg-query -W -f "\${Version}" signage-player)" = "$upgrade_version"
expect "the edit in player.conf kept" grep -qx "rotate = 90" "$root/etc/signage-player/player.conf"
expect "no .dpkg-dist beside it (the packaged file did not change)" \
  test ! -e "$root/etc/signage-player/player.conf.dpkg-dist"
expect "the studio's certificate and key kept" \
  test "$(sha256sum "$crt" "$root$etc/studio.key" | cut -d' ' -f1)" = "$crt_sum"
expect "studio.conf kept, no .dpkg-dist" test -f "$root$etc/studio.conf" -a ! -e "$root$etc/studio.conf.dpkg-dist"

step "purge"
in_root dpkg -L signage-player | sort >"$out/installed-files.txt"
in_root apt-get purge -y -q signage-player >"$out/apt-purge.log" 2>&1 || { cat "$out/apt-purge.log"; fail "purge"; }
left=()
while read -r path; do
  [[ -z $path || -d $root$path ]] || [[ ! -e $root$path ]] || left+=("$path")
done <"$out/installed-files.txt"
expect "none of the package's files remain (${left[*]:-})" test ${#left[@]} -eq 0
for path in $etc/studio.crt $etc/studio.key /var/lib/signage-player /var/lib/signage-studio /etc/signage-player \
  /usr/share/signage-player /etc/systemd/system/multi-user.target.wants/signage-player.service \
  /etc/systemd/system/multi-user.target.wants/signage-studio.service \
  /var/lib/systemd/deb-systemd-helper-enabled/signage-player.service.dsh-also; do
  expect "$path removed" test ! -e "$root$path" -a ! -L "$root$path"
done
expect "users signage and signage-studio removed" bash -c "! chroot '$root' getent passwd signage signage-studio"
expect "group signage removed" bash -c "! chroot '$root' getent group signage"
expect "groups video, render, input kept" chroot "$root" getent group video render input

# --- 4. the arm64 program under qemu ---------------------------------------------------------
arm64_deb=$out/signage-player_${version}_arm64.deb
if [[ $host_arch != arm64 ]]; then
  step "$(basename "$arm64_deb") under qemu-aarch64"
  arm_root=$out/arm64-files
  rm -rf "$arm_root"
  dpkg-deb -x "$arm64_deb" "$arm_root"
  # As the aarch64 stage runs its tests: the arm64 loader and libraries of the :arm64 packages
  # (install-deps --cross) from the multiarch directories. (With -L /usr/aarch64-linux-gnu the
  # player spun for over 10 minutes before its first line here.) A program that hangs is killed.
  qemu=(timeout -k 10 300 qemu-aarch64)
  arm_version=$("${qemu[@]}" "$arm_root/usr/bin/signage-player" --version)
  expect "arm64 signage-player --version: $arm_version" test "$arm_version" = "signage-player ${version%%-*}"
  arm_log=$out/run-headless-arm64.log
  # No player.conf: the host has none, and --config is not given.
  "${qemu[@]}" "$arm_root/usr/bin/signage-player" run --headless --duration 5 \
    --stats-json "$out/stats-arm64.json" >"$arm_log" 2>&1 || { cat "$arm_log"; fail "arm64 headless run"; }
  sed 's/^/    /' "$arm_log"
  # No PATH: the default demo, found next to the program (../share/signage-player/playlists).
  expect "the arm64 program played the packaged demo" \
    grep -q "playing $arm_root/usr/share/signage-player/playlists/hexi-2024 " "$arm_log"
  expect "every font found by the arm64 program" bash -c "! grep -q 'not installed' '$arm_log'"
  arm_frames=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['frames'])" "$out/stats-arm64.json")
  expect "arm64 frames drawn ($arm_frames)" test "$arm_frames" -gt 0
fi

step "sizes"
for deb in "$out"/signage-player_"$version"_*.deb; do
  printf '    %s: %d KB, Installed-Size %s KB\n' "$(basename "$deb")" $(($(stat -c %s "$deb") / 1024)) \
    "$(dpkg-deb -f "$deb" Installed-Size)"
done
echo "package stage: all checks passed"
