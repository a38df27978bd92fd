// The frame loop, headless: a 200-item playlist swapped in mid-run takes over at an item
// boundary, and the render thread did no text layout, glyph rasterization or file reading for it
// (the worker did). Asserted by the thread-local work counters, never by clocks.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "content/content.h"
#include "render/render.h"
#include "run/player.h"
#include "run/stats.h"
#include "run/work_counters.h"
#include "support/temp_dir.h"

namespace signage::run {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kClock = 1740965400;  // 2025-03-03T09:30:00+08:00

std::shared_ptr<const content::Playlist> parse(const std::string& json) {
  content::ParseResult result =
      content::parse_playlist(json, "test.json", fs::temp_directory_path());
  for (const auto& d : result.diagnostics) {
    if (d.severity == content::Severity::error) ADD_FAILURE() << content::format_diagnostic(d);
  }
  return result.playlist;
}

// Loads a playlist file on the test thread (before the run, so not counted in it).
struct ParseResultHolder {
  explicit ParseResultHolder(const fs::path& path)
      : playlist(content::load_playlist(path).playlist) {}
  std::shared_ptr<const content::Playlist> playlist;
};

std::string small_playlist() {
  return R"({"version": 1, "id": "first", "title": "河西区", "timezone": "Asia/Shanghai",
    "items": [{"type": "headline", "title": "中共河西区委经济工作会议召开", "duration": 0.5},
              {"type": "statistic", "value": "690万余", "unit": "人次", "label": "接待游客",
               "duration": 0.5}],
    "ticker": {"items": ["新建挖潜补充学位1.6万个", "将全区划分为1406个微网格"]}})";
}

std::string big_playlist(int items) {
  std::string json = R"({"version": 1, "id": "big", "title": "二百项", "timezone": "Asia/Shanghai",
    "items": [)";
  for (int i = 0; i < items; ++i) {
    if (i) json += ",";
    if (i % 3 == 1) {
      json += R"({"type": "statistic", "value": ")" + std::to_string(1000 + i) +
              R"(", "unit": "户", "label": "第)" + std::to_string(i) +
              R"(项统计", "duration": 0.4})";
    } else {
      json +=
          R"({"type": "headline", "title": "第)" + std::to_string(i) +
          R"(条：全区经济社会发展各项事业迈出坚实步伐", "body": "打造2.9平方公里“数字岛”，编号)" +
          std::to_string(i * 7) + R"(。", "duration": 0.4})";
    }
  }
  json += R"(], "ticker": {"items": ["城镇调查失业率控制在5.5%以内", "新引进各类人才2000余人"]}})";
  return json;
}

// A headless screen of `size`, and the options every test here plays with: the source tree's
// fonts, a fixed clock, unpaced, a safety stop long after the hook ends the run.
std::unique_ptr<render::Renderer> headless(scene::Size size) {
  render::RendererOptions ro;
  ro.output = render::Output::headless;
  ro.size = size;
  std::string error;
  auto renderer = render::Renderer::open(ro, &error);
  EXPECT_TRUE(renderer) << error;
  return renderer;
}

PlayerOptions test_options() {
  PlayerOptions po;
  po.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
  po.wall_clock_at_start_s = kClock;
  po.paced = false;
  po.duration = 60 * scene::kSecond;
  return po;
}

