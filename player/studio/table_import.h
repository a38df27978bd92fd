// Rows copied from Excel/WPS (tab-separated) or a CSV file's text, turned into playlist items:
//
//   auto result = import_table(text, ImportKind::statistic);
//   result.items      // [{"type": "statistic", "label": "本月接待居民", "value": "1,286", ...}]
//   result.problems   // [{row 4: the value (column 2) is empty}]
//
// Parsed with libcsv; the delimiter (tab, comma or semicolon) is detected. The text must be
// UTF-8 (a BOM is dropped); a file saved as GBK by an old Excel is refused with how to save it as
// "CSV UTF-8". An optional first row of column names (Chinese or English) sets the columns'
// order; without one the columns are in the order of ImportKind's fields below.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "studio/words.h"

namespace signage::studio {

// headline: title, subtitle, body. statistic: label, value, unit, comparison. ticker: text.
enum class ImportKind { headline, statistic, ticker };
std::optional<ImportKind> parse_import_kind(std::string_view name);

struct ImportLimits {
  std::size_t max_rows = 500;             // rows of data; more are reported, not read
  std::size_t max_cell_bytes = 16 << 10;  // the checker's string limit
  std::size_t max_ticker_items = 200;     // the checker's ticker limit
};

struct ImportProblem {
  std::size_t row = 0;  // 1-based, as the spreadsheet counts the pasted rows (header included)
  Words words;
};

struct ImportResult {
  std::optional<Words> refused;  // the whole text cannot be read (GBK, not text, no rows)
  nlohmann::json items = nlohmann::json::array();  // items, or the ticker's strings
  std::vector<ImportProblem> problems;             // rows left out, and why
  std::vector<std::string> columns;                // the fields the columns were read as
  bool header = false;                             // the first row named the columns
  char delimiter = '\t';
};

ImportResult import_table(std::string_view text, ImportKind kind, const ImportLimits& limits = {});

// {"items": [...]} (or {"ticker": [...]}), "problems": [{"row", "message"}], "columns",
// "header", in `lang` ("zh" or "en"): the body of POST /api/import.
nlohmann::json import_json(const ImportResult& result, ImportKind kind, std::string_view lang);

}  // namespace signage::studio
