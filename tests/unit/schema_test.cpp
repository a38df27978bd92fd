// playlists/schema/playlist.schema.json and `signage-player check` (content::parse_playlist) must
// agree on which fields exist where. From the schema this test makes a playlist that uses every
// property it allows (one item of each type), and checks:
//  - the checker takes it without an error and without an unknown-field warning;
//  - every name the checker knows in an object is in the schema there: each object of that
//    playlist is given, besides its own fields, every other name that appears as a string literal
//    in player/content/ (the checker's source), and each must be reported as unknown or unused.
// A field added to only one of the two fails here, naming it and where.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "content/content.h"
#include "render/render.h"
#include "support/temp_dir.h"
#include "sync/crypto.h"

namespace signage::content {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const fs::path kSource = SIGNAGE_SOURCE_DIR;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

const json& schema() {
  static const json s = json::parse(read(kSource / "playlists/schema/playlist.schema.json"));
  return s;
}

// Follows "$ref" ("#/$defs/name") to the definition.
const json& resolve(const json& node) {
  if (!node.is_object() || !node.contains("$ref")) return node;
  const std::string ref = node["$ref"];
  return resolve(schema().at(json::json_pointer(ref.substr(1))));
}

std::string ref_name(const json& node) {
  if (!node.is_object() || !node.contains("$ref")) return "";
  const std::string ref = node["$ref"];
  return ref.substr(ref.rfind('/') + 1);
}

// The properties an object may have: its own, through "$ref", and those of each "allOf" branch
// whose "if" names `type` (items).
json properties_of(const json& node, const std::string& type) {
  json properties = json::object();
  auto merge = [&](const json& n) {
    if (n.contains("properties")) properties.update(n["properties"]);
  };
  const json& r = resolve(node);
  merge(node);
  merge(r);
  for (const json& branch : r.value("allOf", json::array())) {
    const json condition = branch.value("if", json::object());
    const json if_type =
        condition.value("properties", json::object()).value("type", json::object());
    if (!condition.empty() && if_type.value("const", "") != type) continue;
    merge(resolve(branch.value("then", branch)));
  }
  return properties;
}

bool is_map(const json& node) {
  return resolve(node).value("additionalProperties", json(false)).is_object();
}

json example(const json& node, const std::string& key);

json object_example(const json& node, const std::string& type) {
  json out = json::object();
  if (!type.empty()) out["type"] = type;
  const json properties = properties_of(node, type);
  for (const auto& [name, property] : properties.items()) {
    if (name != "type") out[name] = example(property, name);
  }
  return out;
}

// A valid value for `node` (the schema of the field `key`).
json example(const json& node, const std::string& key) {
  const std::string name = ref_name(node);
  if (name == "id") return "a1";
  if (name == "clock_time") return key == "until" ? "18:00" : "08:00";
  if (name == "instant") {
    return key == "valid_until" ? "2030-01-01T00:00:00+08:00" : "2025-01-20T08:00:00+08:00";
  }
  if (name == "asset") return "images/a.png";
  for (const char* given : {"const", "default"}) {
    if (node.contains(given)) return node[given];
  }
  for (const char* listed : {"enum", "examples", "anyOf"}) {
    if (node.contains(listed)) {
      return std::string(listed) == "anyOf" ? example(node[listed][0], key) : node[listed][0];
    }
  }
  if (node.contains("$ref")) return example(resolve(node), key);
  const std::string type = node.value("type", "object");
  if (type == "string") return "文字";
  if (type == "boolean") return true;
  if (type == "number" || type == "integer") {
    const double v = std::clamp(1.0, node.value("minimum", 1.0), node.value("maximum", 1.0));
    return type == "integer" ? json(std::int64_t(v)) : json(v);
  }
  if (type == "array") {
    json out = json::array();
    for (int i = 0; i < std::max(1, node.value("minItems", 1)); ++i) {
      out.push_back(example(node["items"], key));
    }
    return out;
  }
  if (is_map(node))
    return json::object({{"images/a.png", example(node["additionalProperties"], "")}});
  return object_example(node, "");
}

class SchemaAgreement : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(signage::sync::crypto_init());
    text::RgbaImage picture(8, 8);
    std::fill(picture.pixels.begin(), picture.pixels.end(), 200);
    fs::create_directories(bundle.path / "images");
    ASSERT_EQ(render::save_png(picture, (bundle.path / "images/a.png").string()), "");
    playlist = object_example(schema(), "");
    json items = json::array();
    for (const json& type : resolve(schema()["$defs"]["item"])["properties"]["type"]["enum"]) {
      json item = object_example(schema()["$defs"]["item"], type);
      item["id"] = "item-" + std::to_string(items.size());
      items.push_back(item);
    }
    playlist["items"] = items;
    const std::string png = read(bundle.path / "images/a.png");
    playlist["assets"]["images/a.png"] = {{"size", png.size()},
                                          {"sha256", signage::sync::sha256_hex(png)}};
  }

  ParseResult parse(const json& p) {
    return parse_playlist(p.dump(2), "schema-example.json", bundle.path);
  }

  test_support::TempDir temp{"schema-test"};
  test_support::TempDir& bundle = temp;
  json playlist;
};

