#!/usr/bin/env bash
# The author commands and the config file, run as a user would:
#   manifest writes the assets list (check then passes and notices a changed file), keygen makes a
#   key pair (secret mode 600, never overwritten), sign writes a signature that a player with the
#   public key accepts, refuses an invalid bundle; all three refuse a picture too large to decode;
#   run refuses a config file with an unknown key
#   or a bad value, naming the file and line.
# usage: author_cli.sh DEMO_BUNDLE PLAYER [EMULATOR...]  (the player command last, for the emulator)
set -euo pipefail
demo=$1
shift
player=("$@")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

cp -r "$demo" bundle
# A bundle without an assets list: manifest adds it, check passes, a second manifest is a no-op.
python3 - bundle/playlist.json <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d.pop("assets", None)
json.dump(d, open(p, "w"), ensure_ascii=False, indent=1)
PY
"${player[@]}" manifest bundle | grep -q "listed 1 file with size and sha256" || fail "manifest did not list the image"
grep -q '"images/hexi-banner.png": {"size":' bundle/playlist.json || fail "no assets entry written"
"${player[@]}" check bundle >/dev/null || fail "check after manifest"
"${player[@]}" manifest bundle | grep -q "up to date" || fail "second manifest changed the file"

# A changed image: check names the entry by line and column; sign refuses.
printf 'x' >> bundle/images/hexi-banner.png
out=$("${player[@]}" check bundle 2>&1) && fail "check passed with a changed asset"
grep -Eq 'bundle/playlist.json:[0-9]+:[0-9]+: error: /assets/images~1hexi-banner.png: asset images/hexi-banner.png has [0-9]+ bytes' <<<"$out" ||
  fail "check message: $out"

"${player[@]}" keygen office >/dev/null
[[ $(stat -c %a office.key) == 600 ]] || fail "secret key mode $(stat -c %a office.key)"
"${player[@]}" keygen office 2>/dev/null && fail "keygen overwrote a key"
out=$("${player[@]}" sign bundle --key office.key 2>&1) && fail "signed a bundle whose asset changed"
grep -q "run signage-player manifest first" <<<"$out" || fail "sign message: $out"
"${player[@]}" manifest bundle >/dev/null
"${player[@]}" sign bundle --key office.key | grep -q "signed bundle/playlist.json" || fail "sign"
[[ $(wc -c < bundle/playlist.json.sig) -eq 89 ]] || fail "signature is not one line of base64"
# Images but no assets list: a player's store would refuse it, so sign refuses and check warns.
mkdir noassets && cp -r bundle/images noassets/ && cp "$demo/playlist.json" noassets/
python3 - noassets/playlist.json <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d.pop("assets", None)
json.dump(d, open(p, "w"), ensure_ascii=False, indent=1)
PY
out=$("${player[@]}" sign noassets --key office.key 2>&1) && fail "signed a bundle without an assets list"
grep -q 'noassets/playlist.json: error: /assets: the playlist names 1 file but has no "assets" list' <<<"$out" || fail "sign message: $out"
[[ ! -e noassets/playlist.json.sig ]] || fail "a signature was written"
out=$("${player[@]}" check noassets 2>&1) || fail "check refused a bundle without an assets list: $out"
grep -q 'warning: /assets: .*run signage-player manifest' <<<"$out" || fail "check message: $out"
# A key rotation: signed with both keys, one "KEYID SIGNATURE" line each.
"${player[@]}" keygen next >/dev/null
"${player[@]}" sign bundle --key office.key --key next.key >/dev/null || fail "sign with two keys"
grep -cE '^[0-9a-f]{16} [A-Za-z0-9+/]{86}==$' bundle/playlist.json.sig | grep -qx 2 \
  || fail "two keyed signature lines: $(cat bundle/playlist.json.sig)"
