// signage-player run: plays a playlist on a window, the console (KMSDRM) or headless, and with a
// state directory takes content from a web server (--source) and from USB sticks.
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "commands.h"
#include "content/content.h"
#include "first_boot.h"
#include "player_options.h"
#include "render/render.h"
#include "run/player.h"
#include "run/service_manager.h"
#include "run_settings.h"
#include "screenshots.h"
#include "sync/sync.h"

namespace signage {
namespace {

int usage_error(const std::string& message) {
  std::cerr << "signage-player run: " << message << "\n\n" << run_usage();
  return 2;
}

constexpr const char* kDefaultConfig = "/etc/signage-player/player.conf";

// systemd (Type=notify): READY=1 with the first status, STATUS= when the item or the screen's
// state changes, the heartbeat every frame; nothing without NOTIFY_SOCKET. Made after
// Sync::open's setenv: sd_notify reads the environment on the notifier thread.
class ServiceStatus {
 public:
  explicit ServiceStatus(const run::PlayerOptions& player)
      : player_(player), service_(run::ServiceNotifier::from_environment()) {}
  void frame(const run::FrameInfo& frame) {
    if (!service_) return;
    service_->heartbeat();
    if (frame.playlist && (frame.shown_sequence != sequence_ || frame.display_off != off_)) {
      sequence_ = frame.shown_sequence;
      off_ = frame.display_off;
      const std::int64_t now_s = player_.wall_clock_at_start_s + frame.t / scene::kSecond;
      status_ = frame.display_off
                    ? run::display_off_status(player_.display_hours, *frame.playlist, now_s)
                    : run::playing_status(*frame.playlist, frame.item, frame.alert);
      posted_ = false;
    }
    if (!posted_) posted_ = service_->post_status(status_);
  }

