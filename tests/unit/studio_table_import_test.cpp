// Table import: rows pasted from Excel/WPS or a CSV file's text, read with libcsv, into items.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "studio/table_import.h"

namespace signage::studio {
namespace {

using nlohmann::json;

TEST(TableImport, FourTickerRowsPastedFromASpreadsheet) {
  // The issue's scenario: four cells of one column copied in WPS (each row ends in CR LF).
  const std::string pasted =
      "社区食堂本周菜单已更新\r\n周六上午九点义诊\r\n本月接待居民 1,286 人次\r\n请关注停水通知\r\n";
  ImportResult r = import_table(pasted, ImportKind::ticker);
  ASSERT_FALSE(r.refused);
  EXPECT_EQ(r.items, json::parse(R"(["社区食堂本周菜单已更新", "周六上午九点义诊",
                                     "本月接待居民 1,286 人次", "请关注停水通知"])"));
  EXPECT_TRUE(r.problems.empty());
  // As the route answers it.
  json body = import_json(r, ImportKind::ticker, "zh");
  EXPECT_EQ(body["ticker"].size(), 4u);
  EXPECT_FALSE(body.contains("items"));
}

TEST(TableImport, TwoStatisticRowsWithTabs) {
  const std::string pasted = "本月接待居民\t1,286\t人次\t+8%\n志愿服务时长\t3,450\t小时\n";
  ImportResult r = import_table(pasted, ImportKind::statistic);
  ASSERT_FALSE(r.refused);
  EXPECT_EQ(r.delimiter, '\t');
  EXPECT_FALSE(r.header);
  EXPECT_EQ(r.items, json::parse(R"([
    {"type": "statistic", "label": "本月接待居民", "value": "1,286", "unit": "人次", "comparison": "+8%"},
    {"type": "statistic", "label": "志愿服务时长", "value": "3,450", "unit": "小时"}])"));
  EXPECT_TRUE(r.problems.empty());
}

TEST(TableImport, ChineseHeaderRowSetsTheColumnsOrder) {
  // The columns in another order than the default, named in Chinese.
  const std::string pasted = "数值\t单位\t名称\n1,286\t人次\t本月接待居民\n";
  ImportResult r = import_table(pasted, ImportKind::statistic);
  ASSERT_FALSE(r.refused);
  EXPECT_TRUE(r.header);
  EXPECT_EQ(r.columns, (std::vector<std::string>{"value", "unit", "label"}));
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0], json::parse(R"({"type": "statistic", "label": "本月接待居民",
                                        "value": "1,286", "unit": "人次"})"));
}

TEST(TableImport, EnglishHeaderAndHeadlines) {
  const std::string csv = "Title,Subtitle,Body\n文化惠民,全年活动,图书馆延长开放时间\n";
  ImportResult r = import_table(csv, ImportKind::headline);
  ASSERT_FALSE(r.refused);
  EXPECT_TRUE(r.header);
  EXPECT_EQ(r.delimiter, ',');
  EXPECT_EQ(r.items, json::parse(R"([{"type": "headline", "title": "文化惠民",
                                      "subtitle": "全年活动", "body": "图书馆延长开放时间"}])"));
}

TEST(TableImport, QuotedCellsKeepCommasAndLineBreaks) {
  // As Excel writes a CSV: cells with commas, quotes or line breaks are quoted.
  const std::string csv =
      "\"社区议事会, 第三次\",\"会议纪要\",\"第一行\r\n第二行, 还有 \"\"引号\"\"\"\r\n"
      "\"Library hours, new\",,\"Open 9:00, closed Monday\"\r\n";
  ImportResult r = import_table(csv, ImportKind::headline);
  ASSERT_FALSE(r.refused);
  EXPECT_EQ(r.delimiter, ',');
  ASSERT_EQ(r.items.size(), 2u) << import_json(r, ImportKind::headline, "en").dump();
  EXPECT_EQ(r.items[0]["title"], "社区议事会, 第三次");
  EXPECT_EQ(r.items[0]["body"], "第一行\n第二行, 还有 \"引号\"");
  EXPECT_EQ(r.items[1]["title"], "Library hours, new");
  EXPECT_FALSE(r.items[1].contains("subtitle"));
  EXPECT_EQ(r.items[1]["body"], "Open 9:00, closed Monday");
}

TEST(TableImport, ExcelCellWithLineBreakPastedAsTabs) {
  // Excel copies a cell holding Alt+Enter line breaks in quotes; a one-line field gets a space.
  const std::string pasted = "\"本月\n接待居民\"\t1,286\t人次\n";
  ImportResult r = import_table(pasted, ImportKind::statistic);
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0]["label"], "本月 接待居民");
}

TEST(TableImport, ByteOrderMarkIsDropped) {
  const std::string csv = "\xef\xbb\xbf标题,副标题\n文化惠民,全年活动\n";
  ImportResult r = import_table(csv, ImportKind::headline);
  ASSERT_FALSE(r.refused);
  EXPECT_TRUE(r.header);  // the BOM would have spoiled "标题"
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0]["title"], "文化惠民");
}

