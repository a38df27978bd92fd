// The studio's previews with the real engine: thumbnails against `signage-player render --item`,
// live previews of unsaved JSON, the cache and its bound, merged requests, the local screen.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "content/content.h"
#include "files/files.h"
#include "render/render.h"
#include "run/player.h"
#include "studio/previews.h"
#include "support/golden_image.h"
#include "support/temp_dir.h"

namespace signage::studio {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using test_support::TempDir;

constexpr std::int64_t kClock = 1740965400;  // 2025-03-03T09:30:00+08:00
const char* kClockIso = "2025-03-03T09:30:00+08:00";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A PNG's bytes decoded by the player's own loader.
text::RgbaImage decode(const std::string& png, const fs::path& scratch) {
  const fs::path file = scratch / "decoded.png";
  std::ofstream(file, std::ios::binary) << png;
  std::string error;
  auto image = render::load_image(file, &error);
  EXPECT_TRUE(image) << error;
  return image ? *image : text::RgbaImage{};
}

// What `signage-player render ARGS -o OUT` writes, decoded.
text::RgbaImage render_command(const std::string& args, const fs::path& scratch) {
  const fs::path out = scratch / "render.png";
  const std::string command = std::string(SIGNAGE_PLAYER_BINARY) + " render " + args + " -o " +
                              out.string() + " 2>/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return decode(read(out), scratch);
}

// A draft folder: the demo bundle (its pictures too), read again at every call as the studio's
// workspace does.
struct Draft {
  TempDir dir{"studio-previews"};
  StudioPaths paths;
  Draft() {
    paths.data_dir = dir.path / "data";
    paths.player_state_dir = dir.path / "state";
    fs::create_directories(paths.player_state_dir);
    fs::create_directories(paths.data_dir);
    fs::copy(run::demo_playlist_path(), paths.draft_dir(), fs::copy_options::recursive);
  }
  DraftSource source() const {
    return [dir = paths.draft_dir()] {
      DraftSnapshot s;
      s.playlist_json = read(dir / "playlist.json");
      s.version = "v";
      s.dir = dir;
      return s;
    };
  }
  Json playlist() const { return Json::parse(read(paths.draft_dir() / "playlist.json")); }
};

PreviewOptions fixed_clock(std::size_t cache_bytes = 8 << 20) {
  PreviewOptions options;
  options.now = [] { return kClock; };
  options.cache_bytes = cache_bytes;
  return options;
}

TEST(StudioPreviews, ThumbnailIsRenderItemScaled) {
  Draft draft;
  Previews previews(draft.source(), draft.paths, fixed_clock());
  for (const char* item : {"four-highlands", "banner", "industry-talent"}) {
    PreviewResult thumb = previews.thumbnail("v", item, 320, kClock);
    ASSERT_TRUE(thumb.png) << item << ": " << thumb.detail;
    const text::RgbaImage got = decode(*thumb.png, draft.dir.path);
    EXPECT_EQ(got.width, 320);
    EXPECT_EQ(got.height, 180);
    const text::RgbaImage full = render_command(
        draft.paths.draft_dir().string() + " --item " + item + " --at 1.2 --clock " + kClockIso,
        draft.dir.path);
    const auto difference = test_support::compare_images(got, render::downscale(full, 320, 180));
    EXPECT_TRUE(difference.matches()) << item << ": " << test_support::describe(difference);
  }
  // Another item is another picture.
  auto a = previews.thumbnail("v", "four-highlands", 320, kClock);
  auto b = previews.thumbnail("v", "conference", 320, kClock);
  ASSERT_TRUE(a.png && b.png);
  EXPECT_NE(*a.png, *b.png);
  EXPECT_NE(a.etag, b.etag);
}

TEST(StudioPreviews, UnsavedPreviewChangesWithItsTitleAndIsCachedOtherwise) {
  Draft draft;
  Previews previews(draft.source(), draft.paths, fixed_clock());
  Json playlist = draft.playlist();
  const auto first = previews.preview(playlist.dump(), "conference", Orientation::landscape, {});
  ASSERT_TRUE(first.png) << first.detail;
  EXPECT_EQ(previews.stats().renders, 1u);
  const auto again = previews.preview(playlist.dump(), "conference", Orientation::landscape, {});
  ASSERT_TRUE(again.png);
  EXPECT_EQ(*again.png, *first.png);
  EXPECT_EQ(previews.stats().renders, 1u);
  EXPECT_EQ(previews.stats().cache_hits, 1u);

  playlist["items"][0]["title"] = "和平里社区服务中心";
  const auto changed = previews.preview(playlist.dump(), "conference", Orientation::landscape, {});
  ASSERT_TRUE(changed.png);
  EXPECT_EQ(previews.stats().renders, 2u);
  EXPECT_NE(*changed.png, *first.png);
  EXPECT_NE(changed.etag, first.etag);
  const text::RgbaImage image = decode(*changed.png, draft.dir.path);
  EXPECT_EQ(image.width, 1920);
  EXPECT_EQ(image.height, 1080);
  // An item by its number counts from 1, as `render --item` does.
  const auto by_number = previews.preview(playlist.dump(), "1", Orientation::landscape, {});
  ASSERT_TRUE(by_number.png);
  EXPECT_EQ(*by_number.png, *changed.png);
}

TEST(StudioPreviews, PortraitIsTallAndLaidOutForIt) {
  Draft draft;
  Previews previews(draft.source(), draft.paths, fixed_clock());
  const std::string json = draft.playlist().dump();
  const auto portrait = previews.preview(json, "four-highlands", Orientation::portrait, {});
  ASSERT_TRUE(portrait.png) << portrait.detail;
  const text::RgbaImage image = decode(*portrait.png, draft.dir.path);
  EXPECT_EQ(image.width, 1080);
  EXPECT_EQ(image.height, 1920);
  const text::RgbaImage expected =
      render_command(draft.paths.draft_dir().string() +
                         " --item four-highlands --at 1.2 --rotate 90 --clock " + std::string(kClockIso),
                     draft.dir.path);
  const auto difference = test_support::compare_images(image, expected);
  EXPECT_TRUE(difference.matches()) << test_support::describe(difference);
}

TEST(StudioPreviews, APlaylistWithErrorsGivesDiagnosticsNotAPicture) {
  Draft draft;
  Previews previews(draft.source(), draft.paths, fixed_clock());
  Json playlist = draft.playlist();
  playlist["items"][2]["duration"] = "long";
  const auto result = previews.preview(playlist.dump(), "conference", Orientation::landscape, {});
  EXPECT_FALSE(result.png);
  EXPECT_EQ(result.problem, PreviewProblem::bad_playlist);
  const Json diagnostics = Json::parse(result.diagnostics_json);
  ASSERT_TRUE(diagnostics.is_array());
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics[0]["severity"], "error");
  EXPECT_EQ(diagnostics[0]["pointer"], "/items/2/duration");
  EXPECT_EQ(previews.stats().renders, 0u);