 private:
  const run::PlayerOptions& player_;
  std::unique_ptr<run::ServiceNotifier> service_;
  std::uint64_t sequence_ = ~std::uint64_t(0);
  bool off_ = false, posted_ = true;
  std::string status_;
};

// status.json's player numbers (no allocation: called from the frame loop).
sync::PlayerCounters counters(std::uint64_t frames, std::uint64_t dropped, bool display_on,
                              const run::DisplaySummary& d) {
  return {frames,         dropped,       display_on,      d.present_ms_p50,    d.present_ms_p99,
          d.damaged_mean, d.damaged_p99, d.texture_bytes, d.texture_bytes_peak};
}

}  // namespace

int run_command(const std::vector<std::string_view>& args_in) {
  const auto started = std::chrono::steady_clock::now();  // for the first frame's log line
  std::vector<std::string> args(args_in.begin(), args_in.end());
  RunSettings s;
  bool help = false;

  if (args.size() == 1 && args[0] == "--example-config") {  // for the package's player.conf
    std::cout << run_config_example();
    return 0;
  }

  // The config file first (named, or the default one when it exists); the command line after it.
  RunSettings from_command_line;
  if (std::string problem = parse_run_arguments(args, from_command_line, &help); !problem.empty()) {
    return usage_error(problem);
  }
  if (help) {
    std::cout << run_usage();
    return 0;
  }
  std::optional<std::string> config_file = from_command_line.config_file;
  if (!config_file && std::filesystem::exists(kDefaultConfig)) config_file = kDefaultConfig;
  if (config_file) {
    if (std::string error = read_run_config(*config_file, s); !error.empty()) {
      std::cerr << "signage-player run: " << error << "\n";
      return 2;
    }
    s.use_store = true;
  }
  if (std::string problem = parse_run_arguments(args, s, &help); !problem.empty()) {
    return usage_error(problem);
  }
  if (std::string problem = finish_run_settings(s); !problem.empty()) {
    std::cerr << "signage-player run: " << problem << "\n";
    return 2;
  }

  render::RendererOptions ro;
  ro.output = s.headless     ? render::Output::headless
              : s.fullscreen ? render::Output::fullscreen
                             : render::Output::window;
  ro.vsync = s.player.paced;
  if (s.screen.size) ro.size = *s.screen.size;
  if (s.screen.rotate) ro.rotate = *s.screen.rotate;
  ro.renderer = s.renderer;
  if (s.screen.max_texture_size) ro.max_texture_size = *s.screen.max_texture_size;
  s.player.wall_clock_at_start_s = s.screen.clock.value_or(std::int64_t(std::time(nullptr)));

  run::tune_allocator_for_playing();  // before the sync and player threads start
  std::string error;
  std::unique_ptr<sync::Sync> syncer;
  std::shared_ptr<const content::Playlist> playlist;
  std::string playing;
  if (s.use_store) {
    syncer = sync::Sync::open(s.sync, &error);
    if (!syncer) {
      std::cerr << "signage-player run: " << error << "\n";
      return 1;
    }
    playlist = syncer->stored_playlist();
    if (playlist) playing = "the stored bundle in " + s.sync.state_dir.string();
  }
  if (!playlist && (s.path || !s.use_store)) {
    const std::filesystem::path playlist_path =
        s.path ? std::filesystem::path(*s.path) : run::demo_playlist_path();
    // Watched without a store; with one, what the sources deliver must not be undone by PATH.
    if (!s.use_store) s.player.watch_path = playlist_path;
    playlist = run::load_and_report(playlist_path);
    playing = playlist_path.string();
    if (!playlist) {
      std::cerr << "signage-player run: " << playlist_path.string()
                << " is not a valid playlist (problems above); showing the fallback screen and "
                   "waiting for it to be fixed\n";
    }
  }
  std::optional<content::FirstBoot> first_boot;
  std::shared_ptr<const content::Playlist> demo;
  if (!playlist && s.use_store) {
    first_boot = first_boot_facts(s, this_box_addresses(), syncer->player_id());
    demo = first_boot_demo(s);
    playlist = first_boot_playlist(*first_boot, demo);
    playing = "the first-boot waiting screen (nothing stored yet; it says how to give content)";
    if (demo) {
      playing += ", its card then the demo " + demo->bundle_dir.string() + " (" +
                 std::to_string(demo->items.size()) + " items), looping";
    }
  }

  auto renderer = render::Renderer::open(ro, &error);
  if (!renderer) {
    std::cerr << "signage-player run: " << error << "\n";
    return 1;
  }
  auto player = run::Player::create(*renderer, s.player, playlist, &error);
  if (!player) {
    std::cerr << "signage-player run: " << error << "\n";
    return 1;
  }
  std::cerr << "signage-player: playing " << playing << " on " << renderer->driver() << " at "
            << renderer->output_size().width << "x" << renderer->output_size().height << " (scene "
            << renderer->scene_size().width << "x" << renderer->scene_size().height << ", "
            << renderer->refresh_hz() << " Hz); renderer " << renderer->reason() << "\n";
  std::unique_ptr<FirstBootWatch> watch;
  if (first_boot) {
    watch = std::make_unique<FirstBootWatch>(s, *player, syncer->player_id(), *first_boot, demo);
  }
  std::unique_ptr<ScreenshotWorker> screenshots;
  if (syncer) {
    sync::SyncCallbacks callbacks;
    if (!s.sync.mqtt.broker.empty()) {
      screenshots = std::make_unique<ScreenshotWorker>(*syncer);
      callbacks.on_screenshot = screenshots->on_request(*player);
    }
    callbacks.on_playlist = [&player, &watch](std::shared_ptr<const content::Playlist> next) {
      if (watch) {
        watch->content_arrived(std::move(next));
      } else {
        player->submit_playlist(std::move(next));
      }
    };
    if (watch) {
      callbacks.on_web_poll = [&watch](bool ok, const std::string& text) {
        watch->web_poll(ok, text);
      };
    }
    callbacks.on_notice = [&player](const sync::Notice& notice) {
      if (notice.problem) std::cerr << "signage-player: on screen: " << notice.text << "\n";
      player->show_notice(notice.text, notice.problem,
                          scene::Nanos(notice.show_for_s * double(scene::kSecond)));
    };
    syncer->report_renderer(renderer->driver(), renderer->accelerated());
    syncer->start(std::move(callbacks), playlist);
  }
  // The item on screen, for status.json: reported when it changes, again next frame when the
  // sync side was busy (the frame loop never waits).
  std::uint64_t shown_sequence = ~std::uint64_t(0);
  std::int64_t shown_since_ms = 0;
  bool shown_reported = true;
  bool display_on = true;
  ServiceStatus service(s.player);
  const std::optional<scene::Nanos> stall_at =
      s.debug_stall_after_s ? std::optional(scene::Nanos(*s.debug_stall_after_s * 1e9))
                            : std::nullopt;
  run::RunStats stats = player->run([&](const run::FrameInfo& frame) {
    if (frame.frame == 0) {  // once: how long a restarted screen stays dark
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      std::cerr << "signage-player: first frame on screen " << ms.count() << " ms after start"
                << (frame.display_off ? " (blank: outside the display hours)\n" : "\n");
    }
    if (stall_at && frame.t >= *stall_at) {
      std::cerr << "signage-player: --debug-stall-after: the frame loop hangs now\n";
      for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
    }
    service.frame(frame);
    // Relaxed stores only: the frame loop must not block. The screen turning off or on is
    // written to status.json at once (asking for a write as a new item on screen does).
    const bool display_changed = frame.display_off == display_on;
    if (syncer && (frame.frame % 64 == 0 || display_changed)) {
      if (display_changed) shown_reported = false;
      display_on = !frame.display_off;
      syncer->report_player(
          counters(frame.frame, frame.dropped_frames, display_on, run::summarize(*frame.display)));
    }
    if (syncer && frame.shown_sequence != shown_sequence) {
      shown_sequence = frame.shown_sequence;
      shown_since_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      shown_reported = false;
    }
    if (syncer && !shown_reported) {
      sync::PlayingNow now;
      now.index = frame.item;
      now.revision = frame.playlist->revision;
      if (frame.item && *frame.item < frame.playlist->items.size()) {
        now.item = frame.playlist->items[*frame.item].id;
      }
      now.since_ms = shown_since_ms;
      shown_reported = syncer->report_playing(std::move(now));
    }
    return true;
  });
  if (screenshots) screenshots->stop();  // before sync, which it answers; freed after sync
  if (syncer) {
    syncer->report_player(counters(stats.frames, stats.dropped_frames, display_on, stats.display));
    syncer.reset();  // joins the sync threads, writes status.json a last time
  }
  watch.reset();
  player.reset();
  if (s.stats_file) {
    std::ofstream out(*s.stats_file);
    out << run::stats_json(stats);
    if (!out) {
      std::cerr << "signage-player run: cannot write " << *s.stats_file << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace signage