TEST(PlayerSwap, A200ItemPlaylistSwapsInAtABoundaryWithNoRenderThreadWork) {
  auto first = parse(small_playlist());
  auto big = parse(big_playlist(200));
  ASSERT_TRUE(first && big);
  ASSERT_EQ(big->items.size(), 200u);

  auto renderer = headless({1280, 720});
  ASSERT_TRUE(renderer);
  PlayerOptions po = test_options();
  std::string error;
  auto player = Player::create(*renderer, po, first, &error);
  ASSERT_TRUE(player) << error;

  bool submitted = false;
  std::set<std::uint64_t> sequences_before, sequences_after;
  std::uint64_t frames_after = 0;
  RunStats stats = player->run([&](const FrameInfo& f) {
    if (f.playlist == first.get()) {
      sequences_before.insert(f.shown_sequence);
      // Swap once the first playlist has shown two slots, mid-slot.
      if (!submitted && sequences_before.size() >= 2) {
        player->submit_playlist(big);
        submitted = true;
      }
    } else if (f.playlist == big.get()) {
      sequences_after.insert(f.shown_sequence);
      ++frames_after;
      if (!sequences_before.empty()) {
        // Once the new playlist shows, the old one never comes back.
        EXPECT_GT(f.shown_sequence, *sequences_before.rbegin());
      }
    }
    return sequences_after.size() < 6;  // six items of the new playlist
  });

  EXPECT_TRUE(submitted);
  EXPECT_GE(sequences_after.size(), 6u) << "the new playlist did not take over";
  EXPECT_GE(stats.playlist_swaps, 1u);
  EXPECT_GT(frames_after, 0u);
  // The render thread did none of the work...
  EXPECT_EQ(stats.render_thread.text_layouts, 0u);
  EXPECT_EQ(stats.render_thread.glyph_rasterizations, 0u);
  EXPECT_EQ(stats.render_thread.file_reads, 0u);
  // ...and the worker did it, so the counters do count.
  EXPECT_GE(stats.worker_thread.text_layouts, 8u);
  EXPECT_GT(stats.worker_thread.glyph_rasterizations, 0u);
  EXPECT_GT(stats.cards_prepared, 7u);
}

// The frame loop uploads the next card a little per frame and switches only once its textures
// are complete, so no frame after the first converts a whole card inside draw().
TEST(PlayerSwap, CardsSwitchOnlyOnceTheirTexturesAreUploaded) {
  std::string json = small_playlist();
  for (std::size_t at = json.find("0.5"); at != std::string::npos; at = json.find("0.5", at)) {
    json.replace(at, 3, "1.0");
  }
  auto playlist = parse(json);
  ASSERT_TRUE(playlist);
  auto renderer = headless({1280, 720});
  ASSERT_TRUE(renderer);
  PlayerOptions po = test_options();
  po.transition_length = scene::kSecond / 10;
  std::string error;
  auto player = Player::create(*renderer, po, playlist, &error);
  ASSERT_TRUE(player) << error;

  std::uint64_t after_first_frame = 0, first_sequence = 0;
  std::set<std::uint64_t> sequences;
  RunStats stats = player->run([&](const FrameInfo& f) {
    if (f.frame == 0) {
      after_first_frame = renderer->uploads_in_draw();  // the first card, before any frame
      first_sequence = f.shown_sequence;
    }
    sequences.insert(f.shown_sequence);
    return sequences.size() < 5;
  });
  ASSERT_GE(sequences.size(), 5u) << "the cards did not change";
  EXPECT_GT(*sequences.rbegin(), first_sequence);
  EXPECT_GT(stats.texture_uploads, 0u);
  EXPECT_EQ(renderer->uploads_in_draw(), after_first_frame)
      << "a card switched before its textures were uploaded";
}

// A notice (what the USB source shows) appears over the content once the worker has laid it
// out, stays for its duration in the loop's time, then goes; the render thread lays out and
// rasterizes nothing for it.
TEST(PlayerNotice, ShowsForItsDurationThenGoes) {
  auto first = parse(small_playlist());
  ASSERT_TRUE(first);
  auto renderer = headless({640, 360});
  ASSERT_TRUE(renderer);
  PlayerOptions po = test_options();
  std::string error;
  auto player = Player::create(*renderer, po, first, &error);
  ASSERT_TRUE(player) << error;

  constexpr Nanos kShowFor = scene::kSecond / 2;
  Nanos asked_at = -1, first_shown = -1, last_shown = -1;
  std::uint64_t shown_frames = 0, frames_after = 0;
  RunStats stats = player->run([&](const FrameInfo& f) {
    if (asked_at < 0 && f.frame == 30) {
      asked_at = f.t;
      player->show_notice("已从U盘载入 2 条内容", false, kShowFor);
    }
    if (f.notice) {
      if (first_shown < 0) first_shown = f.t;
      last_shown = f.t;
      ++shown_frames;
    } else if (first_shown >= 0) {
      ++frames_after;
    }
    return frames_after < 30;
  });
  ASSERT_GE(asked_at, 0);
  ASSERT_GT(shown_frames, 0u) << "the notice never showed";
  EXPECT_GE(first_shown, asked_at);
  // Its duration counts from when the worker handed it over, in the loop's own time.
  EXPECT_LT(last_shown, first_shown + kShowFor);
  EXPECT_GE(frames_after, 30u) << "the notice did not go";
  EXPECT_EQ(stats.render_thread.text_layouts, 0u);
  EXPECT_EQ(stats.render_thread.glyph_rasterizations, 0u);
}

