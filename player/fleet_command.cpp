// signage-player fleet: the publisher's view of a fleet over its MQTT broker (fleet/fleet.h).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "commands.h"
#include "files/files.h"
#include "fleet/fleet.h"
#include "sync/crypto.h"

namespace signage {
namespace {

constexpr const char* kUsage = R"(usage: signage-player fleet --broker URL [OPTIONS]

Shows the players of a fleet as their MQTT broker knows them: online or not, their groups, the
revision each plays against the one it should, when each was last seen, downloads, display,
dropped frames, and which screens acknowledged an alert. See docs/fleet.md.

connection:
  --broker URL           mqtt://HOST[:PORT] (1883) or mqtts://HOST[:PORT] (TLS, 8883)
  --fleet NAME           the fleet's name in the topics (default: default)
  --ca-file FILE         the CA that signed the broker's certificate (mqtts)
  --username USER        with --password-file FILE (the password on its first line)
what to compare:
  --expect-revision N    the revision every player should play
  --source URL           ... or read it from the web source's playlist.json
showing:
  --once                 collect the retained statuses, print the table once and exit (default)
  --watch                redraw the table every second until Ctrl-C
  --settle SECONDS       how long to collect statuses before printing (default 2)
alerts (signed with the content key, kept by the broker for screens that connect later):
  --alert FILE --key NAME.key --group G
                         publish the alert in FILE, then wait for the screens to acknowledge
                         it (up to --wait SECONDS, default 60); exit 1 if some did not
  --cancel ID --key NAME.key --group G
                         take alert ID down in group G
screenshots:
  --screenshot PLAYER -o OUT.png [--width PIXELS]
                         ask PLAYER for a picture of its screen (default width 480)

An alert FILE: {"id": "water-1205", "expires": "2026-12-05T18:00:00+08:00",
                "item": {"type": "alert", "title": "临时停水", "body": "...", "priority": 3}}
)";

struct Options {
  fleet::BrokerSettings broker;
  std::string fleet_name = "default";
  std::optional<std::int64_t> expected_revision;
  std::string source, source_ca_file;
  bool watch = false;
  double settle_s = 2, wait_s = 60;
  std::string alert_file, cancel_id, key_file, group;
  std::string screenshot_player, output;
  int screenshot_width = 480;
};

int fail(const std::string& message) {
  std::cerr << "signage-player fleet: " << message << "\n";
  return 1;
}

int usage(const std::string& message) {
  std::cerr << "signage-player fleet: " << message << "\n\n" << kUsage;
  return 2;
}

// Ctrl-C in --watch and while waiting for acknowledgements: stop and print what is known.
volatile sig_atomic_t interrupted = 0;
void on_interrupt(int) {
  interrupted = 1;
}

std::optional<double> number(std::string_view text) {
  try {
    std::size_t used = 0;
    double value = std::stod(std::string(text), &used);
    if (used == text.size() && value >= 0) return value;
  } catch (...) {
  }
  return std::nullopt;
}

// nullopt: parsed; else the exit code of a usage error or --help.
std::optional<int> parse(const std::vector<std::string_view>& args, Options& o) {
  std::string password_file;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return std::string(args[++i]);
    };
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--once") continue;
    if (a == "--watch") {
      o.watch = true;
      continue;
    }
    auto v = value();
    if (!v) return usage(std::string(a) + " needs a value");
    if (a == "--broker")
      o.broker.url = *v;
    else if (a == "--fleet")
      o.fleet_name = *v;
    else if (a == "--ca-file")
      o.broker.ca_file = o.source_ca_file = *v;
    else if (a == "--username")
      o.broker.username = *v;
    else if (a == "--password-file")
      password_file = *v;
    else if (a == "--source")
      o.source = *v;
    else if (a == "--alert")
      o.alert_file = *v;
    else if (a == "--cancel")
      o.cancel_id = *v;
    else if (a == "--key")
      o.key_file = *v;
    else if (a == "--group")
      o.group = *v;
    else if (a == "--screenshot")
      o.screenshot_player = *v;
    else if (a == "-o")
      o.output = *v;
    else if (a == "--expect-revision" || a == "--settle" || a == "--wait" || a == "--width") {
      auto n = number(*v);
      if (!n) return usage(std::string(a) + " needs a number, not '" + *v + "'");
      if (a == "--expect-revision")
        o.expected_revision = std::int64_t(*n);
      else if (a == "--settle")
        o.settle_s = *n;
      else if (a == "--wait")
        o.wait_s = *n;
      else
        o.screenshot_width = int(*n);
    } else {
      return usage("unknown option '" + std::string(a) + "'");
    }
  }
  if (o.broker.url.empty()) return usage("give the broker: --broker mqtt://HOST[:PORT]");
  if (o.expected_revision && !o.source.empty()) {
    return usage("give --expect-revision or --source, not both");
  }
  int jobs = !o.alert_file.empty() + !o.cancel_id.empty() + !o.screenshot_player.empty();
  if (jobs > 1) return usage("give one of --alert, --cancel and --screenshot at a time");
  if ((!o.alert_file.empty() || !o.cancel_id.empty()) && (o.key_file.empty() || o.group.empty())) {
    return usage("--alert and --cancel need --key NAME.key and --group GROUP");
  }
  if (!o.screenshot_player.empty() && o.output.empty()) {
    return usage("--screenshot needs -o OUT.png");
  }
  if (o.broker.username.empty() != password_file.empty()) {
    return usage("give --username and --password-file together");
  }
  std::string why;
  for (const std::string* name : {&o.fleet_name, &o.group, &o.screenshot_player, &o.cancel_id}) {
    if (!name->empty() && !fleet::valid_name(*name, &why)) {
      return usage("'" + *name + "' cannot be a fleet, group, player or alert name: " + why);
    }
  }
  if (!password_file.empty()) {
    auto password = files::read_secret_line(password_file, "--password-file", &why);
    if (!password) return fail(why), 1;
    o.broker.password = *password;
  }
  return std::nullopt;
}

