// Live data (sync/feeds.h): the checker on a ticker's "feed" and a statistic's "source", the
// RSS/Atom, JSON and CSV parsers on good and hostile input, and the playlist filled with results.
#include "sync/feeds.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>

#include <string>

#include "content/content.h"

namespace signage::sync {
namespace {

using content::ParseResult;

std::string all_messages(const ParseResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += content::format_diagnostic(d) + "\n";
  return out;
}

ParseResult check(const std::string& ticker_extra, const std::string& statistic_extra) {
  const std::string json = R"({"version": 1,
  "items": [{"type": "statistic", "value": "1", "label": "访客")" +
                           statistic_extra + R"(}],
  "ticker": {"items": ["a"])" +
                           ticker_extra + "}}";
  return content::parse_playlist(json, "p.json", ".");
}

TEST(LiveCheck, AFeedAndJsonAndCsvSourcesAreRead) {
  auto r =
      check(R"(, "feed": {"url": "https://example.org/rss.xml", "max_items": 5, "refresh_s": 600})",
            R"(, "source": {"url": "http://example.org/v.json", "json_pointer": "/data/0/value"})");
  ASSERT_TRUE(r.playlist) << all_messages(r);
  ASSERT_TRUE(r.playlist->ticker->feed);
  EXPECT_EQ(r.playlist->ticker->feed->url, "https://example.org/rss.xml");
  EXPECT_EQ(r.playlist->ticker->feed->max_items, 5u);
  EXPECT_EQ(r.playlist->ticker->feed->refresh_s, 600);
  const auto& source = r.playlist->items[0].statistics[0].source;
  ASSERT_TRUE(source);
  EXPECT_EQ(source->json_pointer, "/data/0/value");

  auto csv = check("", R"(, "source": {"url": "http://x/t.csv", "csv_column": 2, "csv_row": 3})");
  ASSERT_TRUE(csv.playlist) << all_messages(csv);
  EXPECT_EQ(csv.playlist->items[0].statistics[0].source->csv_column_number, 2u);
  EXPECT_EQ(csv.playlist->items[0].statistics[0].source->csv_row, 3u);
}

TEST(LiveCheck, BadSourcesSayWhatAndWhere) {
  struct Case {
    std::string ticker, statistic, expected;
  };
  const Case cases[] = {
      {R"(, "feed": {"url": "ftp://example.org/rss.xml"})", "",
       "p.json:3:46: error: /ticker/feed/url: expected a web address starting with http:// or "
       "https://"},
      {R"(, "feed": {"max_items": 0, "url": "http://x/f"})", "",
       "/ticker/feed/max_items: expected how many of the feed's newest headlines"},
      {"", R"(, "source": {"url": "http://x/v.json", "json_pointer": "data"})",
       "/items/0/source/json_pointer: expected the place of one value"},
      {"", R"(, "source": {"url": "http://x/v.json"})",
       "/items/0/source/json_pointer: missing where the value is"},
      {"", R"(, "source": {"url": "http://x/t.csv", "csv_column": "a", "csv_row": "first"})",
       "/items/0/source/csv_row: expected \"last\" or the data row's number"},
      {"", R"(, "source": {"url": "http://x/t", "csv_column": 0})",
       "/items/0/source/csv_column: expected the column's name"},
      {"", R"(, "source": {"url": "http://x/t", "json_pointer": "/a", "refresh_s": 1})",
       "/items/0/source/refresh_s: expected seconds between fetches at least 5"},
  };
  for (const Case& c : cases) {
    auto r = check(c.ticker, c.statistic);
    EXPECT_FALSE(r.playlist) << c.expected;
    EXPECT_NE(all_messages(r).find(c.expected), std::string::npos)
        << "expected: " << c.expected << "\ngot: " << all_messages(r);
  }
}

TEST(LiveCheck, CsvFieldsBesideAJsonPointerAreAWarning) {
  auto r =
      check("", R"(, "source": {"url": "http://x/t", "json_pointer": "/a", "csv_column": "b"})");
  ASSERT_TRUE(r.playlist) << all_messages(r);
  EXPECT_EQ(r.playlist->items[0].statistics[0].source->json_pointer, "/a");
  EXPECT_NE(all_messages(r).find("warning: /items/0/source/csv_column: a source with "
                                 "\"json_pointer\" reads JSON"),
            std::string::npos)
      << all_messages(r);
}

TEST(LiveCheck, AShortRefreshIsAWarning) {
  auto r = check(R"(, "feed": {"url": "http://x/f", "refresh_s": 10})", "");
  ASSERT_TRUE(r.playlist);
  EXPECT_NE(all_messages(r).find("warning: /ticker/feed/refresh_s: every screen fetches"),
            std::string::npos)
      << all_messages(r);
}

TEST(Feed, Rss2ItemTitlesInOrder) {
  std::string error;
  auto items = parse_feed(R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>站点</title>
<item><title>第一条 &amp; 新闻</title></item>
<item><description>no title</description></item>
<item><title><![CDATA[第二条 <b>加粗</b>]]></title></item>
<item><title>第三条</title></item>
</channel></rss>)",
                          2, &error);
  ASSERT_TRUE(items) << error;
  EXPECT_EQ(*items, (std::vector<std::string>{"第一条 & 新闻", "第二条 加粗"}));
}

TEST(Feed, AtomEntryTitlesTextHtmlAndXhtml) {
  std::string error;
  auto items = parse_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>Plain</title></entry>
<entry><title type="html">&lt;p&gt;Hello&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;world&lt;/p&gt;</title></entry>
<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <em>b</em><style>p{}</style></div></title></entry>
</feed>)",
                          10, &error);
  ASSERT_TRUE(items) << error;
  EXPECT_EQ(*items, (std::vector<std::string>{"Plain", "Hello world", "A b"}));
}

TEST(Feed, BrokenAndHostileXmlIsRefused) {
  std::string error;
  EXPECT_FALSE(parse_feed("<rss><channel><item><title>x</title></channel>", 10, &error));
  EXPECT_NE(error.find("not a well-formed feed"), std::string::npos) << error;
  const std::string laughs = R"(<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;"><!ENTITY j "&i;&i;&i;&i;&i;&i;&i;&i;&i;&i;">]>
<rss><channel><item><title>&j;</title></item></channel></rss>)";
  error.clear();
  EXPECT_FALSE(parse_feed(laughs, 10, &error));
  EXPECT_FALSE(error.empty());
  // An external entity (a local file) is never read.
  const std::string external = R"(<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&x;</title></item></channel></rss>)";
  error.clear();
  EXPECT_FALSE(parse_feed(external, 10, &error));
  EXPECT_NE(error.find("entities"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(parse_feed("<html><body>not a feed</body></html>", 10, &error));
  EXPECT_NE(error.find("not an RSS or Atom feed"), std::string::npos) << error;
  // Deep nesting is an error, not a stack overflow.
  std::string deep = "<rss>";
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  EXPECT_FALSE(parse_feed(deep, 10, &error));
}

TEST(Title, HtmlScriptsEntitiesAndWhitespace) {
  EXPECT_EQ(plain_title("<b>Bold</b>  and\n\t<i>it</i>&nbsp;&eacute;"), "Bold and it é");
  EXPECT_EQ(plain_title("before<script>document.write('x')</script>after"), "beforeafter");
  EXPECT_EQ(plain_title("<style>b{}</style><p>one</p><p>two</p>"), "one two");
  EXPECT_EQ(plain_title("a\x01"
                        "b\x7f"
                        " c"),
            "ab c");
  EXPECT_EQ(plain_title("   "), "");
  EXPECT_EQ(plain_title("<img src=x onerror=alert(1)>"), "");
}

TEST(Title, LongTitlesAreCutAtAGraphemeBoundary) {
  // "e" + combining acute is one user-perceived character: never split.
  std::string text;
  for (int i = 0; i < 300; ++i) text += "e\xCC\x81";
  const std::string cut = plain_title(text, 200);
  std::string expected;
  for (int i = 0; i < 200; ++i) expected += "e\xCC\x81";
  EXPECT_EQ(cut, expected + "……");
  EXPECT_EQ(plain_title("短标题", 200), "短标题");
  // Exactly the limit: nothing cut.
  EXPECT_EQ(plain_title("一二三", 3), "一二三");
  EXPECT_EQ(plain_title("一二三四", 3), "一二三……");
}

TEST(Json, ValueAtThePointer) {
  std::string error;
  EXPECT_EQ(json_value(R"({"data": [{"value": 1234}]})", "/data/0/value", &error), "1234");
  EXPECT_EQ(json_value(R"({"data": [{"value": 12.5}]})", "/data/0/value", &error), "12.5");
  EXPECT_EQ(json_value(R"({"a/b": {"v": " 12,345.6 "}})", "/a~1b/v", &error), "12,345.6");
  EXPECT_FALSE(json_value(R"({"data": []})", "/data/0/value", &error));
  EXPECT_EQ(error, "the JSON has no value at /data/0/value");
  EXPECT_FALSE(json_value(R"({"data": {"x": 1}})", "/data/0", &error));
  EXPECT_FALSE(json_value(R"({"v": "很多"})", "/v", &error));
  EXPECT_EQ(error, "the value at /v is \"很多\", not a number");
  EXPECT_FALSE(json_value(R"({"v": true})", "/v", &error));
  EXPECT_EQ(error, "the value at /v is boolean, not a number");
  EXPECT_FALSE(json_value(R"({"v": 1e300})", "/v", &error));
  EXPECT_FALSE(json_value(R"({"v": )", "/v", &error));
  EXPECT_EQ(error, "not a JSON document");
  EXPECT_FALSE(json_value(std::string(200000, '['), "/v", &error));
}

TEST(Csv, ColumnByNameOrNumberAndRow) {
  const std::string table =
      "\xEF\xBB\xBF日期,访客,\"备注, "
      "含逗号\"\n2025-01-01,100,a\n2025-01-02,\"1,250\",b\n2025-01-03,90,c\n";
  content::ValueSource s;
  s.csv_column = "访客";
  std::string error;
  EXPECT_EQ(csv_value(table, s, &error), "90");  // the last row
  s.csv_row = 2;
  EXPECT_EQ(csv_value(table, s, &error), "1,250");
  s.csv_column.clear();
  s.csv_column_number = 2;
  s.csv_row = 1;
  EXPECT_EQ(csv_value(table, s, &error), "100");
  s.csv_column_number = 1;
  EXPECT_FALSE(csv_value(table, s, &error));
  EXPECT_EQ(error, "the CSV's column 1 in row 1 is \"2025-01-01\", not a number");
  s.csv_column_number = 9;
  EXPECT_FALSE(csv_value(table, s, &error));
  EXPECT_EQ(error, "the CSV's row 1 has 3 cells, no column 9");
  s.csv_column_number = 0;
  s.csv_column = "人数";
  EXPECT_FALSE(csv_value(table, s, &error));
  EXPECT_EQ(error, "the CSV's header row has no column \"人数\"");
  s.csv_column = "访客";
  s.csv_row = 7;
  EXPECT_FALSE(csv_value(table, s, &error));
  EXPECT_EQ(error, "the CSV has 3 data rows, no row 7");
  s.csv_row = 0;
  EXPECT_FALSE(csv_value("a,b\n\"1,2\n", s, &error));  // an unterminated quote
  EXPECT_NE(error.find("not a CSV table"), std::string::npos) << error;
}

TEST(Fill, FeedTitlesFollowTheWrittenOnesAndValuesGetTheirTime) {
  auto p = std::make_shared<content::Playlist>();
  p->timezone = "Asia/Shanghai";
  p->ticker = content::Ticker{};
  p->ticker->items = {"written"};
  p->ticker->feed = content::FeedSource{"http://x/rss", 2, 300};
  content::Item item;
  item.type = content::ItemType::statistic;
  content::StatisticValue v;
  v.value = "0";
  v.source = content::ValueSource{};
  v.source->url = "http://x/v.json";
  v.source->json_pointer = "/v";
  item.statistics = {v};
  p->items = {item};
  std::shared_ptr<const content::Playlist> base = p;

  LiveData data;
  EXPECT_EQ(fill_live(base, data, 0), base);  // nothing to fill in: the same object
  // 2025-01-20 06:05 UTC is 14:05 in Shanghai.
  const std::int64_t at = 1737353100;
  data[live_key(*p->ticker->feed)] =
      LiveEntry{"http://x/rss", {"f1", "f2", "f3"}, "", at, at, "", "", "", 0};
  data[live_key(*v.source)] = LiveEntry{"http://x/v.json", {}, "42", at, at, "", "", "", 0};
  auto filled = fill_live(base, data, at + 60);
  ASSERT_NE(filled, base);
  EXPECT_EQ(filled->ticker->items, (std::vector<std::string>{"written", "f1", "f2"}));
  EXPECT_EQ(filled->items[0].statistics[0].value, "42");
  EXPECT_EQ(filled->items[0].statistics[0].as_of, "截至 14:05");
  EXPECT_EQ(fill_live(base, data, at + 86400)->items[0].statistics[0].as_of, "截至 1月20日 14:05");
  p->lang = "en";
  EXPECT_EQ(fill_live(base, data, at + 60)->items[0].statistics[0].as_of, "as of 14:05");
  EXPECT_EQ(base->ticker->items.size(), 1u);  // the stored playlist is left as it was

  // Kept across a restart: live.json and back.
  LiveData again = read_live_json(live_json(data));
  EXPECT_EQ(again.at(live_key(*p->ticker->feed)).items, data.at(live_key(*p->ticker->feed)).items);
  EXPECT_EQ(again.at(live_key(*v.source)).value, "42");
  EXPECT_TRUE(read_live_json("{not json").empty());
}

}  // namespace
}  // namespace signage::sync
