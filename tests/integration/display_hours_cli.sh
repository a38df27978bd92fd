#!/bin/bash
# signage-player run with display hours, as an installer sets it up: a fake clock (--clock) just
# before closing time, fake display commands (a script writing what it was asked, with a
# timestamp), a state directory for status.json. Off at 21:00:00 once, on again for an alert at
# 21:00:01, off when it ends; the log says when and why; status.json says "off" at the end.
# Usage: display_hours_cli.sh JQ PLAYER...  (the player command last: a cross build puts its
# emulator in front of it)
set -euo pipefail
jq=$1
shift
player=("$@")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bundle" "$dir/state"
cat > "$dir/bundle/playlist.json" <<'JSON'
{"version": 1, "id": "hours", "title": "社区中心", "timezone": "Asia/Shanghai",
 "display_hours": [{"days": ["mon", "tue", "wed", "thu", "fri"],
                    "times": [{"from": "07:30", "until": "21:00"}]}],
 "items": [{"type": "headline", "title": "中共河西区委经济工作会议召开"},
           {"type": "alert", "id": "storm", "title": "暴雨预警", "body": "请注意安全",
            "schedule": {"valid_from": "2025-01-20T21:00:01+08:00",
                         "valid_until": "2025-01-20T21:00:02+08:00"}}]}
JSON
cat > "$dir/screen.sh" <<'SH'
#!/bin/sh
echo "$1 $(date +%s.%N)" >> "$(dirname "$0")/commands.txt"
echo "screen $1"
SH
chmod +x "$dir/screen.sh"

fail() { echo "FAIL: $*"; echo "--- log"; cat "$dir/log"; exit 1; }

"${player[@]}" run --headless --size 640x360 --clock 2025-01-20T20:59:57+08:00 --duration 6 \
  --state-dir "$dir/state" --no-usb --stats-json "$dir/stats.json" \
  --display-off-command "$dir/screen.sh off" --display-on-command "$dir/screen.sh on" \
  "$dir/bundle" 2> "$dir/log" || fail "exit status $?"

# The commands, in order: on at start (inside the hours), off at closing, on for the alert, off.
order=$(cut -d' ' -f1 "$dir/commands.txt" | tr '\n' ' ')
[ "$order" = "on off on off " ] || fail "commands ran: '$order'"
grep -q '^signage-player: display off at 2025-01-20T21:00:00+08:00: outside the display hours (mon-fri 07:30-21:00, the playlist, Asia/Shanghai)$' "$dir/log" || fail "no line for closing time"
grep -q '^signage-player: display on at 2025-01-20T21:00:01+08:00: an alert is on outside the display hours' "$dir/log" || fail "no line for the alert"
grep -q '^signage-player: display off at 2025-01-20T21:00:02+08:00' "$dir/log" || fail "no line for the alert's end"
grep -q '^signage-player: display_off_command: screen off$' "$dir/log" || fail "the command's output is not in the log"
[ "$("$jq" .display_offs "$dir/stats.json")" = 2 ] || fail "display_offs: $(cat "$dir/stats.json")"
[ "$("$jq" -r .display "$dir/state/status.json")" = off ] || fail "status.json: $(cat "$dir/state/status.json")"

# A bad display_hours in player.conf stops the player with FILE:LINE.
printf 'state_dir = %s\nusb = false\ndisplay_hours = mon-fri 7:30-21:00\n' "$dir/state" > "$dir/player.conf"
if "${player[@]}" run --headless --duration 1 --config "$dir/player.conf" 2> "$dir/log"; then
  fail "a bad display_hours was accepted"
fi
grep -q "^signage-player run: $dir/player.conf:3: error: display_hours needs days and times: entry 1 \"mon-fri 7:30-21:00\": \"7:30-21:00\" is not a time window" "$dir/log" || fail "no FILE:LINE error"
echo "display hours: ok"
