// The fleet page: the broker connection on its own thread, the view in memory, and its routes.
#include "studio/fleet_watch.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "files/files.h"

namespace signage::studio {
namespace {
using nlohmann::json;

json strings(const std::vector<std::string>& list) {
  return json(list);
}

json player_json(const std::string& name, const fleet::PlayerRow& row,
                 std::optional<std::int64_t> expected, std::int64_t now) {
  const fleet::Status& s = row.status;
  const fleet::Status& known = s.online ? s : row.last_online;
  bool seen = s.online || row.seen_online;
  json out = {{"name", name},
              {"online", s.online},
              {"groups", seen ? strings(known.groups) : json::array()},
              {"revision", seen && known.revision ? json(*known.revision) : json(nullptr)},
              {"last_seen_ms", fleet::last_seen_ms(row, now)},
              {"playing", s.online ? s.playing_item : ""},
              {"sync_state", s.online ? s.sync_state : ""},
              {"sync_error", s.online ? s.sync_error : ""},
              {"display", s.online ? s.display : ""},
              {"dropped_frames", s.online ? s.dropped_frames : 0},
              {"alerts", s.online ? strings(s.alerts) : json::array()},
              {"download", nullptr}};
  // "current", "behind", "newer" against the studio's published revision; "unknown" without.
  std::string state = "unknown";
  if (expected && seen && known.revision) {
    state = *known.revision == *expected  ? "current"
            : *known.revision < *expected ? "behind"
                                          : "newer";
  }
  out["revision_state"] = state;
  if (s.online && s.download_total) {
    out["download"] = {{"done", s.download_done.value_or(0)}, {"total", *s.download_total}};
  }
  return out;
}

json alert_json(const fleet::View& view, const std::string& id) {
  json out = {{"id", id}, {"groups", json::array()}};
  for (const auto& [group, alert] : view.group_alerts) {
    if (alert.id != id) continue;
    out["groups"].push_back(group);
    out["title"] = alert.title;
    out["body"] = alert.body;
    out["priority"] = alert.priority;
    out["expires"] = alert.expires;
  }
  fleet::AlertProgress progress = fleet::alert_progress(view, id, fleet::groups_of_alert(view, id));
  json acked = json::array();
  auto acks = view.acks.find(id);
  for (const std::string& name : progress.acked) {
    json entry = {{"player", name}, {"shown_after_s", nullptr}};
    if (acks != view.acks.end() && acks->second.count(name)) {
      const fleet::AckSeen& seen = acks->second.at(name);
      auto issued = fleet::parse_time_ms(seen.ack.issued);
      if (issued && seen.ack.shown_ms >= *issued) {
        entry["shown_after_s"] = double(seen.ack.shown_ms - *issued) / 1000.0;
      }
    }
    acked.push_back(entry);
  }
  out["acked"] = acked;
  out["holding"] = progress.holding;
  out["waiting"] = progress.waiting;
  out["offline"] = progress.offline;
  return out;
}

}  // namespace

std::string fleet_settings_problem(const StudioFleetSettings& s) {
  std::string why;
  if (!fleet::parse_broker_url(s.broker, &why)) return "mqtt_broker: " + why;
  if (!fleet::valid_name(s.fleet, &why)) return "mqtt_fleet " + s.fleet + ": " + why;
  if (s.cert_file.empty() != s.key_file.empty()) {
    return "mqtt_cert_file and mqtt_key_file go together: give both or neither";
  }
  if (s.username.empty() != s.password_file.empty()) {
    return "mqtt_username and mqtt_password_file go together: give both or neither";
  }
  for (const std::string& group : s.groups) {
    if (!fleet::valid_name(group, &why)) return "mqtt_groups " + group + ": " + why;
  }
  for (const std::string* file : {&s.ca_file, &s.cert_file, &s.key_file}) {
    if (!file->empty() && !std::filesystem::is_regular_file(*file))
      return "no such file " + *file + " (an mqtt_* setting)";
  }
  return "";
}

FleetWatch::FleetWatch(StudioFleetSettings settings, std::string password, std::string sign_key)
    : settings_(std::move(settings)), sign_key_(std::move(sign_key)) {
  broker_.url = settings_.broker;
  broker_.ca_file = settings_.ca_file;
  broker_.cert_file = settings_.cert_file;
  broker_.key_file = settings_.key_file;
  broker_.username = settings_.username;
  broker_.password = std::move(password);
  thread_ = std::thread([this] { run(); });
}

FleetWatch::~FleetWatch() {
  {
    std::lock_guard lock(mutex_);  // pause() checks stopping_ under it: no lost wake-up
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void FleetWatch::pause(double seconds) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stopping_.load(); });
}