  const auto missing =
      previews.preview(draft.playlist().dump(), "no-such-item", Orientation::landscape, {});
  EXPECT_FALSE(missing.png);
  EXPECT_EQ(missing.problem, PreviewProblem::no_item);
}

TEST(StudioPreviews, TheCacheStaysUnderItsByteBound) {
  Draft draft;
  const std::size_t bound = 2 << 20;  // a few full-screen cards
  Previews previews(draft.source(), draft.paths, fixed_clock(bound));
  Json playlist = draft.playlist();
  std::string first;
  for (int i = 0; i < 10; ++i) {
    playlist["items"][1]["title"] = "第" + std::to_string(i) + "期 社区通知";
    const std::string json = playlist.dump();
    if (i == 0) first = json;
    auto png = previews.preview(json, "four-highlands", Orientation::landscape, {}).png;
    ASSERT_TRUE(png);
    EXPECT_LE(previews.stats().cache_bytes, bound);
  }
  const PreviewStats stats = previews.stats();
  EXPECT_EQ(stats.renders, 10u);
  EXPECT_GT(stats.cache_entries, 0u);
  EXPECT_LT(stats.cache_entries, 10u);  // the oldest were dropped
  // The first one was dropped: it is drawn again.
  ASSERT_TRUE(previews.preview(first, "four-highlands", Orientation::landscape, {}).png);
  EXPECT_EQ(previews.stats().renders, 11u);
}