// Runs the network for `seconds`, feeding the view; false when the connection is lost.
bool collect(fleet::Broker& broker, fleet::View& view, const Options& o, double seconds,
             std::string* error, const std::function<void(const fleet::Message&)>& also = {}) {
  auto until = fleet::now_ms() + std::int64_t(seconds * 1000);
  while (!interrupted && fleet::now_ms() < until) {
    int left = int(std::min<std::int64_t>(200, std::max<std::int64_t>(1, until - fleet::now_ms())));
    if (!broker.poll(
            left,
            [&](const fleet::Message& m) {
              fleet::apply_message(view, o.fleet_name, m.topic, m.payload, fleet::now_ms());
              if (also) also(m);
            },
            error)) {
      return false;
    }
  }
  return true;
}

fleet::TableOptions table_options(const Options& o, const std::string& alert_id = {}) {
  return {o.expected_revision, fleet::now_ms(), alert_id};
}

// The signed message for --alert or --cancel; nullopt after printing why.
std::optional<std::pair<std::string, std::string>> signed_alert(const Options& o) {
  std::string why;
  auto key = files::read_file(o.key_file, 4096, &why);
  if (!key) return fail("cannot read the key: " + why), std::nullopt;
  std::int64_t now = fleet::now_ms();
  std::string text, id;
  if (!o.alert_file.empty()) {
    auto file = files::read_file(o.alert_file, 64 << 10, &why);
    if (!file) return fail("cannot read the alert: " + why), std::nullopt;
    auto built = fleet::alert_from_file(*file, fleet::format_utc_ms(now), &why);
    if (!built) return fail(o.alert_file + ": " + why), std::nullopt;
    text = *built;
  } else {
    text = fleet::cancel_alert(o.cancel_id, fleet::format_utc_ms(now),
                               fleet::format_utc_ms(now + fleet::kCancelValidMs));
  }
  auto message = fleet::signed_message(text, *key, &why);
  if (!message) {
    return fail(o.key_file +
                " is not a signing key (make one with signage-player keygen NAME and "
                "give NAME.key): " +
                why),
           std::nullopt;
  }
  id = fleet::parse_alert_message(*message, nullptr)->id;
  return std::make_pair(id, *message);
}

int publish_alert(fleet::Broker& broker, fleet::View& view, const Options& o) {
  auto message = signed_alert(o);
  if (!message) return 1;
  const auto& [id, payload] = *message;
  std::string why;
  std::string topic = fleet::alert_topic(o.fleet_name, o.group);
  bool echoed = false;  // the broker passed it on (to this program, subscribed to +/alert)
  std::int64_t published = fleet::now_ms();
  auto on_message = [&](const fleet::Message& m) {
    if (m.topic == topic && m.payload == payload) echoed = true;
    auto parts = fleet::split_topic(o.fleet_name, m.topic);
    auto ack = parts.kind == "ack" ? fleet::parse_ack(m.payload, nullptr) : std::nullopt;
    if (ack && ack->alert == id && o.cancel_id.empty()) {
      std::printf("  %s on screen, acknowledged %.3f s after publishing\n", ack->player.c_str(),
                  (fleet::now_ms() - published) / 1000.0);
      std::fflush(stdout);
    }
  };
  if (!broker.publish(topic, payload, true, &why)) return fail(why);
  // A broker acknowledges a message its ACL refuses as if it took it (MQTT 3.1.1): only seeing
  // it come back tells that the screens get it.
  for (int i = 0; i < 50 && !echoed && !interrupted; ++i) {
    if (!collect(broker, view, o, 0.1, &why, on_message)) return fail(why);
  }
  if (!echoed) {
    return fail("the broker did not pass the " +
                std::string(o.cancel_id.empty() ? "alert" : "cancel") + " on: " +
                (o.broker.username.empty() ? std::string("a client without a user name")
                                           : "user '" + o.broker.username + "'") +
                " may not publish to " + topic + " (see the broker's ACL; docs/fleet.md)");
  }
  if (!o.cancel_id.empty()) {
    std::cout << "cancel of alert " << id << " published to group " << o.group
              << " (kept by the broker for screens that connect later)\n";
    return 0;
  }
  std::cout << "alert " << id << " published to group " << o.group << "; waiting up to "
            << int(o.wait_s) << " s for the screens to show it (Ctrl-C stops waiting)\n";
  std::set<std::string> groups = {o.group};
  auto until = published + std::int64_t(o.wait_s * 1000);
  fleet::AlertProgress progress;
  while (!interrupted && fleet::now_ms() < until) {
    if (!collect(broker, view, o, 0.2, &why, on_message)) return fail(why);
    progress = fleet::alert_progress(view, id, groups);
    if (progress.waiting.empty() && progress.holding.empty() && !progress.acked.empty()) break;
  }
  progress = fleet::alert_progress(view, id, groups);
  std::cout << "\n" << fleet::format_table(view, table_options(o, id));
  if (progress.acked.empty() && progress.holding.empty() && progress.waiting.empty()) {
    std::cout << "no screen of group " << o.group
              << " is online; the alert is kept by the broker and shows when they connect\n";
    return 0;
  }
  if (std::size_t missing = progress.waiting.size() + progress.holding.size()) {
    return fail(std::to_string(missing) + " online screen(s) did not show alert " + id +
                " within " + std::to_string(int(o.wait_s)) + " s");
  }
  return 0;
}