TEST(PlayerSwap, AChangedPlaylistFileIsReloadedByTheWorker) {
  const test_support::TempDir scratch("player-reload");
  const fs::path& dir = scratch.path;
  const fs::path file = dir / "playlist.json";
  std::ofstream(file) << small_playlist();
  ParseResultHolder first(file);
  ASSERT_TRUE(first.playlist);

  auto renderer = headless({640, 360});
  ASSERT_TRUE(renderer);
  PlayerOptions po = test_options();
  std::string error;
  po.watch_path = dir;
  po.watch_interval = scene::kSecond / 10;
  auto player = Player::create(*renderer, po, first.playlist, &error);
  ASSERT_TRUE(player) << error;

  bool rewritten = false, invalid_written = false;
  std::string seen_id;
  RunStats stats = player->run([&](const FrameInfo& f) {
    if (!invalid_written && f.t > scene::kSecond / 2) {
      // First an invalid file: reported, and the player keeps what it had.
      std::ofstream(file) << "{\"version\": 1, \"items\": [";
      fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(1));
      invalid_written = true;
    } else if (invalid_written && !rewritten && f.t > 2 * scene::kSecond) {
      std::ofstream(file) << big_playlist(3);
      fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(2));
      rewritten = true;
    }
    seen_id = f.playlist->id;
    return seen_id != "big";
  });
  EXPECT_EQ(seen_id, "big") << "the rewritten playlist never showed";
  EXPECT_EQ(stats.render_thread.file_reads, 0u);
  EXPECT_GE(stats.worker_thread.file_reads, 2u);  // the invalid file and the good one
}

TEST(PlayerSwap, TheCountersSeeWorkDoneOnThisThread) {
  // The assertion above could fail: preparing on the calling thread is counted there.
  const WorkCounters before = work_counters();
  ImageFiles files;
  EXPECT_EQ(files.lookup(fs::temp_directory_path() / "no-such-image.png"), nullptr);
  EXPECT_EQ(work_counters().file_reads, before.file_reads + 1);
  StillOptions still;
  still.size = {640, 360};
  still.at = scene::kSecond;
  still.wall_clock_at_start_s = kClock;
  still.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
  std::string error;
  ASSERT_TRUE(render_still(parse(small_playlist()), still, &error)) << error;
  EXPECT_GT(work_counters().text_layouts, before.text_layouts);
  EXPECT_GT(work_counters().glyph_rasterizations, before.glyph_rasterizations);
}

