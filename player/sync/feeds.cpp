// Live data parsers (libxml2 for feeds and the HTML in their titles, nlohmann-json for JSON,
// libcsv for CSV, ICU for grapheme boundaries) and the playlist filled with their results.
#include "sync/feeds.h"

#include <csv.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <regex>

namespace signage::sync {
namespace {

using Json = nlohmann::json;

struct ParserCtxtFree {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};
struct HtmlCtxtFree {
  void operator()(htmlParserCtxt* ctxt) const { htmlFreeParserCtxt(ctxt); }
};
struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using ParserCtxt = std::unique_ptr<xmlParserCtxt, ParserCtxtFree>;
using HtmlCtxt = std::unique_ptr<htmlParserCtxt, HtmlCtxtFree>;
using Doc = std::unique_ptr<xmlDoc, DocFree>;

bool named(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE && node->name &&
         xmlStrcasecmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

bool inline_element(const xmlNode* node) {
  static const char* const kInline[] = {"a",    "abbr",   "b",   "big",  "cite", "code", "em",
                                        "font", "i",      "kbd", "mark", "q",    "s",    "small",
                                        "span", "strong", "sub", "sup",  "time", "u"};
  return std::any_of(std::begin(kInline), std::end(kInline),
                     [&](const char* name) { return named(node, name); });
}

// The text under `node`: text and CDATA, without scripts and styles (their text is code, not
// words); a space around block elements so "<p>a</p><p>b</p>" does not read "ab".
void append_text(const xmlNode* node, std::string& out, int depth = 0) {
  if (depth > 256) return;  // libxml2 limits depth too; this keeps the walk's stack small
  for (const xmlNode* n = node; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content) out += reinterpret_cast<const char*>(n->content);
    } else if (n->type == XML_ELEMENT_NODE) {
      if (named(n, "script") || named(n, "style") || named(n, "template")) continue;
      const bool block = !inline_element(n);
      if (block) out += ' ';
      append_text(n->children, out, depth + 1);
      if (block) out += ' ';
    }
  }
}

// Whitespace runs as one space, control characters dropped, invalid UTF-8 as U+FFFD, at most
// `max_characters` grapheme clusters then "……".
std::string tidy(const std::string& text, std::size_t max_characters) {
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(text), out;
  bool space = true;  // drops leading whitespace
  for (int32_t i = 0; i < in.length();) {
    const UChar32 c = in.char32At(i);
    i += U16_LENGTH(c);
    if (u_isUWhiteSpace(c) || c == 0x00a0) {
      if (!space) out.append(UChar(' '));
      space = true;
    } else if (u_charType(c) == U_CONTROL_CHAR || c == 0x2028 || c == 0x2029) {
      continue;
    } else {
      out.append(c);
      space = false;
    }
  }
  if (space && out.length() > 0) out.truncate(out.length() - 1);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> graphemes(
      icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
  if (U_SUCCESS(status) && graphemes) {
    graphemes->setText(out);
    std::size_t count = 0;
    for (int32_t at = graphemes->next(); at != icu::BreakIterator::DONE; at = graphemes->next()) {
      if (++count == max_characters && at < out.length()) {
        out.truncate(at);
        while (out.length() > 0 && out.charAt(out.length() - 1) == ' ') {
          out.truncate(out.length() - 1);
        }
        out.append(icu::UnicodeString::fromUTF8("……"));
        break;
      }
    }
  }
  std::string result;
  out.toUTF8String(result);
  return result;
}

const xmlNode* first_child(const xmlNode* node, const char* name) {
  for (const xmlNode* n = node ? node->children : nullptr; n; n = n->next) {
    if (named(n, name)) return n;
  }
  return nullptr;
}

std::string trimmed(std::string_view text) {
  const char* space = " \t\r\n";
  std::size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  std::size_t end = text.find_last_not_of(space);
  return std::string(text.substr(begin, end - begin + 1));
}

std::optional<std::string> number_or_error(const std::string& text, const std::string& where,
                                           std::string* error) {
  std::string value = trimmed(text);
  if (is_statistic_number(value)) return value;
  if (error) {
    std::string shown = value.size() > 40 ? value.substr(0, 40) + "…" : value;
    *error = where + " is \"" + shown + "\", not a number";
  }
  return std::nullopt;
}

}  // namespace

bool is_statistic_number(std::string_view text) {
  static const std::regex number(R"([+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?)");
  return text.size() <= 64 && std::regex_match(text.begin(), text.end(), number);
}

std::string plain_title(std::string_view html, std::size_t max_characters) {
  if (html.empty()) return {};
  if (html.size() > kMaxLiveBytes) html = html.substr(0, kMaxLiveBytes);
  HtmlCtxt ctxt(htmlNewParserCtxt());
  if (!ctxt) return {};
  // Wrapped in a body so that text before any tag is body text, never a <head> title.
  // Control characters out first: the HTML parser drops the word around one.
  std::string body;
  body.reserve(html.size());
  for (char c : html) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 0x20 && u != 0x7f) || c == '\t' || c == '\n' || c == '\r') body += c;
  }
  const std::string wrapped = "<html><body>" + body + "</body></html>";
  Doc doc(htmlCtxtReadMemory(ctxt.get(), wrapped.data(), int(wrapped.size()), nullptr, "UTF-8",
                             HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING));
  std::string text;
  if (doc) append_text(xmlDocGetRootElement(doc.get()), text);
  return tidy(text, max_characters);
}