int screenshot(fleet::Broker& broker, const Options& o) {
  std::string why;
  std::string topic = fleet::screenshot_topic(o.fleet_name, o.screenshot_player);
  if (!broker.subscribe({topic + "/reply"}, &why)) return fail(why);
  std::string id = std::to_string(fleet::now_ms());
  std::string request = fleet::screenshot_request(id, o.screenshot_width);
  if (!broker.publish(topic, request, false, &why)) return fail(why);
  std::optional<std::string> png;
  auto until = fleet::now_ms() + std::int64_t(o.wait_s * 1000);
  bool failed = false;
  while (!png && !failed && !interrupted && fleet::now_ms() < until) {
    bool ok = broker.poll(
        200,
        [&](const fleet::Message& m) {
          if (m.topic != topic + "/reply") return;
          std::string problem;
          auto reply = fleet::parse_screenshot_reply(m.payload, &problem);
          if (!reply) why = o.screenshot_player + " answered with a broken reply: " + problem;
          if (!reply || reply->id != id) return;
          if (!reply->error.empty()) {
            why = o.screenshot_player + " could not take a screenshot: " + reply->error;
            failed = true;
          } else if (reply->content_type == "image/png") {
            png = reply->image;
          } else {
            why = o.screenshot_player + " answered with something that is not a PNG";
          }
        },
        &why);
    if (!ok) return fail(why);
  }
  if (!png) {
    return fail(why.empty() ? o.screenshot_player + " did not send a screenshot within " +
                                  std::to_string(int(o.wait_s)) +
                                  " s (it is offline, or its version does not take screenshots)"
                            : why);
  }
  if (!files::replace_file(o.output, *png, 0644, &why)) return fail(why);
  std::cout << o.output << ": screenshot of " << o.screenshot_player << " (" << png->size()
            << " bytes)\n";
  return 0;
}

}  // namespace

int fleet_command(const std::vector<std::string_view>& args) {
  Options o;
  if (auto code = parse(args, o)) return *code;
  std::string why;
  if (!o.source.empty()) {
    o.expected_revision = fleet::fetch_revision(o.source, o.source_ca_file, &why);
    if (!o.expected_revision) return fail(why);
  }
  if (!o.alert_file.empty() || !o.cancel_id.empty()) {  // a bad key or file before connecting
    if (!signed_alert(o)) return 1;
  }
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  auto broker = fleet::Broker::connect(o.broker, &why);
  if (!broker) return fail(why);
  if (!o.screenshot_player.empty()) return screenshot(*broker, o);
  if (!broker->subscribe(
          {fleet::status_topic(o.fleet_name, "+"), fleet::ack_topic(o.fleet_name, "+"),
           fleet::alert_topic(o.fleet_name, "+")},
          &why)) {
    return fail(why);
  }
  fleet::View view;
  if (!collect(*broker, view, o, o.settle_s, &why)) return fail(why);
  if (!o.alert_file.empty() || !o.cancel_id.empty()) return publish_alert(*broker, view, o);
  if (!o.watch) {
    std::cout << fleet::format_table(view, table_options(o));
    return 0;
  }
  while (!interrupted) {
    std::cout << "\033[H\033[2J"
              << "fleet " << o.fleet_name << " at " << o.broker.url << " ("
              << fleet::format_utc_ms(fleet::now_ms()) << ", Ctrl-C to stop)\n\n"
              << fleet::format_table(view, table_options(o)) << std::flush;
    if (!collect(*broker, view, o, 1, &why)) return fail(why);
  }
  return 0;
}

}  // namespace signage