// A playlist whose ticker is a long loop moving fast, on a narrow portrait screen.
std::string long_ticker_playlist(int headlines) {
  std::string json =
      R"({"version": 1, "id": "ticker", "title": "河西区", "timezone": "Asia/Shanghai",
    "theme": {"ticker_size": 0.05},
    "items": [{"type": "headline", "title": "中共河西区委经济工作会议召开", "duration": 1.5},
              {"type": "statistic", "value": "690万余", "unit": "人次", "label": "接待游客",
               "duration": 1.5}],
    "ticker": {"speed": 1000, "items": [)";
  for (int i = 0; i < headlines; ++i) {
    if (i) json += ",";
    json += "\"第" + std::to_string(i + 1) + "条：新建挖潜补充学位1.6万个\"";
  }
  return json + "]}}";
}

// The worker keeps only the ticker's tiles near the visible part of the band, extending the
// window ahead of its motion: playing through many windows and past the loop's wrap, no frame
// missed a tile, and the frame loop never held more than a part of the loop.
TEST(PlayerTicker, WindowsOfTilesKeepAheadOfTheBand) {
  auto playlist = parse(long_ticker_playlist(10));
  ASSERT_TRUE(playlist);
  const scene::Size screen{360, 640};
  // The whole loop, prepared the old way, for its length and tile count.
  std::string error;
  auto engine = text::TextEngine::create(fs::path(SIGNAGE_SOURCE_DIR) / "fonts", &error);
  ASSERT_TRUE(engine) << error;
  text::GlyphCache glyphs(engine->fonts(), text::AtlasLimits{});
  scene::Preparer preparer{*engine, glyphs, {}, 2048};
  const scene::PreparedTicker whole = scene::prepare_ticker(preparer, *playlist, screen);
  ASSERT_GE(whole.tiles.size(), 12u);  // 3300 px

  auto renderer = headless(screen);
  ASSERT_TRUE(renderer);
  PlayerOptions po = test_options();
  po.paced = true;  // 60 frames a second, as on a display (the ticker moves with the clock)
  po.ticker_lookahead = scene::kSecond;  // short, so the band goes through many windows
  auto player = Player::create(*renderer, po, playlist, &error);
  ASSERT_TRUE(player) << error;
  const double px_per_s =
      double(scene::ticker_step_px(scene::ticker_speed_px_per_s(*playlist, screen), 60)) * 60;
  // Long enough for the band to wrap around the loop once.
  const Nanos wrap = Nanos(double(whole.loop_width) / px_per_s * 1e9) + scene::kSecond;
  RunStats stats = player->run([&](const FrameInfo& f) { return f.t < wrap; });

  EXPECT_GT(stats.frames, 100u);
  EXPECT_EQ(stats.ticker_gaps, 0u) << "frames with part of the band missing its tiles";
  EXPECT_GE(stats.ticker_windows, 5u);
  EXPECT_GT(stats.ticker_tiles_max, 0u);
  EXPECT_LE(stats.ticker_tiles_max * 2, whole.tiles.size());
  EXPECT_EQ(stats.render_thread.text_layouts, 0u);
  EXPECT_EQ(stats.render_thread.glyph_rasterizations, 0u);
}

// Two long items (so a boundary is far away), and, when `alert` is not empty, an alert valid
// on the test's clock (kClock, 2025-03-03).
std::string long_items_playlist(const std::string& id, double seconds, const std::string& alert,
                                double alert_seconds = 20) {
  std::string json = R"({"version": 1, "id": ")" + id +
                     R"(", "title": "河西区", "timezone": "Asia/Shanghai", "items": [
      {"type": "headline", "title": "中共河西区委经济工作会议召开", "duration": )" +
                     std::to_string(seconds) + R"(},
      {"type": "statistic", "value": "690万余", "unit": "人次", "label": "接待游客",
       "duration": )" +
                     std::to_string(seconds) + "}";
  if (!alert.empty()) {
    json += R"(, {"type": "alert", "id": "water", "title": ")" + alert +
            R"(", "body": "今日8时至18时停水。", "duration": )" + std::to_string(alert_seconds) +
            R"(,
       "schedule": {"valid_from": "2025-03-01T00:00:00+08:00",
                    "valid_until": "2025-03-10T00:00:00+08:00"}})";
  }
  return json + R"(], "ticker": {"items": ["新建挖潜补充学位1.6万个"]}})";
}

// What a run saw of two playlists: the slots the first showed, and the first frame of the
// second.
struct Takeover {
  std::set<std::uint64_t> first_sequences;
  std::optional<FrameInfo> second;
  RunStats stats;
};

// Plays `first`, submits `second` at frame 10 (mid-slot: the first slot lasts seconds), and
// runs until `second` shows.
Takeover play_and_submit(std::shared_ptr<const content::Playlist> first,
                         std::shared_ptr<const content::Playlist> second) {
  Takeover seen;
  auto renderer = headless({640, 360});
  if (!renderer) return seen;
  PlayerOptions po = test_options();
  po.paced = true;  // loop time as on a display; the first slot ends seconds into the run
  std::string error;
  auto player = Player::create(*renderer, po, first, &error);
  EXPECT_TRUE(player) << error;
  if (!player) return seen;
  seen.stats = player->run([&](const FrameInfo& f) {
    if (f.playlist == first.get()) seen.first_sequences.insert(f.shown_sequence);
    if (f.frame == 10) player->submit_playlist(second);
    if (f.playlist == second.get()) seen.second = f;
    return !seen.second;
  });
  return seen;
}

// The studio's "alert now": a new playlist whose alert the playing one does not show takes over
// mid-item, once its card is ready, instead of at the item's end 30 s later.
TEST(PlayerAlert, ANewAlertTakesOverBeforeTheItemEnds) {
  auto first = parse(long_items_playlist("first", 30, ""));
  auto second = parse(long_items_playlist("second", 30, "临时停水"));
  ASSERT_TRUE(first && second);
  Takeover seen = play_and_submit(first, second);
  ASSERT_TRUE(seen.second) << "the alert never showed";
  EXPECT_TRUE(seen.second->alert);
  EXPECT_EQ(seen.second->item, std::optional<std::size_t>(2));
  // The first playlist's first slot was cut short: it never reached its second item (prepared
  // ahead, and dropped for the alert).
  EXPECT_EQ(seen.first_sequences, std::set<std::uint64_t>{0});
  EXPECT_GT(seen.second->shown_sequence, 0u);
  EXPECT_LT(seen.second->t, 30 * scene::kSecond);
  EXPECT_EQ(seen.stats.render_thread.text_layouts, 0u);
  EXPECT_EQ(seen.stats.render_thread.glyph_rasterizations, 0u);
}