TEST(TableImport, GbkFromOldExcelIsRefusedAskingForUtf8) {
  // "标题,副标题\n文化惠民,全年活动\n" in GBK.
  const std::string gbk =
      "\xb1\xea\xcc\xe2,\xb8\xb1\xb1\xea\xcc\xe2\n\xce\xc4\xbb\xaf\xbb\xdd\xc3\xf1,"
      "\xc8\xab\xc4\xea\xbb\xee\xb6\xaf\n";
  ImportResult r = import_table(gbk, ImportKind::headline);
  ASSERT_TRUE(r.refused);
  EXPECT_NE(r.refused->en.find("GBK"), std::string::npos) << r.refused->en;
  EXPECT_NE(r.refused->en.find("CSV UTF-8"), std::string::npos) << r.refused->en;
  EXPECT_NE(r.refused->zh.find("UTF-8"), std::string::npos) << r.refused->zh;
  EXPECT_TRUE(r.items.empty());
  // The same file read by a browser as UTF-8 arrives with replacement characters.
  ImportResult replaced = import_table("\xef\xbf\xbd\xef\xbf\xbd,x\n", ImportKind::ticker);
  ASSERT_TRUE(replaced.refused);
  EXPECT_NE(replaced.refused->en.find("GBK"), std::string::npos);
}

TEST(TableImport, ProblemsNameTheRowAndColumn) {
  const std::string pasted =
      "名称\t数值\t单位\n"           // row 1: header
      "本月接待居民\t1,286\t人次\n"  // row 2
      "\n"                           // row 3: blank, skipped
      "志愿服务时长\t\t小时\n"       // row 4: no value
      "a\tb\tc\td\te\n";             // row 5: too many columns
  ImportResult r = import_table(pasted, ImportKind::statistic);
  ASSERT_FALSE(r.refused);
  EXPECT_EQ(r.items.size(), 1u);
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(r.problems[0].row, 4u);
  EXPECT_NE(r.problems[0].words.en.find("value (column 2)"), std::string::npos)
      << r.problems[0].words.en;
  EXPECT_NE(r.problems[0].words.zh.find("第 2 列（数值）"), std::string::npos)
      << r.problems[0].words.zh;
  EXPECT_EQ(r.problems[1].row, 5u);
  EXPECT_NE(r.problems[1].words.en.find("Too many columns"), std::string::npos);
  json body = import_json(r, ImportKind::statistic, "en");
  EXPECT_EQ(body["problems"][0]["row"], 4);
}

TEST(TableImport, TrailingEmptyCellsAreNotExtraColumns) {
  // Excel copies a selection wider than the data with empty cells at the end.
  ImportResult r = import_table("只有标题\t\t\t\t\n", ImportKind::headline);
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0], json::parse(R"({"type": "headline", "title": "只有标题"})"));
}

TEST(TableImport, AValueTooLongIsReported) {
  ImportLimits limits;
  limits.max_cell_bytes = 30;
  ImportResult r =
      import_table("短标题\n" + std::string(31, 'x') + "\n", ImportKind::headline, limits);
  EXPECT_EQ(r.items.size(), 1u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].row, 2u);
  EXPECT_NE(r.problems[0].words.en.find("too long: 31 bytes; at most 30"), std::string::npos)
      << r.problems[0].words.en;
}

TEST(TableImport, RowsAreBounded) {
  std::string many;
  for (int i = 0; i < 600; ++i) many += "第" + std::to_string(i) + "条\n";
  ImportResult r = import_table(many, ImportKind::headline);
  EXPECT_EQ(r.items.size(), 500u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].row, 501u);
  // A ticker holds at most 200 headlines (the checker's limit).
  ImportResult ticker = import_table(many, ImportKind::ticker);
  EXPECT_EQ(ticker.items.size(), 200u);
  ASSERT_EQ(ticker.problems.size(), 1u);
  EXPECT_EQ(ticker.problems[0].row, 201u);
}

// VmHWM (the peak resident size) in KB; "5" to /proc/self/clear_refs sets it to the size now.
long peak_kb(bool reset) {
  if (reset) std::ofstream("/proc/self/clear_refs") << "5";
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(TableImport, ColumnsAreBoundedBeforeMemoryIsSpent) {
  // The route's 2 MB of commas: two million empty cells, which cost 160 MB as strings. Bounded,
  // the import stays under the studio's whole goal (64 MB) even in the asan build, whose freed
  // blocks stay resident a while (about 2 MB here otherwise).
  const std::string commas = "本月接待居民,1286" + std::string(2 << 20, ',') + "x\n";
  const long before = peak_kb(true);
  ASSERT_GT(before, 0);
  ImportResult r = import_table(commas, ImportKind::statistic);
  const long grown_kb = peak_kb(false) - before;
  EXPECT_LT(grown_kb, 64 << 10) << "peak grew by " << grown_kb << " KB";
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].words.en.find("this row has " + std::to_string((2 << 20) + 2)),
            std::string::npos)
      << r.problems[0].words.en;
}

TEST(TableImport, TickerProseWithCommasStaysWhole) {
  ImportResult r = import_table("Library open 9:00, closed Monday\nSwimming pool, gym open\n",
                                ImportKind::ticker);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.items,
            json::parse(R"(["Library open 9:00, closed Monday", "Swimming pool, gym open"])"));
}

TEST(TableImport, SemicolonCsv) {
  ImportResult r =
      import_table("Visitors;1.286;people\nVolunteers;3.450;hours\n", ImportKind::statistic);
  EXPECT_EQ(r.delimiter, ';');
  ASSERT_EQ(r.items.size(), 2u);
  EXPECT_EQ(r.items[1]["unit"], "hours");
}

TEST(TableImport, NothingToImportAndBinaryAreRefused) {
  EXPECT_TRUE(import_table("\n\t\n  \n", ImportKind::headline).refused);
  EXPECT_TRUE(import_table(std::string("ab\0cd", 5), ImportKind::headline).refused);
  auto only_names = import_table("名称\t数值\t单位\n", ImportKind::statistic);
  ASSERT_TRUE(only_names.refused);
  EXPECT_NE(only_names.refused->en.find("only column names"), std::string::npos);
}

}  // namespace
}  // namespace signage::studio
