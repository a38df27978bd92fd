#include "studio/table_import.h"

#include <csv.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "content/encoding.h"

namespace signage::studio {

namespace {

// ---------------------------------------------------------------------------------------------
// Fields of each kind, in the default column order, with the names a header row may use.

struct Field {
  const char* key;  // the playlist field
  const char* zh;   // what the page calls it
  bool required;
  bool multi_line;
  std::vector<std::string> names;  // header names (English lower case)
};

const std::vector<Field>& fields_of(ImportKind kind) {
  static const std::vector<Field> headline{
      {"title", "标题", true, true, {"标题", "主标题", "title"}},
      {"subtitle", "副标题", false, true, {"副标题", "subtitle"}},
      {"body", "正文", false, true, {"正文", "内容", "描述", "body", "text"}}};
  static const std::vector<Field> statistic{
      {"label", "名称", true, false, {"名称", "说明", "标签", "项目", "指标", "label", "name"}},
      {"value", "数值", true, false, {"数值", "数字", "数据", "数量", "value"}},
      {"unit", "单位", false, false, {"单位", "unit"}},
      {"comparison",
       "对比",
       false,
       false,
       {"对比", "比较", "同比", "环比", "comparison", "change"}}};
  static const std::vector<Field> ticker{
      {"text", "内容", true, false, {"内容", "文字", "标题", "新闻", "text", "headline"}}};
  switch (kind) {
    case ImportKind::headline: return headline;
    case ImportKind::statistic: return statistic;
    case ImportKind::ticker: break;
  }
  return ticker;
}

const char* kind_en(ImportKind kind) {
  return kind == ImportKind::headline    ? "a headline"
         : kind == ImportKind::statistic ? "a statistic"
                                         : "a ticker item";
}
const char* kind_zh(ImportKind kind) {
  return kind == ImportKind::headline    ? "头条"
         : kind == ImportKind::statistic ? "数据"
                                         : "滚动字幕";
}

// ---------------------------------------------------------------------------------------------
// Text

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Spaces at either end, also the ideographic space and the no-break space spreadsheets leave.
std::string trim(std::string_view s) {
  for (bool again = true; again;) {
    again = false;
    for (std::string_view space : {" ", "\t", "\r", "\n", "\xe3\x80\x80", "\xc2\xa0"}) {
      if (starts_with(s, space)) s.remove_prefix(space.size()), again = true;
      if (s.size() >= space.size() && s.substr(s.size() - space.size()) == space) {
        s.remove_suffix(space.size()), again = true;
      }
    }
  }
  return std::string(s);
}

// Line breaks as "\n" (or a space in one-line fields); other control characters, which the
// checker refuses in text, as spaces.
std::string clean(std::string_view s, bool multi_line) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
    if (c == '\n' || c == '\r') {
      out += multi_line ? '\n' : ' ';
    } else if (c < 0x20 || c == 0x7f) {
      out += ' ';
    } else {
      out += char(c);
    }
  }
  return trim(out);
}

