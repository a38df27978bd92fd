// The Checker on live data: a ticker's "feed" and a statistic's "source", the URLs sync fetches
// them from (playlists/README.md, "Live data").
#include <algorithm>

#include "content/checker.h"

namespace signage::content::detail {
namespace {

constexpr std::size_t kMaxUrlBytes = 2048;
constexpr double kMinRefreshS = 5, kQuietRefreshS = 60, kMaxRefreshS = 86400;
constexpr std::int64_t kMaxFeedItems = 50, kMaxCsvIndex = 1000000;

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// http:// or https:// with a host and nothing a request line cannot carry.
bool is_web_url(std::string_view url) {
  std::string_view rest;
  if (starts_with(url, "http://"))
    rest = url.substr(7);
  else if (starts_with(url, "https://"))
    rest = url.substr(8);
  else
    return false;
  if (rest.empty() || rest[0] == '/') return false;
  return std::none_of(url.begin(), url.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

}  // namespace

bool Checker::check_url(const JsonValue& object, const std::string& pointer, std::string& out) {
  const JsonValue* url = find(object, "url");
  const std::string url_pointer = child(pointer, "url");
  const std::string what = "a web address starting with http:// or https://";
  if (!url) {
    error(object.offset, url_pointer, "missing required field \"url\" (" + what + ")");
    return false;
  }
  if (url->kind != Kind::string || url->string.size() > kMaxUrlBytes || !is_web_url(url->string)) {
    expected(*url, url_pointer,
             what + ", without spaces, at most " + std::to_string(kMaxUrlBytes) + " bytes");
    return false;
  }
  out = url->string;
  return true;
}

bool Checker::check_refresh(const JsonValue& object, const std::string& pointer, double& out) {
  const JsonValue* refresh = find(object, "refresh_s");
  if (!refresh) return true;
  if (!number(*refresh, child(pointer, "refresh_s"), kMinRefreshS, kMaxRefreshS, false,
              "seconds between fetches", out)) {
    return false;
  }
  if (out < kQuietRefreshS) {
    warning(refresh->offset, child(pointer, "refresh_s"),
            "every screen fetches this every " + format_number(out) +
                " s; with many screens, a minute or more spares the server");
  }
  return true;
}

// "feed": {"url": ..., "max_items": 10, "refresh_s": 300}
void Checker::check_feed(const JsonValue& v, const std::string& pointer, FeedSource& out) {
  if (!require_object(v, pointer, "a feed {\"url\": \"https://...\"} (an RSS or Atom feed)")) {
    return;
  }
  check_url(v, pointer, out.url);
  if (const JsonValue* max_items = find(v, "max_items")) {
    std::int64_t n = 0;
    if (integer(*max_items, child(pointer, "max_items"), 1, kMaxFeedItems,
                "how many of the feed's newest headlines to show", n)) {
      out.max_items = std::size_t(n);
    }
  }
  check_refresh(v, pointer, out.refresh_s);
  unknown_fields(v, pointer, {"url", "max_items", "refresh_s"}, "a feed");
}

// "source": {"url": ..., "json_pointer": "/data/0/value"} or {"url": ..., "csv_column": "name"
// or 3, "csv_row": "last" or 2}, and "refresh_s".
void Checker::check_value_source(const JsonValue& v, const std::string& pointer, ValueSource& out) {
  const std::string what =
      "a source {\"url\": ..., \"json_pointer\": \"/data/0/value\"} or {\"url\": ..., "
      "\"csv_column\": \"name\"}";
  if (!require_object(v, pointer, what)) return;
  check_url(v, pointer, out.url);
  check_refresh(v, pointer, out.refresh_s);
  const JsonValue* json_pointer = find(v, "json_pointer");
  const JsonValue* column = find(v, "csv_column");
  const JsonValue* row = find(v, "csv_row");
  if (json_pointer && (column || row)) {
    const JsonValue& unused = column ? *column : *row;
    warning(unused.key_offset, child(pointer, column ? "csv_column" : "csv_row"),
            "a source with \"json_pointer\" reads JSON: \"csv_column\" and \"csv_row\" are not "
            "used (ignored)");
  }
  if (json_pointer) {
    // RFC 6901: "/" then tokens with "~0" and "~1" escapes (not "", the whole document).
    const std::string& p = json_pointer->string;
    bool ok = json_pointer->kind == Kind::string && !p.empty() && p[0] == '/' && p.size() <= 1024;
    for (std::size_t i = 0; ok && i < p.size(); ++i) {
      if (p[i] == '~') ok = i + 1 < p.size() && (p[i + 1] == '0' || p[i + 1] == '1');
    }
    if (ok) {
      out.json_pointer = p;
    } else {
      expected(*json_pointer, child(pointer, "json_pointer"),
               "the place of one value, a JSON pointer such as \"/data/0/value\" (\"~1\" for a "
               "\"/\" in a name, \"~0\" for \"~\")");
    }
  } else if (column) {
    if (column->kind == Kind::string && !column->string.empty() && column->string.size() <= 256) {
      out.csv_column = column->string;
    } else if (column->kind == Kind::unsigned_integer && column->unsigned_integer >= 1 &&
               column->unsigned_integer <= std::uint64_t(kMaxCsvIndex)) {
      out.csv_column_number = std::size_t(column->unsigned_integer);
    } else {
      expected(*column, child(pointer, "csv_column"),
               "the column's name in the header row, or its number counting from 1");
    }
    if (row) {
      if (row->kind == Kind::string && row->string == "last") {
        out.csv_row = 0;
      } else if (row->kind == Kind::unsigned_integer && row->unsigned_integer >= 1 &&
                 row->unsigned_integer <= std::uint64_t(kMaxCsvIndex)) {
        out.csv_row = std::size_t(row->unsigned_integer);
      } else {
        expected(*row, child(pointer, "csv_row"),
                 "\"last\" or the data row's number counting from 1 (the header row not counted)");
      }
    }
  } else {
    error(v.offset, child(pointer, "json_pointer"),
          "missing where the value is: \"json_pointer\" (a JSON document) or \"csv_column\" (a "
          "CSV table)");
  }
  unknown_fields(v, pointer, {"url", "json_pointer", "csv_column", "csv_row", "refresh_s"},
                 "a source");
}

}  // namespace signage::content::detail