// Any other change waits for the next item boundary (replacing the slot the worker prepared
// ahead, which the frame loop already holds): a new playlist without an alert...
TEST(PlayerAlert, AChangeWithoutAnAlertWaitsForTheBoundary) {
  auto first = parse(long_items_playlist("first", 2, ""));
  auto second = parse(long_items_playlist("second", 2, ""));
  ASSERT_TRUE(first && second);
  Takeover seen = play_and_submit(first, second);
  ASSERT_TRUE(seen.second) << "the new playlist never showed";
  EXPECT_FALSE(seen.second->alert);
  EXPECT_EQ(seen.first_sequences, std::set<std::uint64_t>{0}) << "not the next boundary";
  EXPECT_GE(seen.second->t, 2 * scene::kSecond) << "it cut the item short";
}

// ...and one whose alert is the one already playing (the same id, title and body).
TEST(PlayerAlert, AnAlertAlreadyShownDoesNotCutTheItemAgain) {
  auto first = parse(long_items_playlist("first", 2, "临时停水", 3));
  auto second = parse(long_items_playlist("second", 2, "临时停水", 3));
  ASSERT_TRUE(first && second);
  Takeover seen = play_and_submit(first, second);
  ASSERT_TRUE(seen.second) << "the new playlist never showed";
  // The first playlist shows its alert (3 s): the second takes over at its end, not at once.
  EXPECT_EQ(seen.first_sequences, std::set<std::uint64_t>{0}) << "not the next boundary";
  EXPECT_GE(seen.second->t, 3 * scene::kSecond) << "the same alert cut the item short";
}

// Content arriving while the waiting screen shows (a first publish, a first download) does not
// wait for that screen's recheck.
TEST(PlayerAlert, ContentReplacesTheWaitingScreenAtOnce) {
  auto first = empty_playlist("等待内容");
  auto second = parse(long_items_playlist("second", 30, ""));
  ASSERT_TRUE(first && second);
  Takeover seen = play_and_submit(first, second);
  ASSERT_TRUE(seen.second) << "the new playlist never showed";
  EXPECT_EQ(seen.first_sequences, std::set<std::uint64_t>{0});
  EXPECT_LT(seen.second->t, scene::kFallbackRecheck) << "it waited for the waiting screen's end";
}

// The first-boot loop (its card, then the demo's cards) is a waiting screen too: content
// replaces it at once...
std::shared_ptr<const content::Playlist> as_first_boot(std::shared_ptr<const content::Playlist> p) {
  auto copy = std::make_shared<content::Playlist>(*p);
  copy->first_boot = content::FirstBoot{};
  copy->first_boot->player_id = "9cfff4e6234a3e61";
  return copy;
}

TEST(PlayerAlert, ContentReplacesTheFirstBootLoopAtOnce) {
  auto demo = parse(long_items_playlist("demo", 30, ""));
  auto second = parse(long_items_playlist("second", 30, ""));
  ASSERT_TRUE(demo && second);
  auto first = as_first_boot(demo);
  Takeover seen = play_and_submit(first, second);
  ASSERT_TRUE(seen.second) << "the new playlist never showed";
  EXPECT_EQ(seen.first_sequences, std::set<std::uint64_t>{0});
  EXPECT_LT(seen.second->t, 30 * scene::kSecond) << "it waited for the first-boot card's end";
}

// ...but a new first-boot screen (an address that came up) waits for the next boundary.
TEST(PlayerAlert, ANewFirstBootLoopWaitsForTheBoundary) {
  auto demo = parse(long_items_playlist("demo", 2, ""));
  ASSERT_TRUE(demo);
  auto first = as_first_boot(demo), second = as_first_boot(demo);
  Takeover seen = play_and_submit(first, second);
  ASSERT_TRUE(seen.second) << "the new first-boot screen never showed";
  EXPECT_GE(seen.second->t, 2 * scene::kSecond) << "it cut the card short";
}