std::string lower_ascii(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string with_commas(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// libcsv

// Cells kept of one row: more than any kind has columns, few enough that a row of a million
// commas (the route takes 2 MB) costs nothing; the rest are only counted.
constexpr std::size_t kKeptCells = 64;

struct Row {
  std::size_t number = 0;  // 1-based, blank rows counted
  std::vector<std::string> cells;
  std::size_t width = 0;  // up to its last non-empty cell, counting those not kept
};

struct Collector {
  std::vector<Row> rows;
  std::vector<std::string> cells;
  std::size_t fields = 0, width = 0;  // of the row being read
  std::size_t next_number = 1;
  int last_end = 0;
  std::size_t keep = 0;  // rows stored at most; the rest are counted
};

void on_field(void* field, std::size_t length, void* data) {
  auto* c = static_cast<Collector*>(data);
  std::string_view text(field ? static_cast<const char*>(field) : "", field ? length : 0);
  ++c->fields;
  if (!trim(text).empty()) c->width = c->fields;
  if (c->cells.size() < kKeptCells) c->cells.emplace_back(text);
}

// Called at each record's end and, with CSV_REPALL_NL, at every line end outside one, so blank
// rows are counted as the spreadsheet counts them (a CR LF pair is one line end).
void on_row_end(int end, void* data) {
  auto* c = static_cast<Collector*>(data);
  const bool pair = c->cells.empty() && end == CSV_LF && c->last_end == CSV_CR;
  c->last_end = end;
  if (pair) return;
  if (!c->cells.empty() && c->rows.size() < c->keep) {
    c->rows.push_back(Row{c->next_number, std::move(c->cells), c->width});
  }
  c->cells.clear();
  c->fields = c->width = 0;
  ++c->next_number;
}

int only_space(unsigned char c) {
  return c == CSV_SPACE;  // not tab: it may be the delimiter; cells are trimmed afterwards
}

struct CsvParser {
  csv_parser parser{};
  bool ok = false;
  CsvParser() { ok = csv_init(&parser, CSV_REPALL_NL) == 0; }
  ~CsvParser() {
    if (ok) csv_free(&parser);
  }
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;
};

std::vector<Row> parse_rows(std::string_view text, char delimiter, std::size_t keep) {
  CsvParser csv;
  Collector collector;
  collector.keep = keep;
  if (!csv.ok) return {};
  csv_set_delim(&csv.parser, static_cast<unsigned char>(delimiter));
  // libcsv grows a field's buffer by this much: its 128 bytes took 16,384 reallocations for the
  // one 2 MB cell a line of commas is when read with ';' (each a copy unless done in place).
  csv_set_blk_size(&csv.parser, 64 << 10);
  csv_set_space_func(&csv.parser, only_space);
  csv_parse(&csv.parser, text.data(), text.size(), on_field, on_row_end, &collector);
  csv_fini(&csv.parser, on_field, on_row_end, &collector);
  return collector.rows;
}

// Tab when there is one (what Excel and WPS copy). Otherwise a CSV file: comma, or semicolon
// (European Excel) when that splits more rows. A ticker's lines are often prose with commas:
// they are read as CSV only when quotes show a CSV file wrote them, else one line is one item.
char detect_delimiter(std::string_view text, ImportKind kind) {
  if (text.find('\t') != std::string_view::npos) return '\t';
  // No tab in the text: as the delimiter it leaves each line whole.
  if (kind == ImportKind::ticker) return text.find('"') != std::string_view::npos ? ',' : '\t';
  auto split_rows = [&](char d) {
    std::size_t n = 0;
    for (const Row& row : parse_rows(text, d, 50)) n += row.width > 1;
    return n;
  };
  return split_rows(';') > split_rows(',') ? ';' : ',';
}

// The field each column holds, when the row names the columns (every non-empty cell a known
// name, none twice).
std::optional<std::vector<int>> header_columns(const Row& row, ImportKind kind) {
  const auto& fields = fields_of(kind);
  std::vector<int> columns;
  std::vector<bool> seen(fields.size(), false);
  bool any = false;
  for (const std::string& cell : row.cells) {
    const std::string name = lower_ascii(trim(cell));
    if (name.empty()) {
      columns.push_back(-1);
      continue;
    }
    int found = -1;
    for (std::size_t f = 0; f < fields.size() && found < 0; ++f) {
      for (const std::string& alias : fields[f].names) {
        if (alias == name) found = int(f);
      }
    }
    if (found < 0 || seen[std::size_t(found)]) return std::nullopt;
    seen[std::size_t(found)] = true;
    columns.push_back(found);
    any = true;
  }
  if (!any) return std::nullopt;
  return columns;
}

std::optional<Words> encoding_problem(std::string_view text) {
  const Words save_as_utf8{
      "这段文字不是 UTF-8 编码（看起来是旧版 Excel 保存的 GBK/ANSI 编码）。请在 Excel 中选择"
      "“另存为 → CSV UTF-8（逗号分隔）”，或在 WPS 中保存为 UTF-8 编码的 CSV，再导入；"
      "也可以直接从表格中复制行并粘贴。",
      "This text is not UTF-8 (it looks like GBK/ANSI, as older Excel saves CSV files). In Excel "
      "choose \"Save As > CSV UTF-8 (Comma delimited)\", or save a UTF-8 CSV in WPS, and import "
      "that; or copy the rows in the spreadsheet and paste them."};
  if (auto problem = content::detail::find_utf8_problem(text)) {
    if (problem->kind == content::detail::Utf8Problem::Kind::invalid &&
        content::detail::looks_like_gb18030(text)) {
      return save_as_utf8;
    }
    const std::string at = std::to_string(problem->offset + 1);
    return Words{"这不是文本（第 " + at +
                     " 个字节无法读取）。请导入 UTF-8 编码的 CSV 文件，或粘贴表格中的行。",
                 "This is not text (byte " + at +
                     " cannot be read). Import a UTF-8 CSV file, or paste rows from the "
                     "spreadsheet."};
  }
  // The replacement character: a browser read a GBK file as UTF-8 before sending it.
  if (text.find("\xef\xbf\xbd") != std::string_view::npos) return save_as_utf8;
  return std::nullopt;
}

ImportProblem problem(std::size_t row, std::string zh, std::string en) {
  return ImportProblem{row, Words{std::move(zh), std::move(en)}};
}

std::string column_en(const Field& f, std::size_t column) {
  return std::string("the ") + f.key + " (column " + std::to_string(column) + ")";
}
std::string column_zh(const Field& f, std::size_t column) {
  return std::string("第 ") + std::to_string(column) + " 列（" + f.zh + "）";
}

// One data row into an item (or a ticker string); nullopt with the problem when it cannot be.
std::optional<nlohmann::json> row_item(const Row& row, const std::vector<int>& columns,
                                       ImportKind kind, const ImportLimits& limits,
                                       std::vector<ImportProblem>& problems) {
  const auto& fields = fields_of(kind);
  const std::size_t used = row.width;
  std::size_t known = 0;
  for (std::size_t i = 0; i < columns.size(); ++i) known += columns[i] >= 0;
  if (used > columns.size()) {
    std::string names_en, names_zh;
    for (const Field& f : fields) {
      names_en += std::string(names_en.empty() ? "" : ", ") + f.key;
      names_zh += std::string(names_zh.empty() ? "" : "、") + f.zh;
    }
    problems.push_back(
        problem(row.number,
                "列太多：这一行有 " + std::to_string(used) + " 列，" + kind_zh(kind) + "最多 " +
                    std::to_string(known) + " 列（" + names_zh + "）。",
                "Too many columns: this row has " + std::to_string(used) + "; " + kind_en(kind) +
                    " has at most " + std::to_string(known) + " (" + names_en + ")."));
    return std::nullopt;
  }
  std::vector<std::string> values(fields.size());
  std::vector<std::size_t> column_of(fields.size(), 0);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] < 0) continue;
    const Field& f = fields[std::size_t(columns[i])];
    column_of[std::size_t(columns[i])] = i + 1;
    if (i < row.cells.size()) values[std::size_t(columns[i])] = clean(row.cells[i], f.multi_line);
  }
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const Field& field = fields[f];
    if (values[f].size() > limits.max_cell_bytes) {
      problems.push_back(
          problem(row.number,
                  column_zh(field, column_of[f]) + "太长：" + with_commas(values[f].size()) +
                      " 字节，最多 " + with_commas(limits.max_cell_bytes) + " 字节。",
                  "The " + std::string(field.key) + " (column " + std::to_string(column_of[f]) +
                      ") is too long: " + with_commas(values[f].size()) + " bytes; at most " +
                      with_commas(limits.max_cell_bytes) + "."));
      return std::nullopt;
    }
    if (field.required && values[f].empty()) {
      const std::string where_en =
          column_of[f] ? column_en(field, column_of[f]) : std::string("the ") + field.key;
      const std::string where_zh = column_of[f] ? column_zh(field, column_of[f]) : field.zh;
      problems.push_back(
          problem(row.number, where_zh + "是空的，" + kind_zh(kind) + "必须填写" + field.zh + "。",
                  "Empty " + where_en + ": " + kind_en(kind) + " needs a " + field.key + "."));
      return std::nullopt;
    }
  }
  if (kind == ImportKind::ticker) return nlohmann::json(values[0]);
  nlohmann::json item{{"type", kind == ImportKind::headline ? "headline" : "statistic"}};
  for (std::size_t f = 0; f < fields.size(); ++f) {
    if (!values[f].empty()) item[fields[f].key] = values[f];
  }
  return item;
}

}  // namespace

