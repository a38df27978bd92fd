// Topics and the JSON payloads of the fleet (docs/fleet.md), and signed alerts.
#include <sodium.h>
#include <time.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "content/content.h"
#include "fleet/fleet.h"
#include "sync/crypto.h"

namespace signage::fleet {
namespace {
using nlohmann::json;

// A payload is small; a broker may carry anything, so a limit keeps a wrong one harmless.
constexpr std::size_t kMaxPayload = 256 << 10;

std::optional<json> parse_object(std::string_view payload, const char* what, std::string* error) {
  if (payload.size() > kMaxPayload) {
    if (error) *error = std::string(what) + " is larger than 256 KiB";
    return std::nullopt;
  }
  json value = json::parse(payload, nullptr, false);
  if (value.is_discarded() || !value.is_object()) {
    if (error) *error = std::string(what) + " is not a JSON object";
    return std::nullopt;
  }
  return value;
}

std::string text_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

template <class T>
std::optional<T> number_of(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;  // no float casts
  return it->get<T>();
}

std::vector<std::string> strings_of(const json& object, const char* key) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return out;
  for (const json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

}  // namespace

std::string status_topic(std::string_view fleet, std::string_view player) {
  return "signage/" + std::string(fleet) + "/status/" + std::string(player);
}
std::string ack_topic(std::string_view fleet, std::string_view player) {
  return "signage/" + std::string(fleet) + "/ack/" + std::string(player);
}
std::string alert_topic(std::string_view fleet, std::string_view group) {
  return "signage/" + std::string(fleet) + "/" + std::string(group) + "/alert";
}
std::string update_topic(std::string_view fleet, std::string_view group) {
  return "signage/" + std::string(fleet) + "/" + std::string(group) + "/update";
}
std::string screenshot_topic(std::string_view fleet, std::string_view player) {
  return "signage/" + std::string(fleet) + "/screenshot/" + std::string(player);
}

TopicParts split_topic(std::string_view fleet, std::string_view topic) {
  std::string prefix = "signage/" + std::string(fleet) + "/";
  if (!topic.starts_with(prefix)) return {};
  topic.remove_prefix(prefix.size());
  auto slash = topic.find('/');
  if (slash == std::string_view::npos || topic.find('/', slash + 1) != std::string_view::npos) {
    return {};
  }
  std::string_view first = topic.substr(0, slash), second = topic.substr(slash + 1);
  if (first == "status" || first == "ack") return {std::string(first), std::string(second)};
  if (second == "alert") return {"alert", std::string(first)};
  return {};
}

bool valid_name(std::string_view name, std::string* error) {
  // As the player checks its own names (sync/mqtt_source.h, topic_level_problem).
  if (name.empty() || name.size() > 64) return fail(error, "must have 1 to 64 characters");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return fail(error, "may only use letters A-Z and a-z, digits, '.', '_' and '-'");
    }
  }
  if (name == "status" || name == "ack" || name == "screenshot") {
    return fail(error, "'" + std::string(name) + "' is a word the topics use");
  }
  return true;
}

std::optional<Status> parse_status(std::string_view payload, std::string* error) {
  auto object = parse_object(payload, "the status", error);
  if (!object) return std::nullopt;
  Status s;
  s.player = text_of(*object, "player");
  auto online = object->find("online");
  if (s.player.empty() || online == object->end() || !online->is_boolean()) {
    fail(error, "the status has no \"player\" or no \"online\" (true or false)");
    return std::nullopt;
  }
  s.online = online->get<bool>();
  s.groups = strings_of(*object, "groups");
  s.revision = number_of<std::int64_t>(*object, "revision");
  if (auto playing = object->find("playing"); playing != object->end() && playing->is_object()) {
    s.playing_item = text_of(*playing, "item");
    s.playing_since_ms = number_of<std::int64_t>(*playing, "since_ms").value_or(0);
  }
  if (auto sync = object->find("sync"); sync != object->end() && sync->is_object()) {
    s.sync_state = text_of(*sync, "state");
    s.sync_error = text_of(*sync, "last_error");
  }
  if (auto dl = object->find("download"); dl != object->end() && dl->is_object()) {
    s.download_done = number_of<std::uint64_t>(*dl, "done_bytes");
    s.download_total = number_of<std::uint64_t>(*dl, "total_bytes");
  }
  s.uptime_s = number_of<std::int64_t>(*object, "uptime_s").value_or(0);
  s.frames = number_of<std::uint64_t>(*object, "frames").value_or(0);
  s.dropped_frames = number_of<std::uint64_t>(*object, "dropped_frames").value_or(0);
  s.display = text_of(*object, "display");
  s.alerts = strings_of(*object, "alerts");
  s.time_ms = number_of<std::int64_t>(*object, "time_ms").value_or(0);
  return s;
}

