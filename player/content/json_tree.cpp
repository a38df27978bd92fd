// The positioned JSON tree: nlohmann-json's SAX parser reads the bytes through an iterator that
// counts them, so when an event arrives we know how far the lexer got and can find where the
// token started.
#include "content/json_tree.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iterator>
#include <nlohmann/json.hpp>

#include "content/encoding.h"
#include "content/content.h"

namespace signage::content::detail {
namespace {

// A forward iterator over the bytes that records, in *consumed, how many the lexer has taken.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator() = default;
  CountingIterator(const char* base, const char* at, std::size_t* consumed)
      : base_(base), at_(at), consumed_(consumed) {}

  reference operator*() const { return *at_; }
  CountingIterator& operator++() {
    ++at_;
    if (consumed_) *consumed_ = std::size_t(at_ - base_);
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const CountingIterator& other) const { return at_ == other.at_; }
  bool operator!=(const CountingIterator& other) const { return at_ != other.at_; }

 private:
  const char* base_ = nullptr;
  const char* at_ = nullptr;
  std::size_t* consumed_ = nullptr;
};

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// `text` for a message in whole characters, control characters as <U+000A>, at most ~40 bytes.
std::string shown(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = std::max<std::size_t>(1, utf8_char_length(text, i));
    if (out.size() + length > 40) return out + "...";
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      char buffer[12];
      std::snprintf(buffer, sizeof buffer, "<U+%04X>", unsigned(c));
      out += buffer;
    } else if (length == 1 && c >= 0x80) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02X", unsigned(c));
      out += buffer;
    } else {
      out += text.substr(i, length);
    }
    i += length;
  }
  return out;
}

// The part of nlohmann's exception text after its "[json.exception...] parse error at line L,
// column C: " prefix (our diagnostics carry their own position), with what nlohmann shows as
// "last read" (bytes, possibly half a character) replaced by `token` in whole characters.
std::string clean_message(const std::string& what, std::string_view token) {
  std::string message = what;
  auto last_read = message.find("; last read: '");
  if (last_read != std::string::npos) {
    auto close = message.find("'; expected ", last_read);
    std::string rest = close == std::string::npos ? "" : message.substr(close + 1);
    message = message.substr(0, last_read) + "; last read: '" + shown(token) + "'" + rest;
  }
  if (message.rfind("[json.exception.", 0) == 0) {
    auto close = message.find("] ");
    if (close != std::string::npos) message.erase(0, close + 2);
  }
  if (message.rfind("parse error", 0) == 0) {
    auto colon = message.find(": ");
    if (colon != std::string::npos) message.erase(0, colon + 2);
  }
  // "syntax error while parsing value - invalid literal; last read: 'tru}'"
  const std::string prefix = "syntax error while parsing ";
  if (message.rfind(prefix, 0) == 0) {
    auto dash = message.find(" - ");
    if (dash != std::string::npos) {
      message = "JSON syntax error: " + message.substr(dash + 3);
    } else {
      message = "JSON syntax error: " + message.substr(prefix.size());
    }
  } else {
    message = "JSON syntax error: " + message;
  }
  return message;
}

class TreeBuilder {
 public:
  TreeBuilder(std::string_view json, const JsonLimits& limits, const std::size_t* consumed,
              JsonValue& root, std::vector<JsonProblem>& problems)
      : json_(json), limits_(limits), consumed_(consumed), root_(root), problems_(problems) {}

  bool null() {
    JsonValue* v = add_scalar();
    return v != nullptr;
  }
  bool boolean(bool b) {
    JsonValue* v = add_scalar();
    if (!v) return false;
    v->kind = JsonValue::Kind::boolean;
    v->boolean = b;
    return true;
  }
  bool number_integer(std::int64_t i) {
    JsonValue* v = add_scalar(true);
    if (!v) return false;
    v->kind = JsonValue::Kind::integer;
    v->integer = i;
    return true;
  }
  bool number_unsigned(std::uint64_t u) {
    JsonValue* v = add_scalar(true);
    if (!v) return false;
    v->kind = JsonValue::Kind::unsigned_integer;
    v->unsigned_integer = u;
    return true;
  }
  bool number_float(double d, const std::string&) {
    JsonValue* v = add_scalar(true);
    if (!v) return false;
    v->kind = JsonValue::Kind::floating;
    v->floating = d;
    return true;
  }
  bool string(std::string& s) {
    JsonValue* v = add_scalar();
    if (!v) return false;
    v->kind = JsonValue::Kind::string;
    v->string = std::move(s);
    return true;
  }
  bool binary(std::vector<std::uint8_t>&) { return false; }  // not produced by the JSON reader