bool reports_unknown(const Diagnostic& d) {
  return d.message.find("unknown field") != std::string::npos ||
         d.message.find("is not used by") != std::string::npos;
}

TEST_F(SchemaAgreement, EveryPropertyOfTheSchemaIsAccepted) {
  ParseResult result = parse(playlist);
  EXPECT_TRUE(result.playlist) << playlist.dump(2);
  for (const Diagnostic& d : result.diagnostics) {
    EXPECT_FALSE(reports_unknown(d))
        << "in the schema, unknown to the checker: " << format_diagnostic(d);
    EXPECT_NE(d.severity, Severity::error)
        << "the example from the schema is wrong here: " << format_diagnostic(d) << "\n"
        << playlist.dump(2);
  }
  EXPECT_EQ(result.playlist ? result.playlist->items.size() : 0u, playlist["items"].size());
}

// Names the checker's source spells: a superset of the fields it knows.
std::set<std::string> names_in_the_checker() {
  std::set<std::string> names;
  const std::regex literal("\"([a-z][a-z0-9_]{0,40})\"");
  for (const auto& entry : fs::directory_iterator(kSource / "player" / "content")) {
    const std::string code = read(entry.path());
    for (std::sregex_iterator it(code.begin(), code.end(), literal), end; it != end; ++it) {
      names.insert((*it)[1]);
    }
  }
  return names;
}

// `key` as one step of a JSON pointer.
std::string step(const std::string& key) {
  std::string out = "/";
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

// Every object in `instance` (whose schema is `node`) that is not a map: its JSON pointer and the
// properties the schema gives it.
void objects(const json& instance, const json& node, const std::string& pointer,
             std::vector<std::pair<std::string, json>>& out) {
  const json& r = resolve(node);
  if (instance.is_array()) {
    for (std::size_t i = 0; i < instance.size(); ++i) {
      objects(instance[i], r.value("items", json::object()), pointer + "/" + std::to_string(i),
              out);
    }
    return;
  }
  if (!instance.is_object()) return;
  if (is_map(node)) {
    for (const auto& [key, value] : instance.items()) {
      objects(value, r["additionalProperties"], pointer + step(key), out);
    }
    return;
  }
  const json properties = properties_of(node, instance.value("type", ""));
  out.emplace_back(pointer, properties);
  for (const auto& [key, value] : instance.items()) {
    if (properties.contains(key)) objects(value, properties[key], pointer + step(key), out);
  }
}

TEST_F(SchemaAgreement, EveryFieldTheCheckerKnowsIsInTheSchema) {
  const std::set<std::string> names = names_in_the_checker();
  ASSERT_GT(names.size(), 50u);
  std::vector<std::pair<std::string, json>> all;
  objects(playlist, schema(), "", all);
  ASSERT_GE(all.size(), 12u);  // the root, theme, defaults, ticker, 6 items, schedules, ...
  const std::string canary = "zz_no_such_field";
  for (const auto& [pointer, properties] : all) {
    json probe = playlist;
    json& object = pointer.empty() ? probe : probe.at(json::json_pointer(pointer));
    std::vector<std::string> added{canary};
    for (const std::string& name : names) {
      if (!properties.contains(name) && !object.contains(name)) added.push_back(name);
    }
    for (const std::string& name : added) object[name] = nullptr;
    std::set<std::string> reported;
    for (const Diagnostic& d : parse(probe).diagnostics) {
      if (reports_unknown(d)) reported.insert(d.pointer);
    }
    ASSERT_TRUE(reported.count(pointer + step(canary)))
        << pointer
        << ": the checker does not report unknown fields here, so this test cannot "
           "see what it knows";
    for (const std::string& name : added) {
      EXPECT_TRUE(reported.count(pointer + step(name)))
          << "the checker knows \"" << name << "\" at " << (pointer.empty() ? "/" : pointer)
          << " (no unknown-field warning), but the schema has no such property there";
    }
  }
}

}  // namespace
}  // namespace signage::content
