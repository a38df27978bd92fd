// Internal to content/: a JSON tree that remembers where each key and value starts in the file,
// built with nlohmann-json's SAX parser reading through a byte-counting iterator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace signage::content::detail {

struct JsonValue {
  enum class Kind { null, boolean, integer, unsigned_integer, floating, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  std::int64_t integer = 0;
  std::uint64_t unsigned_integer = 0;
  double floating = 0;
  std::string string;               // the decoded string (Kind::string)
  std::vector<JsonValue> children;  // array elements or object members, in file order
  std::string key;                  // for object members: the member's name
  std::size_t offset = 0;           // byte offset of the value's first character
  std::size_t key_offset = 0;       // for object members: byte offset of the key's opening quote

  bool is_number() const {
    return kind == Kind::integer || kind == Kind::unsigned_integer || kind == Kind::floating;
  }
  double as_double() const;
};

struct JsonLimits {
  std::size_t max_depth = 32;
  std::size_t max_values = 200000;
};

struct JsonProblem {
  std::size_t offset = 0;
  std::string pointer;
  std::string message;
  std::size_t first_offset = std::size_t(-1);  // a duplicate key: where the name first appears
};

// Parses `json` into `root`. A duplicate key adds a problem and is left out of the tree; parsing
// goes on. A syntax error, a nesting deeper than the limit or too many values add a problem and
// return false (the tree is then incomplete). Never throws.
bool parse_json_tree(std::string_view json, const JsonLimits& limits, JsonValue& root,
                     std::vector<JsonProblem>& problems);

// "~" and "/" escaped as RFC 6901 says.
std::string pointer_token(std::string_view key);

}  // namespace signage::content::detail