TEST(StudioPreviews, ConcurrentIdenticalRequestsRenderOnce) {
  Draft draft;
  Previews previews(draft.source(), draft.paths, fixed_clock());
  const std::string json = draft.playlist().dump();
  // The worker is busy with another preview while eight identical requests arrive.
  std::thread busy([&] { previews.preview(json, "year-in-review", Orientation::portrait, {}); });
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<const std::string>> pngs(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back(
        [&, i] { pngs[i] = previews.preview(json, "conference", Orientation::landscape, {}).png; });
  }
  for (auto& t : threads) t.join();
  busy.join();
  const PreviewStats stats = previews.stats();
  EXPECT_EQ(stats.renders, 2u);
  EXPECT_EQ(stats.merged + stats.cache_hits, 7u);
  for (const auto& png : pngs) {
    ASSERT_TRUE(png);
    EXPECT_EQ(*png, *pngs[0]);
  }
}

TEST(StudioPreviews, TheScreenIsThePublishedItemAtItsElapsedTime) {
  Draft draft;
  const fs::path revision = draft.paths.revisions_dir() / "r3";
  fs::create_directories(draft.paths.revisions_dir());
  fs::copy(draft.paths.draft_dir(), revision, fs::copy_options::recursive);
  fs::create_directory_symlink("revisions/r3", draft.paths.published_link());
  std::int64_t now = kClock + 3;
  PreviewOptions options = fixed_clock();
  options.now = [&now] { return now; };
  Previews previews(draft.source(), draft.paths, options);

  EXPECT_FALSE(previews.player_status());
  EXPECT_EQ(previews.screen().problem, PreviewProblem::nothing_playing);
  const std::string status =
      R"({"content": {"revision": 3}, "playing": {"item": "conference", "index": 0, "since": ")" +
      std::string(kClockIso) + R"(", "revision": 3}})";
  ASSERT_TRUE(files::replace_file(draft.paths.player_state_dir / "status.json", status, 0640));
  EXPECT_EQ(previews.player_status(), status);

  const auto screen = previews.screen();
  ASSERT_TRUE(screen.png) << screen.detail;
  const text::RgbaImage expected = render_command(
      revision.string() + " --item conference --at 3 --clock " + kClockIso, draft.dir.path);
  const auto difference =
      test_support::compare_images(decode(*screen.png, draft.dir.path), expected);
  EXPECT_TRUE(difference.matches()) << test_support::describe(difference);

  // Later, the same item further on: another frame (the ticker has moved).
  now = kClock + 9;
  const auto later = previews.screen();
  ASSERT_TRUE(later.png);
  EXPECT_NE(*later.png, *screen.png);
}

TEST(StudioPreviews, TheContactSheetListsTheLoopWithAThumbnailPerSlot) {
  Draft draft;
  Previews previews(draft.source(), draft.paths, fixed_clock());
  PreviewResult problem;
  auto sheet = previews.contact_sheet(kClock, 240, &problem);
  ASSERT_TRUE(sheet);
  const Json json = Json::parse(*sheet);
  EXPECT_EQ(json["at"], kClockIso);
  ASSERT_FALSE(json["slots"].empty());
  const Json& first = json["slots"][0];
  EXPECT_EQ(first["id"], "conference");
  EXPECT_EQ(first["start_s"], 0.0);
  EXPECT_EQ(
      first["thumbnail"],
      "/api/thumbnail?item=conference&version=v&width=240&at=2025-03-03T09%3A30%3A00%2B08%3A00");
  double start = 0;
  for (const Json& slot : json["slots"]) {
    EXPECT_EQ(slot["start_s"].get<double>(), start);
    start += slot["duration_s"].get<double>();
  }
  EXPECT_EQ(json["length_s"].get<double>(), start);
}