std::optional<std::vector<std::string>> parse_feed(std::string_view xml, std::size_t max_items,
                                                   std::string* error) {
  auto fail = [&](std::string why) -> std::optional<std::vector<std::string>> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (xml.size() > kMaxLiveBytes) return fail("larger than " + std::to_string(kMaxLiveBytes));
  ParserCtxt ctxt(xmlNewParserCtxt());
  if (!ctxt) return fail("out of memory");
  // No network, no DTD loaded, entities not substituted, the default (not huge) limits.
  Doc doc(xmlCtxtReadMemory(ctxt.get(), xml.data(), int(xml.size()), nullptr, nullptr,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) {
    const xmlError* e = xmlCtxtGetLastError(ctxt.get());
    std::string message = e && e->message ? trimmed(e->message) : "not well-formed";
    return fail("not a well-formed feed (XML error at line " + std::to_string(e ? e->line : 0) +
                ": " + message + ")");
  }
  // A feed has no use for entities of its own; they are how "billion laughs" bombs are made.
  if (doc->intSubset && (doc->intSubset->entities || doc->intSubset->pentities)) {
    return fail("the feed declares entities (<!ENTITY ...>); refused");
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  std::vector<const xmlNode*> entries;
  const char* entry_name = nullptr;
  const xmlNode* parent = nullptr;
  if (root && named(root, "rss")) {
    parent = first_child(root, "channel"), entry_name = "item";
  } else if (root && named(root, "feed")) {
    parent = root, entry_name = "entry";
  } else if (root && named(root, "RDF")) {  // RSS 1.0: items beside the channel
    parent = root, entry_name = "item";
  } else {
    return fail("not an RSS or Atom feed (the document's root is <" +
                std::string(root && root->name ? reinterpret_cast<const char*>(root->name) : "") +
                ">, expected <rss> or <feed>)");
  }
  std::vector<std::string> titles;
  for (const xmlNode* n = parent ? parent->children : nullptr; n && titles.size() < max_items;
       n = n->next) {
    if (!named(n, entry_name)) continue;
    const xmlNode* title = first_child(n, "title");
    if (!title) continue;
    std::string raw;
    append_text(title->children, raw);
    std::string text = plain_title(raw);
    if (!text.empty()) titles.push_back(std::move(text));
  }
  return titles;
}

std::optional<std::string> json_value(std::string_view json, const std::string& pointer,
                                      std::string* error) {
  Json doc = Json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded()) {
    if (error) *error = "not a JSON document";
    return std::nullopt;
  }
  const Json* value = nullptr;
  try {
    Json::json_pointer at(pointer);
    if (doc.contains(at)) value = &doc.at(at);
  } catch (const Json::exception&) {
    value = nullptr;
  }
  if (!value) {
    if (error) *error = "the JSON has no value at " + pointer;
    return std::nullopt;
  }
  if (value->is_number()) {
    return number_or_error(value->dump(), "the number at " + pointer, error);
  }
  if (value->is_string()) {
    return number_or_error(value->get<std::string>(), "the value at " + pointer, error);
  }
  if (error) *error = "the value at " + pointer + " is " + value->type_name() + ", not a number";
  return std::nullopt;
}

namespace {

// What libcsv's callbacks collect: the header, and the wanted data row only.
struct CsvCollector {
  std::size_t wanted = 0;  // data row from 1; 0: the last
  std::vector<std::string> row, header, chosen;
  std::size_t rows = 0;  // data rows seen
  bool found = false;
};

void on_field(void* data, std::size_t size, void* user) {
  auto& c = *static_cast<CsvCollector*>(user);
  if (c.row.size() < 10000) c.row.emplace_back(static_cast<const char*>(data), size);
}

void on_row_end(int, void* user) {
  auto& c = *static_cast<CsvCollector*>(user);
  if (c.header.empty() && c.rows == 0 && !c.found) {
    c.header = std::move(c.row);
    if (c.header.empty()) c.header.emplace_back();
  } else {
    ++c.rows;
    if (c.wanted == 0 || c.rows == c.wanted) {
      c.chosen = std::move(c.row);
      c.found = true;
    }
  }
  c.row.clear();
}

struct CsvParser {
  csv_parser parser{};
  bool ok = false;
  CsvParser() { ok = csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) == 0; }
  ~CsvParser() {
    if (ok) csv_free(&parser);
  }
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;
};

}  // namespace