std::optional<Ack> parse_ack(std::string_view payload, std::string* error) {
  auto object = parse_object(payload, "the acknowledgement", error);
  if (!object) return std::nullopt;
  Ack ack{text_of(*object, "player"), text_of(*object, "alert"), text_of(*object, "issued"),
          number_of<std::int64_t>(*object, "shown_ms").value_or(0)};
  if (ack.player.empty() || ack.alert.empty()) {
    fail(error, "the acknowledgement has no \"player\" or no \"alert\"");
    return std::nullopt;
  }
  return ack;
}

std::optional<Alert> parse_alert_message(std::string_view payload, std::string* error) {
  auto envelope = parse_object(payload, "the alert message", error);
  if (!envelope) return std::nullopt;
  Alert alert;
  alert.text = text_of(*envelope, "alert");
  auto object = parse_object(alert.text, "the alert in the message", error);
  if (!object) return std::nullopt;
  alert.id = text_of(*object, "id");
  alert.action = text_of(*object, "action");
  alert.issued = text_of(*object, "issued");
  alert.expires = text_of(*object, "expires");
  if (auto item = object->find("item"); item != object->end() && item->is_object()) {
    alert.title = text_of(*item, "title");
    alert.body = text_of(*item, "body");
    alert.priority = number_of<int>(*item, "priority").value_or(2);
  }
  if (alert.id.empty()) {
    fail(error, "the alert has no \"id\"");
    return std::nullopt;
  }
  return alert;
}

std::optional<std::string> alert_from_file(std::string_view file_text, std::string_view issued,
                                           std::string* error) {
  json object = json::parse(file_text, nullptr, false);
  if (object.is_discarded() || !object.is_object()) {
    fail(error, "is not a JSON object like {\"id\": ..., \"expires\": ..., \"item\": {...}}");
    return std::nullopt;
  }
  for (const auto& [key, value] : object.items()) {
    if (key != "id" && key != "action" && key != "issued" && key != "expires" && key != "item") {
      fail(error, "\"" + key +
                      "\" is not a field of an alert (players refuse it): use \"id\", "
                      "\"expires\" and \"item\"");
      return std::nullopt;
    }
  }
  std::string why;
  if (!object.contains("id") || !object["id"].is_string() ||
      !valid_name(object["id"].get<std::string>(), &why)) {
    fail(error, "\"id\" must be a text naming the alert (" +
                    (why.empty() ? std::string("missing") : why) + ")");
    return std::nullopt;
  }
  if (!object.contains("action")) object["action"] = "show";
  if (object["action"] != "show") {
    fail(error, "\"action\" must be \"show\" (use --cancel ID to take an alert down)");
    return std::nullopt;
  }
  if (!object.contains("issued")) object["issued"] = std::string(issued);
  for (const char* key : {"issued", "expires"}) {
    if (!object.contains(key) || !object[key].is_string() ||
        !parse_time_ms(object[key].get<std::string>())) {
      fail(error, std::string("\"") + key +
                      "\" must be a date and time with its offset, e.g. "
                      "\"2026-12-05T18:00:00+08:00\"");
      return std::nullopt;
    }
  }
  if (*parse_time_ms(object["expires"].get<std::string>()) <=
      *parse_time_ms(object["issued"].get<std::string>())) {
    fail(error, "\"expires\" is not after \"issued\": the alert would never show");
    return std::nullopt;
  }
  json& item = object["item"];
  if (!item.is_object() || text_of(item, "type") != "alert" || !item.contains("title") ||
      !item["title"].is_string() || item["title"].get<std::string>().empty()) {
    fail(error,
         "\"item\" must be {\"type\": \"alert\", \"title\": ..., \"body\": ..., "
         "\"priority\": 1-3} with a title");
    return std::nullopt;
  }
  if (item.contains("priority") &&
      (!item["priority"].is_number_integer() || item["priority"] < 1 || item["priority"] > 3)) {
    fail(error, "\"item\".\"priority\" must be 1 (information), 2 (warning) or 3 (emergency)");
    return std::nullopt;
  }
  return object.dump();
}

