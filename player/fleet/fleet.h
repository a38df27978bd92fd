// The fleet view for a publisher: what the players of a fleet report over an MQTT broker
// (retained status, alert acknowledgements), signed alerts and cancels, and screenshots on
// request. Used by `signage-player fleet`; nothing in the player depends on it (it sits above
// sync/crypto and content). The topics and payloads are in docs/fleet.md.
//
//   signage/<fleet>/status/<player>      retained status; the last will {"player","online":false}
//   signage/<fleet>/ack/<player>         {"player","alert","issued","shown_ms"}
//   signage/<fleet>/<group>/alert        retained {"alert": TEXT, "signature": BASE64}
//   signage/<fleet>/<group>/update       check the web source now
//   signage/<fleet>/screenshot/<player>  {"id","width"} -> .../reply {"id","player","png",...}
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace signage::fleet {

// ---------------------------------------------------------------------------------------------
// Topics

std::string status_topic(std::string_view fleet, std::string_view player);  // player "+": all
std::string ack_topic(std::string_view fleet, std::string_view player);
std::string alert_topic(std::string_view fleet, std::string_view group);  // group "+": all
std::string update_topic(std::string_view fleet, std::string_view group);
std::string screenshot_topic(std::string_view fleet, std::string_view player);  // + "/reply"

// What a topic of the fleet is about: the player of a status or ack topic, the group of an
// alert topic; kind empty for a topic that is none of these.
struct TopicParts {
  std::string kind;  // "status", "ack", "alert"
  std::string name;  // the player or the group
};
TopicParts split_topic(std::string_view fleet, std::string_view topic);

// Whether `name` may be a fleet, group or player name in a topic: 1-64 characters, no '/', '+',
// '#', NUL or space, and not one of the words the topics use ("status", "ack", "screenshot").
bool valid_name(std::string_view name, std::string* error);

// ---------------------------------------------------------------------------------------------
// Payloads

// A player's retained status (docs/fleet.md). Fields a player leaves out keep their defaults.
struct Status {
  std::string player;
  bool online = false;
  std::vector<std::string> groups;
  std::optional<std::int64_t> revision;
  std::string playing_item;
  std::int64_t playing_since_ms = 0;
  std::string sync_state, sync_error;
  std::optional<std::uint64_t> download_done, download_total;  // set while downloading
  std::int64_t uptime_s = 0;
  std::uint64_t frames = 0, dropped_frames = 0;
  std::string display;              // "on", "off" or empty
  std::vector<std::string> alerts;  // ids of the alerts it shows
  std::int64_t time_ms = 0;         // when the player sent it (its clock)
};
std::optional<Status> parse_status(std::string_view payload, std::string* error);

struct Ack {
  std::string player, alert, issued;
  std::int64_t shown_ms = 0;
};
std::optional<Ack> parse_ack(std::string_view payload, std::string* error);

// An alert as published: the exact JSON text that was signed, and what it says.
struct Alert {
  std::string text;  // the signed JSON
  std::string id, action, issued, expires, title, body;
  int priority = 2;
};
// The envelope {"alert": TEXT, "signature": SIG} without checking the signature (the view shows
// what is retained; players check it).
std::optional<Alert> parse_alert_message(std::string_view payload, std::string* error);

// Builds the alert text from an author's file: {"id", "expires", "item": {"type": "alert",
// "title", "body", "priority"}}; "action" becomes "show" and "issued" `issued` when the file has
// none. nullopt with the reason (which field, what is wrong) otherwise.
std::optional<std::string> alert_from_file(std::string_view file_text, std::string_view issued,
                                           std::string* error);
// The cancel of alert `id`, issued at `issued`, good until `expires`.
std::string cancel_alert(std::string_view id, std::string_view issued, std::string_view expires);
// How long a cancel is good for (its "expires" after "issued"): it stays retained a week, so
// screens that were off meanwhile still take the alert down.
inline constexpr std::int64_t kCancelValidMs = 7 * 86400 * 1000LL;
// {"alert": TEXT, "signature": ed25519 of TEXT's bytes with `secret_key` (base64)}.
std::optional<std::string> signed_message(std::string_view alert_text, std::string_view secret_key,
                                          std::string* error);

// Unix milliseconds as "2026-12-05T09:30:00.250Z" (the form of "issued" and "expires").
std::string format_utc_ms(std::int64_t unix_ms);
// "issued" / "expires" text (with an offset, fraction allowed) as Unix milliseconds.
std::optional<std::int64_t> parse_time_ms(std::string_view text);

// A screenshot request {"id", "width"} and the player's reply {"id", "player", "png": BASE64}
// or {"id", "player", "error"}. A reply larger than kMaxScreenshotReply is refused unread.
inline constexpr std::size_t kMaxScreenshotReply = 8 << 20;
std::string screenshot_request(std::string_view id, int width);
struct ScreenshotReply {
  std::string id, player;
  std::string image;         // the PNG or JPEG bytes (empty with `error`)
  std::string content_type;  // "image/png" or "image/jpeg"
  std::string error;         // the player's reason when it could not take one
};
// nullopt (with why) when the payload is not a reply, or its picture is not a PNG or JPEG.
std::optional<ScreenshotReply> parse_screenshot_reply(std::string_view payload, std::string* error);

// ---------------------------------------------------------------------------------------------
// The view: every player's last status, acks, and the retained alert of each group.

struct PlayerRow {
  Status status;
  std::int64_t received_ms = 0;  // when this program got the status (its clock)
  bool seen_online = false;      // a status with online:true was received for it
  Status last_online;            // the last such status (for an offline player's last revision)
};

// When the player was last heard of: its status's time (not after now) while online, else when
// its last will came; 0 when never.
std::int64_t last_seen_ms(const PlayerRow& row, std::int64_t now_ms);

struct AckSeen {
  Ack ack;
  std::int64_t received_ms = 0;
};

// A view holds at most this many players and alert ids with acks: a wrong or hostile client
// publishing under made-up names fills problems, not memory.
inline constexpr std::size_t kMaxPlayers = 5000;
inline constexpr std::size_t kMaxAckedAlerts = 100;
inline constexpr std::size_t kMaxAlertId = 64;  // the playlist checker's longest item id

struct View {
  std::map<std::string, PlayerRow> players;
  std::map<std::string, Alert> group_alerts;                   // group -> retained alert
  std::map<std::string, std::map<std::string, AckSeen>> acks;  // alert id -> player -> ack
  std::vector<std::string> problems;                           // payloads that did not parse
};

// Applies one message of the fleet's topics (others are ignored); received_ms: now.
void apply_message(View& view, std::string_view fleet, std::string_view topic,
                   std::string_view payload, std::int64_t received_ms);

struct TableOptions {
  std::optional<std::int64_t> expected_revision;
  std::int64_t now_ms = 0;
  std::string alert_id;  // an alert to report acks for (also every retained one)
};

// The terminal table: one line per player, then one block per alert (who acknowledged it, which
// online screens of its groups have not).
std::string format_table(const View& view, const TableOptions& options);

// For an alert: the players that acknowledged it (it was on their screen), those that hold it
// (its id in their status: checked and kept, but no ack seen by this program: acks are not
// retained, or it waits behind an alert of higher priority) and the online players of `groups`
// that have neither; `offline`: the offline players of `groups` (they get it when they connect).
struct AlertProgress {
  std::vector<std::string> acked, holding, waiting, offline;
};
AlertProgress alert_progress(const View& view, const std::string& alert_id,
                             const std::set<std::string>& groups);
// The groups whose retained alert is `alert_id` (alert_progress's `groups` for it).
std::set<std::string> groups_of_alert(const View& view, const std::string& alert_id);

// ---------------------------------------------------------------------------------------------
// The broker connection (libmosquitto)

struct BrokerSettings {
  std::string url;                  // mqtt://host[:port] (1883) or mqtts://host[:port] (8883)
  std::string ca_file;              // CA for mqtts; empty: the system's CAs
  std::string cert_file, key_file;  // a client certificate and its key (PEM) for mqtts
  std::string username, password;
  std::string client_id;  // empty: made up
  int keepalive_s = 30;
};

struct BrokerAddress {
  std::string host;
  int port = 1883;
  bool tls = false;
};
std::optional<BrokerAddress> parse_broker_url(std::string_view url, std::string* error);

struct Message {
  std::string topic, payload;
  bool retained = false;
};

// One connection, driven from the calling thread (no thread of libmosquitto's own).
class Broker {
 public:
  // Connects and waits for the broker's answer; nullptr with the reason in words a district
  // office understands (broker unreachable, TLS failure, wrong password, not allowed).
  static std::unique_ptr<Broker> connect(const BrokerSettings& settings, std::string* error,
                                         double timeout_s = 15);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Subscribes (QoS 1) and waits for the broker's acknowledgement.
  bool subscribe(const std::vector<std::string>& topics, std::string* error, double timeout_s = 15);
  // Publishes with QoS 1 and waits until the broker has it (PUBACK).
  bool publish(const std::string& topic, std::string_view payload, bool retain, std::string* error,
               double timeout_s = 15);
  // Runs the network for up to `timeout_ms` and calls `on_message` for what arrived; false with
  // the reason when the connection is lost.
  bool poll(int timeout_ms, const std::function<void(const Message&)>& on_message,
            std::string* error);

  struct State;  // what libmosquitto's callbacks write (broker.cpp)

 private:
  Broker() = default;
  bool wait(const std::function<bool()>& done, double timeout_s, std::string* error);
  struct mosquitto* mosq_ = nullptr;
  std::unique_ptr<State> state_;
};

// The "revision" of the playlist.json at `url` (fetched with libcurl; `ca_file` for HTTPS).
std::optional<std::int64_t> fetch_revision(const std::string& url, const std::string& ca_file,
                                           std::string* error);

std::int64_t now_ms();  // Unix milliseconds

}  // namespace signage::fleet