void FleetWatch::run() {
  const std::string& f = settings_.fleet;
  const std::vector<std::string> topics = {fleet::status_topic(f, "+"), fleet::ack_topic(f, "+"),
                                           fleet::alert_topic(f, "+"),
                                           fleet::screenshot_topic(f, "+") + "/reply"};
  double backoff_s = 1;
  while (!stopping_) {
    std::string why;
    auto broker = fleet::Broker::connect(broker_, &why, 10);
    if (broker && !broker->subscribe(topics, &why)) broker.reset();
    if (!broker) {
      {
        std::lock_guard lock(mutex_);
        connected_ = false;
        error_ = why;
      }
      std::fprintf(stderr, "signage-studio: fleet: %s (again in %.0f s)\n", why.c_str(), backoff_s);
      pause(backoff_s);
      backoff_s = std::min(backoff_s * 2, 60.0);
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      connected_ = true;
      error_.clear();
    }
    std::fprintf(stderr, "signage-studio: fleet: connected to %s\n", broker_.url.c_str());
    const auto connected_at = std::chrono::steady_clock::now();
    bool ok = true;
    while (ok && !stopping_) {
      std::deque<Outgoing> out;
      {
        std::lock_guard lock(mutex_);
        out.swap(outbox_);
      }
      while (ok && !out.empty()) {
        Outgoing& next = out.front();
        ok = broker->publish(next.topic, next.payload, next.retain, &why, 10);
        if (ok) {
          std::lock_guard lock(mutex_);
          pushed_ms_ = fleet::now_ms();
          push_error_.clear();
        } else if (++next.tries < kPushTries) {
          push_failed("sending to " + next.topic + " failed (sent again once connected): " + why);
          continue;  // first after the reconnect, before what came later
        } else {
          push_failed("gave up sending to " + next.topic + ": " + why);
        }
        out.pop_front();
      }
      if (!out.empty()) {
        std::lock_guard lock(mutex_);
        outbox_.insert(outbox_.begin(), out.begin(), out.end());
      }
      if (ok)
        ok = broker->poll(
            200, [this](const fleet::Message& m) { handle(m); }, &why);
    }
    {
      std::lock_guard lock(mutex_);
      connected_ = false;
      if (!stopping_) error_ = why;
    }
    // A broker that takes the connection and drops it at once gets no tight reconnect loop.
    if (std::chrono::steady_clock::now() - connected_at > std::chrono::seconds(30)) backoff_s = 1;
    pause(backoff_s);
    backoff_s = std::min(backoff_s * 2, 60.0);
  }
}

void FleetWatch::handle(const fleet::Message& m) {
  std::int64_t now = fleet::now_ms();
  const std::string prefix = "signage/" + settings_.fleet + "/screenshot/";
  if (m.topic.starts_with(prefix) && m.topic.ends_with("/reply")) {
    std::string player = m.topic.substr(prefix.size(), m.topic.size() - prefix.size() - 6);
    {
      std::lock_guard lock(mutex_);  // decode only what was asked for and not answered yet
      auto shot = shots_.find(player);
      if (shot == shots_.end() || shot->second.received_ms != 0) return;
    }
    std::string why;
    auto reply = fleet::parse_screenshot_reply(m.payload, &why);
    std::lock_guard lock(mutex_);
    auto shot = shots_.find(player);
    if (shot == shots_.end() || !reply || reply->id != shot->second.id) return;  // not asked
    shot->second.received_ms = now;
    if (!reply->error.empty()) {
      shot->second.error = reply->error;
    } else if (reply->image.size() > kMaxScreenshotBytes) {
      shot->second.error =
          "the picture is larger than " + std::to_string(kMaxScreenshotBytes >> 20) + " MiB";
    } else {
      shot->second.image = std::move(reply->image);
      shot->second.content_type = reply->content_type;
      shot->second.error.clear();
    }
    return;
  }
  std::lock_guard lock(mutex_);
  fleet::apply_message(view_, settings_.fleet, m.topic, m.payload, now);
}