"${player[@]}" sign bundle --key office.key >/dev/null
# keygen never follows a link planted where it writes: the secret cannot leak through it.
ln -s "$work/leaked" planted.key.tmp
ln -s "$work/leaked2" planted2.key
"${player[@]}" keygen planted >/dev/null || fail "keygen beside a planted link"
"${player[@]}" keygen planted2 >/dev/null 2>&1 && fail "keygen wrote through a link at NAME.key"
[[ ! -e leaked && ! -e leaked2 ]] || fail "keygen wrote the secret key through a symbolic link"
[[ $(stat -c %a planted.key) == 600 ]] || fail "secret key mode $(stat -c %a planted.key)"

# Config files: a bad line stops run before anything opens, with FILE:LINE.
printf 'source = http://127.0.0.1:9/p.json\n# comment\npoll_intervall = 5\n' > bad.conf
out=$("${player[@]}" run --config bad.conf --headless --duration 0 2>&1) && fail "run accepted a bad config"
grep -q 'bad.conf:3: error: unknown key "poll_intervall"' <<<"$out" || fail "config message: $out"
printf 'fullscreen = yes\n' > bad2.conf
out=$("${player[@]}" run --config bad2.conf --headless --duration 0 2>&1) && fail "run accepted fullscreen = yes"
grep -q 'bad2.conf:1: error: fullscreen: expected true or false' <<<"$out" || fail "config message: $out"

# A good config with the state directory and the key; the command line overrides its size.
printf 'state_dir = %s/state\npublic_key = %s\nusb = false\nsize = 320x200\n' "$work" "$(cat office.pub)" > good.conf
"${player[@]}" run --config good.conf --headless --duration 0.5 --size 400x300 2>run.log || { cat run.log; fail "run with a good config"; }
grep -q "waiting screen" run.log || fail "no waiting screen with an empty store: $(cat run.log)"
grep -q "its card then the demo .*hexi-2024 ([0-9]* items), looping" run.log ||
  fail "the demo does not follow the first-boot card: $(cat run.log)"
grep -q "at 400x300" run.log || fail "--size did not override the config: $(cat run.log)"
grep -q '"content": null' state/status.json || fail "status.json: $(cat state/status.json)"
# A picture bomb: 45 bytes of PNG whose header says 20000x20000 (RGBA, 1.6 GB decoded). check,
# manifest and sign refuse it with its size and what to resize it to, and write nothing.
cp -r "$demo" bomb
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x4e\x20\x00\x00\x4e\x20\x08\x06\x00\x00\x00\xe3\x70\x46\x39\x00\x00\x00\x00IEND\xae\x42\x60\x82' \
  > bomb/images/hexi-banner.png
out=$("${player[@]}" check bomb 2>&1) && fail "check passed a picture bomb"
grep -Eq 'bomb/playlist.json:[0-9]+:[0-9]+: error: /items/[0-9]+/image: asset "images/hexi-banner.png" is a PNG of 20000x20000 px .*resize it to at most 2160x2160 px' <<<"$out" ||
  fail "check message for a picture bomb: $out"
cp bomb/playlist.json before.json
out=$("${player[@]}" manifest bomb 2>&1) && fail "manifest accepted a picture bomb"
cmp -s before.json bomb/playlist.json || fail "manifest rewrote a bundle with a picture bomb"
out=$("${player[@]}" sign bomb --key office.key 2>&1) && fail "signed a bundle with a picture bomb"
grep -q "is a PNG of 20000x20000 px" <<<"$out" || fail "sign message for a picture bomb: $out"
[[ ! -e bomb/playlist.json.sig ]] || fail "sign wrote a signature for a picture bomb"

# status.json: readable by the player's group only, and the source URL without its credentials.
"${player[@]}" run --headless --duration 0.3 --no-usb --state-dir "$work/state2" \
  --source 'http://screen7:s3cret@127.0.0.1:9/p.json?token=t0ken' 2>run2.log || fail "run: $(cat run2.log)"
[[ $(stat -c %a state2/status.json) == 640 ]] || fail "status.json mode $(stat -c %a state2/status.json)"
grep -q 's3cret\|t0ken' state2/status.json && fail "status.json shows credentials: $(cat state2/status.json)"
grep -q '"url": "http://\*\*\*@127.0.0.1:9/p.json?\*\*\*"' state2/status.json || fail "status.json url: $(cat state2/status.json)"
echo "author commands and config files: ok"