std::string cancel_alert(std::string_view id, std::string_view issued, std::string_view expires) {
  return json{{"id", id}, {"action", "cancel"}, {"issued", issued}, {"expires", expires}}.dump();
}

std::optional<std::string> signed_message(std::string_view alert_text, std::string_view secret_key,
                                          std::string* error) {
  if (!sync::crypto_init()) {
    fail(error, "libsodium failed to initialize");
    return std::nullopt;
  }
  auto signature = sync::sign_detached(alert_text, secret_key, error);
  if (!signature) return std::nullopt;
  return json{{"alert", alert_text}, {"signature", *signature}}.dump();
}

std::string format_utc_ms(std::int64_t unix_ms) {
  time_t seconds = unix_ms / 1000;
  tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                int(unix_ms % 1000));
  return text;
}

std::optional<std::int64_t> parse_time_ms(std::string_view text) {
  auto seconds = content::parse_instant(text);
  if (!seconds) return std::nullopt;
  // parse_instant reads and drops a fraction of a second; the milliseconds are its first digits.
  std::int64_t ms = 0;
  auto dot = text.find('.');
  if (dot != std::string_view::npos) {
    int scale = 100;
    for (std::size_t i = dot + 1;
         i < text.size() && scale > 0 && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      ms += (text[i] - '0') * scale;
      scale /= 10;
    }
  }
  return *seconds * 1000 + ms;
}

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string screenshot_request(std::string_view id, int width) {
  return json{{"id", id}, {"width", width}}.dump();
}

std::optional<ScreenshotReply> parse_screenshot_reply(std::string_view payload,
                                                      std::string* error) {
  if (payload.size() > kMaxScreenshotReply) {
    fail(error,
         "the screenshot is larger than " + std::to_string(kMaxScreenshotReply >> 20) + " MiB");
    return std::nullopt;
  }
  json reply = json::parse(payload, nullptr, false);
  if (reply.is_discarded() || !reply.is_object() || !reply.contains("id")) {
    fail(error, "a screenshot reply is a JSON object with an \"id\"");
    return std::nullopt;
  }
  ScreenshotReply out{text_of(reply, "id"), text_of(reply, "player"), {}, {}, {}};
  if (reply.contains("error")) {  // the player says why it cannot (display off, bad width)
    out.error = text_of(reply, "error");
    if (out.error.empty()) out.error = "(no reason)";
    return out;
  }
  std::string text = text_of(reply, "png");
  std::string bytes(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    fail(error, "the screenshot reply has no picture (\"png\": base64)");
    return std::nullopt;
  }
  bytes.resize(length);
  if (bytes.starts_with("\x89PNG\r\n\x1a\n")) {
    out.content_type = "image/png";
  } else if (bytes.starts_with("\xff\xd8\xff")) {
    out.content_type = "image/jpeg";
  } else {
    fail(error, "the screenshot is neither a PNG nor a JPEG picture");
    return std::nullopt;
  }
  out.image = std::move(bytes);
  return out;
}

}  // namespace signage::fleet