int FleetWatch::request_screenshot(const std::string& player, int width) {
  std::int64_t now = fleet::now_ms();
  std::lock_guard lock(mutex_);
  auto row = view_.players.find(player);
  if (row == view_.players.end()) return 404;
  if (!row->second.status.online) return 409;
  if (!connected_) return 503;
  auto shot = shots_.find(player);
  if (shot != shots_.end() && !shot->second.received_ms &&
      now - shot->second.asked_ms < kScreenshotPatienceMs) {
    return 202;  // one is on its way
  }
  if (shot == shots_.end() && shots_.size() >= kMaxScreenshots) {
    auto oldest = std::min_element(shots_.begin(), shots_.end(), [](const auto& a, const auto& b) {
      return a.second.asked_ms < b.second.asked_ms;
    });
    shots_.erase(oldest);
  }
  Shot& next = shots_[player];
  next.id = "studio-" + std::to_string(now) + "-" + std::to_string(++next_id_);
  next.asked_ms = now;
  next.received_ms = 0;
  next.error.clear();  // the last picture stays until the new one comes
  outbox_.push_back({fleet::screenshot_topic(settings_.fleet, player),
                     fleet::screenshot_request(next.id, width), false, 0});
  return 202;
}

std::vector<std::string> FleetWatch::groups() const {
  return settings_.groups.empty() ? std::vector<std::string>{"all"} : settings_.groups;
}

void FleetWatch::push_failed(const std::string& why) {
  std::fprintf(stderr, "signage-studio: fleet: %s\n", why.c_str());
  std::lock_guard lock(mutex_);
  push_error_ = why;
}

void FleetWatch::push_update(std::int64_t revision) {
  std::string payload = json{{"revision", revision}}.dump();
  std::lock_guard lock(mutex_);
  for (const std::string& group : groups()) {
    if (outbox_.size() >= kMaxOutbox) {
      push_error_ = "too many messages wait for the broker; the update of revision " +
                    std::to_string(revision) + " was dropped (screens get it at their next poll)";
      return;
    }
    outbox_.push_back({fleet::update_topic(settings_.fleet, group), payload, false, 0});
  }
}

// Signs `text` (the alert or cancel JSON, nullopt: not made, `why`) and queues it, retained, on
// every group's alert topic.
void FleetWatch::push_signed(const std::string& what, const std::optional<std::string>& text,
                             const std::string& why) {
  std::string problem = why;
  std::optional<std::string> message;
  if (text) {
    auto key = files::read_file(sign_key_, 4096, &problem);
    if (key) message = fleet::signed_message(*text, *key, &problem);
  }
  if (!message) return push_failed("cannot send " + what + ": " + problem);
  std::lock_guard lock(mutex_);
  for (const std::string& group : groups()) {
    // An alert is never dropped for room: it matters more than the updates queued before it.
    outbox_.push_back({fleet::alert_topic(settings_.fleet, group), *message, true, 0});
  }
}

void FleetWatch::push_alert(const std::string& id, const std::string& title,
                            const std::string& body, int priority, std::int64_t until_s) {
  if (sign_key_.empty()) return;
  json item = {{"type", "alert"}, {"title", title}, {"priority", priority}};
  if (!body.empty()) item["body"] = body;
  json file = {{"id", id}, {"expires", fleet::format_utc_ms(until_s * 1000)}, {"item", item}};
  std::string why;
  auto text = fleet::alert_from_file(file.dump(), fleet::format_utc_ms(fleet::now_ms()), &why);
  push_signed("alert " + id, text, why);
}

void FleetWatch::push_cancel(const std::string& id) {
  if (sign_key_.empty()) return;
  std::int64_t now = fleet::now_ms();
  push_signed("the cancel of alert " + id,
              fleet::cancel_alert(id, fleet::format_utc_ms(now),
                                  fleet::format_utc_ms(now + fleet::kCancelValidMs)),
              "");
}