std::optional<std::string> csv_value(std::string_view csv, const content::ValueSource& source,
                                     std::string* error) {
  auto fail = [&](std::string why) -> std::optional<std::string> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (csv.substr(0, 3) == "\xEF\xBB\xBF") csv.remove_prefix(3);  // a spreadsheet's BOM
  CsvParser parser;
  if (!parser.ok) return fail("out of memory");
  CsvCollector c;
  c.wanted = source.csv_row;
  if (csv_parse(&parser.parser, csv.data(), csv.size(), on_field, on_row_end, &c) != csv.size() ||
      csv_fini(&parser.parser, on_field, on_row_end, &c) != 0) {
    return fail(std::string("not a CSV table (") + csv_strerror(csv_error(&parser.parser)) + ")");
  }
  std::size_t column = source.csv_column_number;
  std::string column_name = column ? "column " + std::to_string(column) : "";
  if (!column) {
    for (std::size_t i = 0; i < c.header.size() && !column; ++i) {
      if (trimmed(c.header[i]) == source.csv_column) column = i + 1;
    }
    if (!column) return fail("the CSV's header row has no column \"" + source.csv_column + "\"");
    column_name = "column \"" + source.csv_column + "\"";
  }
  const std::string row_name =
      source.csv_row ? "row " + std::to_string(source.csv_row) : "the last row";
  if (!c.found) {
    return fail("the CSV has " + std::to_string(c.rows) + " data rows, no " + row_name);
  }
  if (column > c.chosen.size()) {
    return fail("the CSV's " + row_name + " has " + std::to_string(c.chosen.size()) +
                " cells, no " + column_name);
  }
  return number_or_error(c.chosen[column - 1], "the CSV's " + column_name + " in " + row_name,
                         error);
}

std::string live_key(const content::FeedSource& feed) {
  return "feed " + feed.url;
}

std::string live_key(const content::ValueSource& source) {
  if (!source.json_pointer.empty()) return "json " + source.url + " " + source.json_pointer;
  const std::string column = source.csv_column_number
                                 ? "#" + std::to_string(source.csv_column_number)
                                 : "\"" + source.csv_column + "\"";
  return "csv " + source.url + " " + column + " " +
         (source.csv_row ? std::to_string(source.csv_row) : "last");
}

