#!/usr/bin/env bash
# Whole-process comparison with hyperfine: `signage-player layout` against Pango 1.50's pango-view
# laying out the same article with the same face (Noto Sans CJK SC), 40 px, 1000 px wide.
#
#   tests/bench/layout_vs_pango.sh [--player PATH] [--article FILE] [--runs N] [--warmup N]
#
# Defaults: --player build-bench/player/signage-player (a Release build, see README.md),
# --article ../shared/seed/000_f708a731485ab8b5.txt, --runs 20, --warmup 3.
#
# The article is used as text_bench uses it: its non-blank lines joined with "\n" (written to a
# temporary file), so each paragraph is a forced break for both programs. Four commands run:
#   ours              signage-player layout --text-file A --width 1000 --font-size 40
#                     (the JSON goes to /dev/null: hyperfine discards stdout)
#   ours --png        the same, and also draws the lines and writes a PNG
#   pango-view -q     lays out and draws into an in-memory cairo image, writes nothing
#   pango-view -q -o  the same, and writes the PNG
# pango-view options: --pixels makes sizes pixels (72 dpi), so --font="Noto Sans CJK SC 40" is a
# 40 px em and --width=1000 is 1000 px; --wrap=word-char (pango-view's default, stated here) breaks
# between Han characters as UAX #14 allows; --language=zh-cn matches our zh-Hans. pango-view
# always draws (it cannot lay out without rendering), and it lays the text out twice: once to
# measure the surface, once to draw. So "ours" vs "pango-view -q" is the issue's comparison
# (layout command against Pango's whole process), and "ours --png" vs "pango-view -q -o" is the
# like-for-like one (both lay out, draw and encode a PNG).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
player="$root/build-bench/player/signage-player"
article="$root/../shared/seed/000_f708a731485ab8b5.txt"
runs=20
warmup=3

while [[ $# -gt 0 ]]; do
  case "$1" in
    --player) player=$2; shift 2 ;;
    --article) article=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "layout_vs_pango.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

for tool in hyperfine pango-view python3; do
  command -v "$tool" >/dev/null || { echo "layout_vs_pango.sh: $tool is not installed" >&2; exit 1; }
done
[[ -x "$player" ]] || { echo "layout_vs_pango.sh: no signage-player at $player (--player)" >&2; exit 1; }
[[ -r "$article" ]] || { echo "layout_vs_pango.sh: cannot read $article (--article)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
text="$work/article.txt"
grep -v '^[[:space:]]*$' "$article" >"$text"

pango=(pango-view -q --pixels --font="Noto Sans CJK SC 40" --width=1000 --wrap=word-char
  --language=zh-cn)
ours=("$player" layout --text-file "$text" --width 1000 --font-size 40)

# Both must succeed before any timing. (pango-view --serialize-to would give its line count, but
# serializing this article takes it about 35 s; it makes 310 lines, as ours does, checked by hand.)
"${ours[@]}" >"$work/ours.json"
"${pango[@]}" -o "$work/pango.png" "$text"
python3 -c 'import json, sys; o = json.load(open(sys.argv[1]))
print("signage-player:", len(o["lines"]), "lines,", o["missing_glyphs"], "missing glyphs")' \
  "$work/ours.json"
pango-view --version | head -n 1

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

q() { printf '%q ' "$@"; }
hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$work/times.json" \
  --command-name "ours" "$(q "${ours[@]}")" \
  --command-name "ours --png" "$(q "${ours[@]}" --png "$work/ours.png")" \
  --command-name "pango-view -q" "$(q "${pango[@]}" "$text")" \
  --command-name "pango-view -q -o" "$(q "${pango[@]}" -o "$work/pango.png" "$text")"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/times.json" <<'EOF'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
def median_ms(name):
    return results[name]["median"] * 1000
print()
print(f"{'command':<18} {'median':>10} {'user, mean':>11} {'sys, mean':>10}")
for name, r in results.items():
    print(f"{name:<18} {median_ms(name):>7.1f} ms {r['user']*1000:>8.1f} ms {r['system']*1000:>7.1f} ms")
print()
for ours, pango in (("ours", "pango-view -q"), ("ours --png", "pango-view -q -o")):
    ratio = median_ms(ours) / median_ms(pango)
    verdict = "meets" if ratio <= 0.5 else "misses"
    speed = f"{1 / ratio:.1f}x faster" if ratio < 1 else f"{ratio:.2f}x slower"
    print(f"{ours} / {pango}: {ratio:.3f} of Pango's median time "
          f"({speed}; the goal, at most 0.5, {verdict})")
EOF