TEST(PlayerSwap, AnEmptyOrMissingPlaylistShowsTheFallbackScreen) {
  auto renderer = headless({640, 360});
  ASSERT_TRUE(renderer);
  PlayerOptions po = test_options();
  po.duration = 30 * scene::kSecond;
  std::string error;
  auto player = Player::create(*renderer, po, nullptr, &error);
  ASSERT_TRUE(player) << error;
  RunStats stats = player->run([](const FrameInfo& f) { return f.frame < 20; });
  EXPECT_EQ(stats.frames, 21u);
  EXPECT_EQ(stats.render_thread.text_layouts, 0u);
  EXPECT_GE(stats.cards_prepared, 1u);
}

// The histogram behind frame_ms and present_ms: percentiles within its 0.4% buckets, the
// largest value exact even past the last bucket.
TEST(Histogram, PercentilesWithinABucketAndTheExactMax) {
  Histogram h;
  EXPECT_EQ(h.percentile(50), 0);
  for (std::uint64_t v = 1; v <= 100'000; ++v) h.add(v);
  EXPECT_EQ(h.count(), 100'000u);
  EXPECT_NEAR(h.percentile(50), 50'000, 50'000 * 0.004);
  EXPECT_NEAR(h.percentile(99), 99'000, 99'000 * 0.004);
  EXPECT_DOUBLE_EQ(h.mean(), 50'000.5);
  Histogram small;
  for (std::uint64_t v : {3, 3, 7, 200}) small.add(v);
  EXPECT_EQ(small.percentile(50), 3);  // exact below 256
  EXPECT_EQ(small.percentile(75), 7);
  small.add(std::uint64_t(1) << 40);  // past the last bucket
  EXPECT_EQ(small.max(), std::uint64_t(1) << 40);
  EXPECT_GT(small.percentile(100), double(1 << 26));
}

// --stats-json describes the display: the renderer, what present() cost, how much of the screen
// each frame sent (a ticker frame sends its band, not the screen) and the texture memory.
TEST(PlayerStats, DescribeTheDisplay) {
  auto playlist = parse(R"({"version": 1, "id": "s", "title": "河西区", "timezone": "Asia/Shanghai",
    "items": [{"type": "headline", "title": "中共河西区委经济工作会议召开", "duration": 30}],
    "ticker": {"items": ["新建挖潜补充学位1.6万个", "将全区划分为1406个微网格"]}})");
  ASSERT_TRUE(playlist);
  auto renderer = headless({1280, 720});
  ASSERT_TRUE(renderer);
  PlayerOptions po = test_options();
  po.paced = true;  // the ticker moves by a refresh's step each frame
  std::string error;
  auto player = Player::create(*renderer, po, playlist, &error);
  ASSERT_TRUE(player) << error;
  std::uint64_t reported = 0;
  RunStats stats = player->run([&](const FrameInfo& f) {
    if (f.display) reported = f.display->present_us.count();
    return f.frame < 90;
  });
  EXPECT_EQ(reported, stats.frames);  // the hook sees every present so far
  EXPECT_EQ(stats.renderer, renderer->driver());
  EXPECT_EQ(stats.renderer, "headless/software");
  EXPECT_FALSE(stats.accelerated);
  const DisplaySummary& d = stats.display;
  EXPECT_LE(d.present_ms_p50, d.present_ms_p99);
  EXPECT_LE(d.present_ms_p99, d.present_ms_max);
  EXPECT_EQ(d.damaged_max, 1.0);  // the first frame is the whole screen
  EXPECT_GT(d.damaged_mean, 0.0);
  EXPECT_LT(d.damaged_mean, 0.25) << "ticker frames present more than the band";
  EXPECT_GT(d.texture_bytes, 0u);
  EXPECT_LE(d.texture_bytes, d.texture_bytes_peak);
  const std::string json = stats_json(stats);
  for (const char* key :
       {"\"renderer\": \"headless/software\"", "\"accelerated\": false", "\"present_ms_p50\"",
        "\"present_ms_p99\"", "\"damaged_mean\"", "\"damaged_p99\"", "\"damaged_max\": 1.0",
        "\"texture_bytes\"", "\"texture_bytes_peak\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " not in\n" << json;
  }
}

}  // namespace
}  // namespace signage::run
