// Live data: a ticker's headlines from an RSS or Atom feed, a statistic's value from a JSON or
// CSV document (playlists/README.md, "Live data"). The parsers here take untrusted bytes and
// never throw; the sync thread that fetches (conditional GET, backoff, a size limit) and keeps
// the last good data in STATE/live.json is in sync.cpp; fill_live() puts that data into a copy
// of the playlist, which is handed to the player like any new playlist.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/content.h"

namespace signage::sync {

constexpr std::size_t kMaxFeedItems = 50;         // the most a feed may give (content checks it)
constexpr std::size_t kMaxTitleCharacters = 200;  // user-perceived characters, then "……"
constexpr std::uint64_t kMaxLiveBytes = 2 << 20;  // a feed or document larger is refused

// The titles of an RSS 2.0 feed's items (channel/item/title) or an Atom feed's entries
// (feed/entry/title), in document order, at most `max_items`, each as plain_title() makes it
// (items without a title left out). nullopt and *error (one line) when it is not well-formed XML,
// declares entities, or is neither RSS nor Atom. No network, no DTD, no entity expansion.
std::optional<std::vector<std::string>> parse_feed(std::string_view xml, std::size_t max_items,
                                                   std::string* error);

// Text as it may show on the ticker: HTML parsed (libxml2's HTML parser) and only its text kept
// (script and style dropped), entities decoded, control characters dropped, whitespace
// collapsed, at most `max_characters` grapheme clusters and then "……".
std::string plain_title(std::string_view html, std::size_t max_characters = kMaxTitleCharacters);

// The value at `pointer` in a JSON document, as a statistic shows it: a JSON number as written
// by the serializer, or a string that is_statistic_number. nullopt and *error otherwise.
std::optional<std::string> json_value(std::string_view json, const std::string& pointer,
                                      std::string* error);

// The value of a CSV table (header row first) at the source's column and row, as a number.
std::optional<std::string> csv_value(std::string_view csv, const content::ValueSource& source,
                                     std::string* error);

// "1234", "-1.5", "12,345.6", "+3": a number a statistic card can count up to (spaces around
// it allowed and dropped by the callers).
bool is_statistic_number(std::string_view text);

// The last good data of one live source (STATE/live.json keeps them by key()).
struct LiveEntry {
  std::string url;
  std::vector<std::string> items;  // a feed's titles
  std::string value;               // a statistic's value
  std::int64_t ok_s = 0;           // Unix time the data was fetched (0: never)
  std::int64_t tried_s = 0;        // Unix time of the last fetch, good or not
  std::string error;               // of the last fetch; empty when it succeeded
  std::string etag, last_modified;
  int failures = 0;  // in a row
};
using LiveData = std::map<std::string, LiveEntry>;

// Which entry a source's data is kept under.
std::string live_key(const content::FeedSource& feed);
std::string live_key(const content::ValueSource& source);

// A copy of `playlist` with the live data in: each feed's titles after the ticker's written
// headlines (at most its max_items), each sourced statistic's value and its as_of ("截至 14:05"
// or "as of 14:05" by the playlist's lang, in its time zone; with the date when not today at
// `now_s`). `playlist` itself when it has no live data to fill in.
std::shared_ptr<const content::Playlist> fill_live(
    const std::shared_ptr<const content::Playlist>& playlist, const LiveData& data,
    std::int64_t now_s);

// STATE/live.json as text and back (a missing or damaged file reads as no data).
std::string live_json(const LiveData& data);
LiveData read_live_json(std::string_view text);

}  // namespace signage::sync