std::optional<ImportKind> parse_import_kind(std::string_view name) {
  if (name == "headline") return ImportKind::headline;
  if (name == "statistic") return ImportKind::statistic;
  if (name == "ticker") return ImportKind::ticker;
  return std::nullopt;
}

ImportResult import_table(std::string_view text, ImportKind kind, const ImportLimits& limits) {
  ImportResult result;
  if (starts_with(text, "\xef\xbb\xbf")) text.remove_prefix(3);  // the BOM Excel writes
  if (auto problem = encoding_problem(text)) {
    result.refused = *problem;
    return result;
  }
  result.delimiter = detect_delimiter(text, kind);
  // Room for a header row and for telling that there were more rows than allowed.
  std::vector<Row> rows = parse_rows(text, result.delimiter, limits.max_rows + 2);
  rows.erase(std::remove_if(rows.begin(), rows.end(), [](const Row& r) { return r.width == 0; }),
             rows.end());
  if (rows.empty()) {
    result.refused = Words{"没有可导入的内容：请粘贴表格中的行，或选择一个 CSV 文件。",
                           "There is nothing to import: paste rows from a spreadsheet, or choose "
                           "a CSV file."};
    return result;
  }
  const auto& fields = fields_of(kind);
  std::vector<int> columns;
  if (auto named = header_columns(rows.front(), kind)) {
    columns = *named;
    result.header = true;
    rows.erase(rows.begin());
    if (rows.empty()) {
      result.refused = Words{"只有列名，没有内容：请连同下面的行一起复制。",
                             "There are only column names and no rows under them: copy the rows "
                             "too."};
      return result;
    }
  } else {
    for (std::size_t f = 0; f < fields.size(); ++f) columns.push_back(int(f));
  }
  for (int c : columns) result.columns.push_back(c >= 0 ? fields[std::size_t(c)].key : "");
  const std::size_t most = kind == ImportKind::ticker
                               ? std::min(limits.max_rows, limits.max_ticker_items)
                               : limits.max_rows;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == most) {
      result.problems.push_back(problem(
          rows[i].number,
          "最多导入 " + std::to_string(most) + " 行：从这一行起的内容没有导入。请分几次导入。",
          "At most " + std::to_string(most) +
              " rows are imported: this row and those after it were left out. Import them in "
              "parts."));
      break;
    }
    if (auto item = row_item(rows[i], columns, kind, limits, result.problems)) {
      result.items.push_back(std::move(*item));
    }
  }
  return result;
}

nlohmann::json import_json(const ImportResult& result, ImportKind kind, std::string_view lang) {
  nlohmann::json problems = nlohmann::json::array();
  for (const ImportProblem& p : result.problems) {
    problems.push_back({{"row", p.row}, {"message", p.words.in(lang)}});
  }
  nlohmann::json out{
      {"problems", problems}, {"columns", result.columns}, {"header", result.header}};
  out[kind == ImportKind::ticker ? "ticker" : "items"] = result.items;
  return out;
}

}  // namespace signage::studio