namespace {

// "截至 14:05" / "as of 14:05", with the date when the value is not from `now_s`'s day.
std::string as_of_text(std::int64_t ok_s, std::int64_t now_s, const content::Playlist& p) {
  const std::string when = content::format_instant(ok_s, p.timezone);  // 2025-03-03T09:30:00+08:00
  const std::string today = content::format_instant(now_s, p.timezone);
  const bool zh = p.lang.rfind("zh", 0) == 0 || p.lang.empty();
  std::string text = zh ? "截至 " : "as of ";
  if (when.substr(0, 10) != today.substr(0, 10)) {
    const int month = std::atoi(when.substr(5, 2).c_str()),
              day = std::atoi(when.substr(8, 2).c_str());
    text +=
        zh ? std::to_string(month) + "月" + std::to_string(day) + "日 " : when.substr(0, 10) + " ";
  }
  return text + when.substr(11, 5);
}

bool fill_statistic(content::StatisticValue& s, const LiveData& data, std::int64_t now_s,
                    const content::Playlist& p) {
  if (!s.source) return false;
  auto it = data.find(live_key(*s.source));
  if (it == data.end() || it->second.ok_s == 0 || it->second.value.empty()) return false;
  s.value = it->second.value;
  s.as_of = as_of_text(it->second.ok_s, now_s, p);
  return true;
}

}  // namespace

std::shared_ptr<const content::Playlist> fill_live(
    const std::shared_ptr<const content::Playlist>& playlist, const LiveData& data,
    std::int64_t now_s) {
  if (!playlist) return playlist;
  auto filled = std::make_shared<content::Playlist>(*playlist);
  bool changed = false;
  if (filled->ticker && filled->ticker->feed) {
    auto it = data.find(live_key(*filled->ticker->feed));
    if (it != data.end()) {
      const std::size_t n = std::min(it->second.items.size(), filled->ticker->feed->max_items);
      filled->ticker->items.insert(filled->ticker->items.end(), it->second.items.begin(),
                                   it->second.items.begin() + std::ptrdiff_t(n));
      changed = changed || n > 0;
    }
  }
  for (content::Item& item : filled->items) {
    for (content::StatisticValue& s : item.statistics) {
      changed = fill_statistic(s, data, now_s, *filled) || changed;
    }
  }
  if (!changed) return playlist;
  return filled;
}

std::string live_json(const LiveData& data) {
  Json out = Json::object();
  for (const auto& [key, e] : data) {
    out[key] = {{"url", e.url},          {"items", e.items},
                {"value", e.value},      {"ok_s", e.ok_s},
                {"tried_s", e.tried_s},  {"error", e.error},
                {"etag", e.etag},        {"last_modified", e.last_modified},
                {"failures", e.failures}};
  }
  return out.dump(2) + "\n";
}

LiveData read_live_json(std::string_view text) {
  LiveData data;
  Json in = Json::parse(text.begin(), text.end(), nullptr, false);
  if (!in.is_object()) return data;
  for (const auto& [key, e] : in.items()) {
    if (!e.is_object()) continue;
    try {
      LiveEntry entry;
      entry.url = e.value("url", "");
      for (const auto& item : e.value("items", Json::array())) {
        if (item.is_string() && entry.items.size() < kMaxFeedItems) {
          entry.items.push_back(tidy(item.get<std::string>(), kMaxTitleCharacters));
        }
      }
      entry.value = e.value("value", "");
      if (!entry.value.empty() && !is_statistic_number(entry.value)) entry.value.clear();
      entry.ok_s = e.value("ok_s", std::int64_t(0));
      entry.tried_s = e.value("tried_s", std::int64_t(0));
      entry.error = e.value("error", "");
      entry.etag = e.value("etag", "");
      entry.last_modified = e.value("last_modified", "");
      entry.failures = e.value("failures", 0);
      data[key] = std::move(entry);
    } catch (const Json::exception&) {
      continue;  // a damaged entry is data lost, not a reason to stop
    }
  }
  return data;
}

}  // namespace signage::sync
