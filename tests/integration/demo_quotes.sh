#!/usr/bin/env bash
# demo_quotes.sh PLAYLIST.json ARTICLE.txt
#
# Checks that the demo bundle quotes the seed article exactly. ARTICLE is the committed copy
# tests/golden/seed/hexi-2024.txt (one paragraph per line). Paragraph breaks are dropped before
# matching, so a sentence the source split across lines still matches; everything else must match
# byte for byte (the article's ASCII commas, its “” quotes, its own typos).
#
#  - every statistic (standalone or in a group): VALUE+UNIT occurs in the article, and its LABEL
#    occurs in the same clause (text between , ， ; ； 。) or in the clause just before it when that
#    clause gives no other figure, so the label says what the article says the number is
#    ("接待游客" for "690万余人次", not the box-office label of the same sentence); its COMPARISON,
#    when present, occurs in the article;
#  - every text shown on a card (playlist title; headline title/subtitle/body; notice, alert and
#    group titles and bodies; image captions) occurs in the article verbatim;
#  - ticker headlines may be condensed: each is split at "，" or "," and every piece must occur in
#    the article verbatim; in addition every figure in a headline (digits and what is glued to them,
#    like "690万余人次") must occur in the article;
#  - at least 12 statistics and at least 12 ticker headlines.
#
# Needs bash, jq, grep, sed. A missing jq is a failure.
set -uo pipefail

if (($# != 2)); then
  echo "usage: demo_quotes.sh PLAYLIST.json ARTICLE.txt" >&2
  exit 2
fi
playlist=$1 article=$2
if ! command -v jq >/dev/null; then
  echo "demo_quotes: jq not found (Debian package jq; platform/debian/install-deps --test installs it)" >&2
  exit 1
fi
for f in "$playlist" "$article"; do
  [[ -r $f ]] || { echo "demo_quotes: cannot read $f" >&2; exit 2; }
done
jq empty "$playlist" || { echo "demo_quotes: $playlist is not valid JSON" >&2; exit 1; }

export LC_ALL=C.UTF-8
text=$(tr -d '\n' <"$article")
mapfile -t clauses < <(printf '%s' "$text" | sed -E 's/(,|，|;|；|。)/\1\n/g')

failures=0 checked=0
fail() {
  echo "demo_quotes: $*" >&2
  failures=$((failures + 1))
}
in_article() { [[ $text == *"$1"* ]]; }
# label_fits FIGURE LABEL: LABEL is in a clause holding FIGURE, or in the clause before it within
# the same sentence when that clause holds no digits (no other figure it could be about).
label_fits() {
  local i prev
  for i in "${!clauses[@]}"; do
    [[ ${clauses[i]} == *"$1"* ]] || continue
    [[ ${clauses[i]} == *"$2"* ]] && return 0
    if ((i > 0)); then
      prev=${clauses[i - 1]}
      [[ $prev == *"$2"* && $prev != *[0-9]* && $prev != *。 ]] && return 0
    fi
  done
  return 1
}

# --- statistics ---------------------------------------------------------------------------------
# One row per statistic: item id, value, unit, label, comparison (tab-separated).
stats=$(jq -r '
  .items[]
  | if .type == "statistic" then [.id, .value, .unit, .label, (.comparison // "")]
    elif .type == "statistic_group" then (.id as $id | .statistics[] | [$id, .value, .unit, .label, (.comparison // "")])
    else empty end
  | @tsv' "$playlist")
nstats=0
while IFS=$'\t' read -r id value unit label comparison; do
  [[ -n $id ]] || continue
  nstats=$((nstats + 1))
  figure="$value$unit"
  checked=$((checked + 1))
  if ! in_article "$figure"; then
    fail "$id: statistic \"$figure\" (value \"$value\" + unit \"$unit\") is not in the article"
    continue
  fi
  if [[ -z $label ]]; then
    fail "$id: statistic \"$figure\" has no label"
  elif ! label_fits "$figure" "$label"; then
    if in_article "$label"; then
      fail "$id: label \"$label\" is in the article but not next to \"$figure\""
    else
      fail "$id: label \"$label\" is not in the article"
    fi
  fi
  if [[ -n $comparison ]] && ! in_article "$comparison"; then
    fail "$id: comparison \"$comparison\" is not in the article"
  fi
done <<<"$stats"
if ((nstats < 12)); then
  fail "only $nstats statistics; the demo needs at least 12"
fi

# --- text on cards -------------------------------------------------------------------------------
texts=$(jq -r '
  (.title // empty | ["playlist title", .]),
  (.items[] | . as $item
   | ("title", "subtitle", "body", "caption")
   | . as $field | ($item[$field] // empty) | [($item.id + " " + $field), .])
  | @tsv' "$playlist")
while IFS=$'\t' read -r where quote; do
  [[ -n $where ]] || continue
  checked=$((checked + 1))
  in_article "$quote" || fail "$where: \"$quote\" is not in the article"
done <<<"$texts"

# --- ticker --------------------------------------------------------------------------------------
nticker=0
while IFS= read -r headline; do
  [[ -n $headline ]] || continue
  nticker=$((nticker + 1))
  # Condensed headlines: the pieces between commas must each be a verbatim quote.
  pieces=$(printf '%s' "$headline" | sed 's/，/\n/g; s/,/\n/g')
  while IFS= read -r piece; do
    [[ -n $piece ]] || continue
    checked=$((checked + 1))
    in_article "$piece" || fail "ticker: \"$piece\" (from \"$headline\") is not in the article"
  done <<<"$pieces"
  # Figures: a digit run with what is glued to it (. % 万 亿 余 and the following unit character).
  figures=$(printf '%s' "$headline" | grep -o -E '[0-9][0-9.%]*(万|亿)?余?[^0-9[:space:]“”，,]?' || true)
  while IFS= read -r figure; do
    [[ -n $figure ]] || continue
    checked=$((checked + 1))
    in_article "$figure" || fail "ticker: figure \"$figure\" (from \"$headline\") is not in the article"
  done <<<"$figures"
done < <(jq -r '.ticker.items[]? // empty' "$playlist")
if ((nticker < 12)); then
  fail "only $nticker ticker headlines; the demo needs at least 12"
fi

if ((failures > 0)); then
  echo "demo_quotes: $failures of $checked quotes do not match $article" >&2
  exit 1
fi
echo "demo_quotes: $checked quotes checked ($nstats statistics, $nticker ticker headlines): all verbatim in $article"
