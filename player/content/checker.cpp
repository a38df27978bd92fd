// The Checker's generic helpers: diagnostics at a byte offset, and typed fields (text, numbers,
// choices) that report what was expected when the value is not that.
#include "content/checker.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "content/diagnostics.h"

namespace signage::content::detail {

bool is_safe_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Checker::Checker(std::string_view json, const std::string& file, const fs::path& bundle_dir,
                 const Limits& limits, AssetFiles asset_files)
    : json_(json), file_(file), limits_(limits), asset_files_(asset_files) {
  std::error_code ec;
  fs::path dir = bundle_dir.empty() ? fs::path(".") : bundle_dir;
  bundle_dir_ = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  if (ec) bundle_dir_ = dir;
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '\n') line_starts_.push_back(i + 1);
  }
}

void Checker::report(Severity severity, std::size_t offset, const std::string& pointer,
                     std::string message) {
  Diagnostic d;
  d.severity = severity;
  d.file = file_;
  std::tie(d.line, d.column) = line_column(offset);
  d.pointer = pointer;
  d.message = std::move(message);
  diagnostics_.push_back({offset, std::move(d)});
  if (severity == Severity::error) ++errors_;
}

std::pair<int, int> Checker::line_column(std::size_t offset) const {
  auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - 1;
  return {int(line - line_starts_.begin()) + 1, int(offset - *line) + 1};
}

std::string Checker::where(std::size_t offset) const {
  auto [line, column] = line_column(offset);
  return std::to_string(line) + ":" + std::to_string(column);
}

std::string Checker::describe(const JsonValue& v) const {
  switch (v.kind) {
    case Kind::null: return "null";
    case Kind::boolean: return v.boolean ? "true" : "false";
    case Kind::integer:
    case Kind::unsigned_integer:
    case Kind::floating: {
      std::size_t end = v.offset;
      while (end < json_.size() && end - v.offset < 40 &&
             (std::isdigit(static_cast<unsigned char>(json_[end])) || json_[end] == '-' ||
              json_[end] == '+' || json_[end] == '.' || json_[end] == 'e' || json_[end] == 'E')) {
        ++end;
      }
      return std::string(json_.substr(v.offset, end - v.offset));
    }
    case Kind::string: return "the string " + quote_text(v.string);
    case Kind::array: return "an array";
    case Kind::object: return "an object";
  }
  return "something else";
}

bool Checker::require_object(const JsonValue& v, const std::string& pointer,
                             const std::string& what) {
  if (v.kind == Kind::object) return true;
  expected(v, pointer, what);
  return false;
}

void Checker::unknown_fields(const JsonValue& object, const std::string& pointer,
                             const std::vector<const char*>& known, const std::string& context,
                             const std::vector<const char*>& elsewhere) {
  for (const JsonValue& member : object.children) {
    bool is_known =
        std::any_of(known.begin(), known.end(), [&](const char* k) { return member.key == k; });
    if (is_known) continue;
    std::string pointer_of = child(pointer, member.key);
    bool is_elsewhere = std::any_of(elsewhere.begin(), elsewhere.end(),
                                    [&](const char* k) { return member.key == k; });
    if (is_elsewhere) {
      warning(member.key_offset, pointer_of,
              "field " + quote_text(member.key) + " is not used by " + context + " (ignored)");
      continue;
    }
    std::string message =
        "unknown field " + quote_text(member.key) + " in " + context + " (ignored)";
    const char* best = nullptr;
    std::size_t best_distance = 3;
    for (const char* k : known) {
      std::size_t d = edit_distance(member.key.substr(0, 64), k);
      if (d < best_distance) {
        best_distance = d;
        best = k;
      }
    }
    if (best) message += "; did you mean \"" + std::string(best) + "\"?";
    warning(member.key_offset, pointer_of, message);
  }
}

bool Checker::text(const JsonValue& v, const std::string& pointer, std::string& out,
                   bool required_nonempty, bool multiline) {
  if (v.kind != Kind::string) {
    expected(v, pointer, "a string");
    return false;
  }
  if (v.string.size() > limits_.max_string_bytes) {
    error(v.offset, pointer,
          "string of " + std::to_string(v.string.size()) + " bytes is longer than the limit of " +
              std::to_string(limits_.max_string_bytes));
    return false;
  }
  if (auto problem = detail::find_utf8_problem(v.string)) {
    bool nul = problem->kind == detail::Utf8Problem::Kind::nul;
    error(v.offset, pointer,
          std::string("expected text without NUL characters or invalid UTF-8 (") +
              (nul ? "NUL character" : "invalid UTF-8") + " at byte " +
              std::to_string(problem->offset) + ")");
    return false;
  }
  if (has_control_characters(v.string, multiline)) {
    error(v.offset, pointer,
          multiline ? "expected text without control characters other than \"\\n\""
                    : "expected one line of text, without line breaks or control characters");
    return false;
  }
  if (required_nonempty && v.string.empty()) {
    error(v.offset, pointer, "expected a non-empty string");
    return false;
  }
  out = v.string;
  return true;
}

bool Checker::optional_text(const JsonValue& object, const std::string& pointer,
                            std::string_view key, std::string& out, bool multiline) {
  const JsonValue* v = find(object, key);
  if (!v) return true;
  return text(*v, child(pointer, key), out, false, multiline);
}

bool Checker::required_text(const JsonValue& object, const std::string& pointer,
                            std::string_view key, std::string& out, bool multiline,
                            const std::string& why) {
  const JsonValue* v = find(object, key);
  if (!v) {
    error(object.offset, child(pointer, key),
          "missing required field \"" + std::string(key) + "\" (" + why + ")");
    return false;
  }
  return text(*v, child(pointer, key), out, true, multiline);
}

bool Checker::number(const JsonValue& v, const std::string& pointer, double min, double max,
                     bool min_exclusive, const std::string& what, double& out) {
  std::string range = (min_exclusive ? "greater than " : "at least ") + format_number(min) +
                      " and at most " + format_number(max);
  if (!v.is_number()) {
    expected(v, pointer, what + " (" + range + ")");
    return false;
  }
  double d = v.as_double();
  if (!std::isfinite(d) || (min_exclusive ? d <= min : d < min) || d > max) {
    expected(v, pointer, what + " " + range);
    return false;
  }
  out = d;
  return true;
}

std::string Checker::format_number(double d) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", d);
  return buffer;
}

bool Checker::integer(const JsonValue& v, const std::string& pointer, std::int64_t min,
                      std::int64_t max, const std::string& what, std::int64_t& out) {
  bool in_range = false;
  std::int64_t value = 0;
  if (v.kind == Kind::integer) {
    value = v.integer;
    in_range = value >= min && value <= max;
  } else if (v.kind == Kind::unsigned_integer) {
    in_range = max >= 0 && v.unsigned_integer <= std::uint64_t(max) &&
               v.unsigned_integer >= std::uint64_t(std::max<std::int64_t>(min, 0));
    value = std::int64_t(v.unsigned_integer);
  }
  if (!in_range) {
    expected(
        v, pointer,
        what + " (a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ")");
    return false;
  }
  out = value;
  return true;
}

}  // namespace signage::content::detail