TEST(StudioPreviews, RoutesCheckTheirInputAndAnswerEtags) {
  Draft draft;
  Previews previews(draft.source(), draft.paths, fixed_clock());
  auto routes = preview_routes(previews);
  auto route = [&](const std::string& method, const std::string& path) -> const Route& {
    for (const Route& r : routes) {
      if (r.method == method && r.pattern == path) return r;
    }
    ADD_FAILURE() << method << " " << path;
    return routes.front();
  };
  EXPECT_EQ(route("POST", "/api/preview").permission, Permission::edit);
  EXPECT_EQ(route("GET", "/api/thumbnail").permission, Permission::signed_in);
  EXPECT_EQ(route("GET", "/api/player/screen.png").permission, Permission::signed_in);

  Request q;
  q.lang = "zh";
  q.query = {{"item", "conference"}, {"width", "320"}, {"at", kClockIso}};
  Response r = route("GET", "/api/thumbnail").handler(q);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "image/png");
  EXPECT_EQ(r.body.substr(1, 3), "PNG");
  std::string etag;
  for (auto& [name, value] : r.headers) {
    if (name == "ETag") etag = value;
  }
  ASSERT_FALSE(etag.empty());
  q.headers["if-none-match"] = etag;
  EXPECT_EQ(route("GET", "/api/thumbnail").handler(q).status, 304);

  q.query["width"] = "99999";
  EXPECT_EQ(route("GET", "/api/thumbnail").handler(q).status, 400);
  q.query["width"] = "320";
  q.query["at"] = "Monday";
  EXPECT_EQ(route("GET", "/api/thumbnail").handler(q).status, 400);

  Request p;
  p.method = "POST";
  Json bad = draft.playlist();
  bad["items"][0]["duration"] = -1;
  p.body = Json{{"playlist", bad}, {"item", 0}, {"orientation", "portrait"}}.dump();
  Response diagnostics = route("POST", "/api/preview").handler(p);
  EXPECT_EQ(diagnostics.status, 422);
  EXPECT_FALSE(Json::parse(diagnostics.body)["diagnostics"].empty());

  EXPECT_EQ(route("GET", "/api/player/status").handler(q).status, 404);
  EXPECT_EQ(route("GET", "/api/player/screen.png").handler(q).status, 404);
}

// The still renderer kept between calls draws what a fresh one draws, whatever came before.
TEST(StillRenderer, ReusedGivesTheSamePixelsAsFresh) {
  auto playlist = run::load_and_report(run::demo_playlist_path());
  ASSERT_TRUE(playlist);
  run::StillOptions landscape;
  landscape.wall_clock_at_start_s = kClock;
  landscape.at = 4 * scene::kSecond;
  run::StillOptions portrait = landscape;
  portrait.rotate = 90;
  portrait.at = 40 * scene::kSecond;
  std::string error;
  run::StillRenderer still;
  ASSERT_TRUE(still.render(playlist, landscape, &error)) << error;
  ASSERT_TRUE(still.render(playlist, portrait, &error)) << error;
  auto reused = still.render(playlist, landscape, &error);
  auto fresh = run::render_still(playlist, landscape, &error);
  ASSERT_TRUE(reused && fresh) << error;
  EXPECT_EQ(reused->pixels, fresh->pixels);
  EXPECT_EQ(still.renders(), 3u);
}

}  // namespace
}  // namespace signage::studio