std::optional<FleetWatch::Shot> FleetWatch::screenshot(const std::string& player) const {
  std::lock_guard lock(mutex_);
  auto shot = shots_.find(player);
  if (shot == shots_.end()) return std::nullopt;
  return shot->second;
}

json FleetWatch::snapshot(std::optional<std::int64_t> expected) const {
  std::int64_t now = fleet::now_ms();
  std::lock_guard lock(mutex_);
  json out = {{"configured", true},
              {"broker", settings_.broker},
              {"fleet", settings_.fleet},
              {"connected", connected_},
              {"error", error_},
              {"expected_revision", expected ? json(*expected) : json(nullptr)},
              {"now_ms", now},
              {"players", json::array()},
              {"alerts", json::array()},
              {"problems", view_.problems},
              {"push",
               {{"groups", groups()},
                {"alerts", !sign_key_.empty()},
                {"queued", outbox_.size()},
                {"last_ms", pushed_ms_},
                {"error", push_error_}}}};
  for (const auto& [name, row] : view_.players) {
    json p = player_json(name, row, expected, now);
    auto shot = shots_.find(name);
    if (shot != shots_.end()) {
      const Shot& s = shot->second;
      bool waiting = !s.received_ms && now - s.asked_ms < kScreenshotPatienceMs;
      p["screenshot"] = {{"state", waiting            ? "waiting"
                                   : !s.error.empty() ? "failed"
                                   : !s.received_ms   ? "no_answer"
                                                      : "ready"},
                         {"asked_ms", s.asked_ms},
                         {"received_ms", s.received_ms},
                         {"has_image", !s.image.empty()},
                         {"error", s.error}};
    }
    out["players"].push_back(std::move(p));
  }
  std::set<std::string> ids;
  for (const auto& [group, alert] : view_.group_alerts) {
    if (alert.action == "show") ids.insert(alert.id);
  }
  for (const auto& [id, acks] : view_.acks) ids.insert(id);
  for (const std::string& id : ids) out["alerts"].push_back(alert_json(view_, id));
  return out;
}

std::vector<Route> fleet_routes(FleetWatch* watch,
                                std::function<std::int64_t()> expected_revision) {
  std::vector<Route> routes;
  routes.push_back(
      {"GET", "/api/fleet", Permission::signed_in, 0, [watch, expected_revision](const Request&) {
         if (!watch) return json_response(json{{"configured", false}}.dump());
         std::int64_t published = expected_revision();
         return json_response(
             watch->snapshot(published ? std::optional(published) : std::nullopt).dump());
       }});
  routes.push_back(
      {"POST", "/api/fleet/players/{player}/screenshot", Permission::edit, 1024,
       [watch](const Request& r) {
         if (!watch)
           return json_error(404, say(r, "No broker is set (mqtt_broker).",
                                      "没有设置消息服务器（mqtt_broker）。"));
         const std::string& player = r.params.at("player");
         switch (watch->request_screenshot(player)) {
           case 202: return json_response(json{{"asked", true}}.dump(), 202);
           case 404:
             return json_error(404, say(r, "The broker knows no player " + player + ".",
                                        "消息服务器上没有播放器 " + player + "。"));
           case 409:
             return json_error(409, say(r, player + " is offline: it cannot take a screenshot.",
                                        player + " 离线，不能截图。"));
           default:
             return json_error(503, say(r, "No connection to the broker now; try again soon.",
                                        "现在连不上消息服务器，请稍后再试。"));
         }
       }});
  routes.push_back({"GET", "/api/fleet/players/{player}/screenshot", Permission::signed_in, 0,
                    [watch](const Request& r) {
                      auto shot = watch ? watch->screenshot(r.params.at("player")) : std::nullopt;
                      if (!shot || shot->image.empty())
                        return json_error(404, say(r, "No screenshot yet.", "还没有截图。"));
                      Response out;
                      out.content_type = shot->content_type;
                      out.body = std::move(shot->image);
                      return out;
                    }});
  return routes;
}

}  // namespace signage::studio
