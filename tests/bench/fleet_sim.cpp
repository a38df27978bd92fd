// fleet_sim: N players' own sync clients (sync::Sync: store, web source, MQTT client) in one
// process, without rendering: what a fleet of screens does to a broker and a web server. Each
// player has its own state folder and player id (sim-000, sim-001, ...). A "frame loop" thread
// stands in for the renderer: when a playlist with an alert in it arrives, the alert is reported
// on screen at the next 16 ms tick, as the frame loop reports the item it shows.
//
//   fleet_sim --players 100 [--first 0] --broker mqtt://127.0.0.1:PORT
//             --source http://127.0.0.1:P/playlist.json --public-key content.pub --state-root DIR
//             [--fleet NAME] [--group G] [--connect-spacing-ms 10] [--duration S]
//
// At most about 300 players per process: libmosquitto's mosquitto_loop waits with select(),
// which cannot watch a descriptor numbered 1024 or more, and each player holds a few (a player
// on a screen holds one broker connection, far below that). fleet_scale.py runs 100 a process.
//
// It prints one line "ready N" when every player is started, and runs until --duration or
// SIGTERM. Used by fleet_scale.py (README.md, "Fleet").
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "files/files.h"
#include "sync/crypto.h"
#include "sync/sync.h"

namespace {
namespace fs = std::filesystem;
using namespace signage;

volatile sig_atomic_t stopping = 0;
void on_signal(int) {
  stopping = 1;
}

struct Options {
  int players = 100, first = 0;
  std::string broker, source, public_key, fleet = "default", group = "district";
  fs::path state_root;
  int connect_spacing_ms = 10;
  double duration_s = 0;  // 0: until SIGTERM
};

// What the frame loops of all players would report next: the alert each has to put on screen.
struct Screens {
  std::mutex mutex;
  std::vector<std::optional<sync::PlayingNow>> pending;
};

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--players")
      o.players = std::stoi(v);
    else if (a == "--first")
      o.first = std::stoi(v);
    else if (a == "--broker")
      o.broker = v;
    else if (a == "--source")
      o.source = v;
    else if (a == "--public-key")
      o.public_key = v;
    else if (a == "--state-root")
      o.state_root = v;
    else if (a == "--fleet")
      o.fleet = v;
    else if (a == "--group")
      o.group = v;
    else if (a == "--connect-spacing-ms")
      o.connect_spacing_ms = std::stoi(v);
    else if (a == "--duration")
      o.duration_s = std::stod(v);
    else
      return false;
  }
  return argc % 2 == 1 && !o.broker.empty() && !o.source.empty() && !o.public_key.empty() &&
         !o.state_root.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(
        stderr,
        "usage: fleet_sim --players N [--first I] --broker URL --source URL --public-key FILE "
        "--state-root DIR [--fleet NAME] [--group G] [--connect-spacing-ms MS] "
        "[--duration S]\n");
    return 2;
  }
  sync::crypto_init();
  std::string why;
  auto key_text = files::read_file(o.public_key, 4096, &why);
  auto key = key_text ? sync::parse_public_key(*key_text, &why) : std::nullopt;
  if (!key) {
    std::fprintf(stderr, "fleet_sim: %s\n", why.c_str());
    return 1;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  // Every Sync is opened before any starts: open sets GNUTLS_NO_IMPLICIT_INIT (setenv), which
  // must happen before other threads run.
  std::vector<std::unique_ptr<sync::Sync>> players;
  for (int i = 0; i < o.players; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "sim-%03d", o.first + i);
    sync::SyncOptions options;
    options.state_dir = o.state_root / id;
    options.player_id = id;
    options.public_keys = {*key};
    options.http.url = o.source;
    options.watch_usb = false;
    options.mqtt.broker = o.broker;
    options.mqtt.fleet = o.fleet;
    options.mqtt.groups = {o.group};
    auto player = sync::Sync::open(options, &why);
    if (!player) {
      std::fprintf(stderr, "fleet_sim: %s: %s\n", id, why.c_str());
      return 1;
    }
    players.push_back(std::move(player));
  }

  Screens screens;
  screens.pending.resize(players.size());
  for (std::size_t i = 0; i < players.size() && !stopping; ++i) {
    sync::SyncCallbacks callbacks;
    callbacks.on_playlist = [&screens, i](std::shared_ptr<const content::Playlist> playlist) {
      // The alerts come after the playlist's own items, the newest last: it goes on screen.
      for (std::size_t k = playlist ? playlist->items.size() : 0; k-- > 0;) {
        const content::Item& item = playlist->items[k];
        if (item.type != content::ItemType::alert) continue;
        std::lock_guard lock(screens.mutex);
        screens.pending[i] = sync::PlayingNow{item.id, k, 0, playlist->revision};
        return;
      }
    };
    players[i]->start(std::move(callbacks));
    std::this_thread::sleep_for(std::chrono::milliseconds(o.connect_spacing_ms));
  }
  std::printf("ready %zu\n", players.size());
  std::fflush(stdout);

  // The frame loops: every 16 ms, each alert that arrived goes on screen.
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.duration_s);
  while (!stopping && (o.duration_s <= 0 || std::chrono::steady_clock::now() < end)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(16));
    std::lock_guard lock(screens.mutex);
    for (std::size_t i = 0; i < players.size(); ++i) {
      if (!screens.pending[i]) continue;
      sync::PlayingNow now = *screens.pending[i];
      now.since_ms = now_ms();
      if (players[i]->report_playing(now)) screens.pending[i].reset();  // busy: next frame
    }
  }
  players.clear();  // each says "offline" (retained) and disconnects
  return 0;
}