  bool start_object(std::size_t) { return open(JsonValue::Kind::object); }
  bool start_array(std::size_t) { return open(JsonValue::Kind::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& k) {
    std::size_t start = token_start();
    last_token_start_ = start;
    cursor_ = *consumed_;
    pending_key_ = std::move(k);
    pending_key_offset_ = start;
    has_pending_key_ = true;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const std::exception& ex) {
    // `position` counts every character the lexer read, the end of input included: the last one
    // read is the one it choked on.
    std::size_t offset = position > 0 ? position - 1 : 0;
    // A number too large for a double is read whole before it is refused: point at its start.
    if (dynamic_cast<const nlohmann::json::out_of_range*>(&ex)) offset = token_start();
    offset = std::min(offset, json_.size());
    problems_.push_back(explain(std::min(token_start(), offset), offset, ex.what()));
    failed_ = true;
    return false;
  }

  bool failed() const { return failed_; }

 private:
  // Where the token the lexer has just read starts: the first byte after the previous token that
  // is not white space or one of the separators ',' and ':' (which make no events).
  std::size_t token_start() {
    std::size_t i = cursor_;
    while (i < json_.size() && (is_json_space(json_[i]) || json_[i] == ',' || json_[i] == ':')) {
      ++i;
    }
    // A UTF-8 byte order mark at the very start is skipped by the lexer.
    if (i == 0 && json_.substr(0, 3) == "\xEF\xBB\xBF") {
      i = 3;
      while (i < json_.size() && is_json_space(json_[i])) ++i;
    }
    return i;
  }

  // A syntax error in the token from `start` to the byte at `offset`, explained: a look-alike of
  // one of JSON's marks typed with a Chinese input method, a trailing comma, else nlohmann's words
  // with the text read shown in whole characters.
  JsonProblem explain(std::size_t start, std::size_t offset, const std::string& what) {
    std::string pointer = current_pointer();
    std::size_t end =
        std::min(json_.size(), offset + std::max<std::size_t>(1, utf8_char_length(json_, offset)));
    // Between tokens the first look-alike is the culprit. In a string that ran on, a curly quote
    // followed by JSON's syntax (`”, ` or `”` at the end of the line) was meant to close it; one
    // followed by text is only text.
    bool in_string = start < json_.size() && json_[start] == '"';
    std::optional<Lookalike> found;
    std::size_t found_at = 0;
    auto closes_string = [&](std::size_t after) {
      while (after < json_.size() && (json_[after] == ' ' || json_[after] == '\t')) ++after;
      return after == json_.size() ||
             std::string_view(",:}]\r\n").find(json_[after]) != std::string_view::npos;
    };
    auto search = [&](std::size_t from, std::size_t to, bool quotes_only) {
      for (std::size_t i = from; i < to;
           i += std::max<std::size_t>(1, utf8_char_length(json_, i))) {
        auto l = json_lookalike(json_, i);
        if (!l || (quotes_only && (l->ascii != '"' || !closes_string(i + l->length)))) continue;
        found = l;
        found_at = i;
        return;
      }
    };
    search(start, end, in_string);
    // "你好”, "next": ... : the string ran on to the next '"' and the error comes after it.
    if (!found && last_token_start_ < start && json_[last_token_start_] == '"') {
      search(last_token_start_, start, true);
    }
    if (found) {
      return {found_at, pointer,
              found->name + " '" + found->text + "' where JSON needs '" + found->ascii +
                  "' (type JSON's own marks with the input method in half-width/English mode)"};
    }
    if (offset < json_.size() && (json_[offset] == '}' || json_[offset] == ']')) {
      std::size_t before = offset;
      while (before > 0 && is_json_space(json_[before - 1])) --before;
      if (before > 0 && json_[before - 1] == ',') {
        return {before - 1, pointer,
                std::string("JSON syntax error: remove this comma: JSON allows none before '") +
                    json_[offset] + "'"};
      }
    }
    return {offset, pointer, clean_message(what, json_.substr(start, end - start))};
  }

  // The pointer of the value being read: the open containers, and in an object the key just read.
  std::string current_pointer() const {
    std::string pointer;
    for (std::size_t level = 0; level + 1 < stack_.size(); ++level) {
      const JsonValue* container = stack_[level];
      pointer += '/';
      if (container->kind == JsonValue::Kind::array) {
        pointer += std::to_string(container->children.size() - 1);
      } else {
        pointer += pointer_token(container->children.back().key);
      }
    }
    if (!stack_.empty() && stack_.back()->kind == JsonValue::Kind::object && has_pending_key_) {
      pointer += '/' + pointer_token(pending_key_);
    }
    return pointer;
  }

  bool count_value(std::size_t offset) {
    if (++values_ > limits_.max_values) {
      problems_.push_back({offset, current_pointer(),
                           "more than " + std::to_string(limits_.max_values) +
                               " JSON values; a playlist is never that large"});
      failed_ = true;
      return false;
    }
    return true;
  }

  // A new value in the current container (or the root). Numbers: the lexer has read one
  // character past the number, so the end is found by scanning the number's characters.
  JsonValue* add_scalar(bool number = false) {
    std::size_t start = token_start();
    last_token_start_ = start;
    if (!count_value(start)) return nullptr;
    JsonValue* v = place(start);
    if (number) {
      std::size_t end = start;
      while (end < json_.size() &&
             (std::isdigit(static_cast<unsigned char>(json_[end])) || json_[end] == '-' ||
              json_[end] == '+' || json_[end] == '.' || json_[end] == 'e' || json_[end] == 'E')) {
        ++end;
      }
      cursor_ = end;
    } else {
      cursor_ = *consumed_;
    }
    return v;
  }

  JsonValue* place(std::size_t offset) {
    JsonValue* v = nullptr;
    if (stack_.empty()) {
      v = &root_;
    } else {
      stack_.back()->children.emplace_back();
      v = &stack_.back()->children.back();
      if (stack_.back()->kind == JsonValue::Kind::object) {
        v->key = std::move(pending_key_);
        v->key_offset = pending_key_offset_;
        pending_key_.clear();
        has_pending_key_ = false;
      }
    }
    v->offset = offset;
    return v;
  }

  bool open(JsonValue::Kind kind) {
    std::size_t start = token_start();
    cursor_ = *consumed_;
    if (!count_value(start)) return false;
    if (stack_.size() >= limits_.max_depth) {
      problems_.push_back({start, current_pointer(),
                           "nested deeper than " + std::to_string(limits_.max_depth) +
                               " levels; a playlist needs only a few"});
      failed_ = true;
      return false;
    }
    JsonValue* v = place(start);
    v->kind = kind;
    stack_.push_back(v);
    return true;
  }

  bool close() {
    token_start();
    cursor_ = *consumed_;
    if (stack_.empty()) return false;
    JsonValue* container = stack_.back();
    if (container->kind == JsonValue::Kind::object) remove_duplicates(*container);
    stack_.pop_back();
    return true;
  }

  // Every later member whose name an earlier one already has is a problem and leaves the tree.
  void remove_duplicates(JsonValue& object) {
    auto& members = object.children;
    if (members.size() < 2) return;
    std::vector<std::size_t> order(members.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return members[a].key < members[b].key; });
    std::vector<bool> drop(members.size(), false);
    std::string base = current_pointer_before_last();
    for (std::size_t i = 1; i < order.size(); ++i) {
      const JsonValue& again = members[order[i]];
      if (members[order[i - 1]].key != again.key) continue;
      drop[order[i]] = true;
      // Find the first member with this name (runs of equal keys share it).
      std::size_t j = i - 1;
      while (j > 0 && members[order[j - 1]].key == again.key) --j;
      problems_.push_back({again.key_offset, base + "/" + pointer_token(again.key),
                           "duplicate key \"" + again.key + "\"", members[order[j]].key_offset});
    }
    std::vector<JsonValue> kept;
    kept.reserve(members.size());
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (!drop[i]) kept.push_back(std::move(members[i]));
    }
    members = std::move(kept);
  }

  // The pointer of the innermost open container (the one being closed).
  std::string current_pointer_before_last() const {
    std::string pointer;
    for (std::size_t level = 0; level + 1 < stack_.size(); ++level) {
      const JsonValue* container = stack_[level];
      pointer += '/';
      if (container->kind == JsonValue::Kind::array) {
        pointer += std::to_string(container->children.size() - 1);
      } else {
        pointer += pointer_token(container->children.back().key);
      }
    }
    return pointer;
  }

 private:
  std::string_view json_;
  const JsonLimits& limits_;
  const std::size_t* consumed_;
  JsonValue& root_;
  std::vector<JsonProblem>& problems_;
  std::vector<JsonValue*> stack_;
  std::string pending_key_;
  std::size_t pending_key_offset_ = 0;
  bool has_pending_key_ = false;
  std::size_t cursor_ = 0;
  std::size_t values_ = 0;
  bool failed_ = false;
  std::size_t last_token_start_ = 0;  // of the last key or scalar: where a string began
};

}  // namespace

