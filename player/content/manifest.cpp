// The playlist text with a new "assets" list, for `signage-player manifest`: only that member
// is rewritten, the author's layout of the rest is kept.
#include <nlohmann/json.hpp>

#include "content/content.h"
#include "content/json_tree.h"

namespace signage::content {

using Kind = detail::JsonValue::Kind;

std::optional<std::string> with_asset_list(std::string_view json,
                                           const std::vector<Asset>& assets) {
  detail::JsonValue root;
  std::vector<detail::JsonProblem> problems;
  if (!detail::parse_json_tree(json, detail::JsonLimits{}, root, problems) ||
      root.kind != Kind::object) {
    return std::nullopt;
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::object();
  for (const Asset& asset : assets) {
    list[asset.path] = {{"size", asset.size}, {"sha256", asset.sha256}};
  }
  // One asset per line, in the two-space style of the examples.
  std::string value = "{";
  for (auto it = list.begin(); it != list.end(); ++it) {
    value += std::string(it == list.begin() ? "" : ",") + "\n    " +
             nlohmann::ordered_json(it.key()).dump(-1, ' ', false) + ": " + it.value().dump();
  }
  value += assets.empty() ? "}" : "\n  }";
  std::size_t close = json.find_last_of('}');
  for (std::size_t i = 0; i < root.children.size(); ++i) {
    const detail::JsonValue& member = root.children[i];
    if (member.key != "assets") continue;
    // The old value runs up to the next member's key (less the comma) or the closing brace.
    std::size_t end = i + 1 < root.children.size() ? root.children[i + 1].key_offset : close;
    end = json.find_last_not_of(" \t\r\n", end - 1) + 1;
    if (i + 1 < root.children.size() && end > 0 && json[end - 1] == ',') {
      end = json.find_last_not_of(" \t\r\n", end - 2) + 1;
    }
    return std::string(json.substr(0, member.offset)) + value + std::string(json.substr(end));
  }
  std::size_t last = json.find_last_not_of(" \t\r\n", close - 1);
  bool empty = json[last] == '{';
  return std::string(json.substr(0, last + 1)) + (empty ? "" : ",") + "\n  \"assets\": " + value +
         "\n" + std::string(json.substr(close));
}

}  // namespace signage::content