double JsonValue::as_double() const {
  switch (kind) {
    case Kind::integer: return double(integer);
    case Kind::unsigned_integer: return double(unsigned_integer);
    case Kind::floating: return floating;
    default: return 0;
  }
}

std::string pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

bool parse_json_tree(std::string_view json, const JsonLimits& limits, JsonValue& root,
                     std::vector<JsonProblem>& problems) {
  root = JsonValue{};
  std::size_t consumed = 0;
  TreeBuilder builder(json, limits, &consumed, root, problems);
  CountingIterator first(json.data(), json.data(), &consumed);
  CountingIterator last(json.data(), json.data() + json.size(), nullptr);
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(first, last, &builder);
  } catch (const std::exception& e) {
    // The SAX parser reports through parse_error; this is only for allocation failures.
    problems.push_back({0, "", std::string("cannot parse: ") + e.what()});
    return false;
  }
  return ok && !builder.failed();
}

}  // namespace signage::content::detail

namespace signage::content {

std::optional<TextPosition> locate_pointer(std::string_view json, std::string_view pointer) {
  detail::JsonValue root;
  std::vector<detail::JsonProblem> problems;
  if (!detail::parse_json_tree(json, detail::JsonLimits{}, root, problems)) return std::nullopt;
  const detail::JsonValue* at = &root;
  while (!pointer.empty() && pointer[0] == '/') {
    auto end = pointer.find('/', 1);
    std::string_view token = pointer.substr(1, end == std::string_view::npos ? end : end - 1);
    pointer = end == std::string_view::npos ? std::string_view() : pointer.substr(end);
    const detail::JsonValue* next = nullptr;
    for (std::size_t i = 0; i < at->children.size() && !next; ++i) {
      const auto& child = at->children[i];
      bool match = at->kind == detail::JsonValue::Kind::array
                       ? token == std::to_string(i)
                       : detail::pointer_token(child.key) == token;
      if (match) next = &child;
    }
    if (!next) return std::nullopt;
    at = next;
  }
  std::string_view before = json.substr(0, std::min(at->offset, json.size()));
  auto newline = before.rfind('\n');
  int line = 1 + int(std::count(before.begin(), before.end(), '\n'));
  int column = int(before.size() - (newline == std::string_view::npos ? 0 : newline + 1)) + 1;
  return TextPosition{line, column};
}

}  // namespace signage::content
