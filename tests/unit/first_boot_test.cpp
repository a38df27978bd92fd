// The first-boot screen: with nothing stored, the waiting screen says how to give the box content
// (the studio's address, the USB folder, the web source and its state, the player id) in Chinese
// and English, laid out whole on a 1080p TV and on a portrait screen. The texts are read from the
// card's laid-out blocks (scene::card_texts), as prepare_card lays them out.
// SIGNAGE_FIRST_BOOT_PNG=DIR also writes the screens as `render` draws them, to look at.
#include "first_boot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "render/render.h"
#include "run/player.h"
#include "run_settings.h"
#include "scene/scene.h"
#include "support/engine.h"

namespace signage {
namespace {

namespace fs = std::filesystem;

RunSettings settings(const std::vector<std::string>& args) {
  RunSettings s;
  bool help = false;
  EXPECT_EQ(parse_run_arguments(args, s, &help), "");
  EXPECT_EQ(finish_run_settings(s), "");
  return s;
}

const std::string kId = "9cfff4e6234a3e61";

TEST(FirstBoot, FactsComeFromTheSettings) {
  // A state directory and USB only: the folder and the id, no studio, no web source.
  auto plain = first_boot_facts(settings({"--state-dir", "/tmp/x", "--usb-root", "/media"}),
                                {"192.168.1.23"}, kId);
  EXPECT_TRUE(plain.studio_urls.empty());
  EXPECT_EQ(plain.usb_folder, "signage");
  EXPECT_EQ(plain.web_url, "");
  EXPECT_EQ(plain.player_id, kId);
  // USB off: no folder.
  EXPECT_EQ(first_boot_facts(settings({"--state-dir", "/tmp/x", "--no-usb"}), {}, kId).usb_folder,
            "");
  // A web source: shown without its credentials and query.
  auto web = first_boot_facts(
      settings({"--state-dir", "/tmp/x", "--source",
                "https://office:secret@content.example.org/hexi/playlist.json?token=abc"}),
      {}, kId);
  EXPECT_EQ(web.web_url, "https://***@content.example.org/hexi/playlist.json?***");
  // The studio on this box (local_source): its default port at each of the box's addresses.
  auto local = first_boot_facts(
      settings({"--state-dir", "/tmp/x", "--local-source", "/var/lib/signage-studio/published"}),
      {"192.168.1.23", "10.0.0.5"}, kId);
  EXPECT_EQ(local.studio_urls,
            (std::vector<std::string>{"http://192.168.1.23:8080", "http://10.0.0.5:8080"}));
  // studio_url set: as written, {ip} replaced; no address yet: says so.
  auto tls = settings({"--state-dir", "/tmp/x", "--studio-url", "https://{ip}:8443"});
  EXPECT_EQ(first_boot_facts(tls, {"192.168.1.23"}, kId).studio_urls,
            std::vector<std::string>{"https://192.168.1.23:8443"});
  EXPECT_EQ(first_boot_facts(tls, {}, kId).studio_urls,
            std::vector<std::string>{"网络未连接 not on a network yet"});
  auto named = settings({"--state-dir", "/tmp/x", "--studio-url", "https://studio.example.org"});
  EXPECT_EQ(first_boot_facts(named, {"192.168.1.23"}, kId).studio_urls,
            std::vector<std::string>{"https://studio.example.org"});
}

struct Worker {
  std::unique_ptr<text::GlyphCache> glyphs;
};

scene::Preparer preparer() {
  static Worker w{std::make_unique<text::GlyphCache>(test_support::engine().fonts(),
                                                     text::AtlasLimits{1024, 8})};
  return scene::Preparer{test_support::engine(), *w.glyphs, {}, 2048};
}

bool overlap(const scene::RectI& a, const scene::RectI& b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

// The screen's texts at `size`, checked to lie whole inside the content zone and apart.
// `item`: the card in a playlist with the demo; none: the card alone (the fallback screen).
std::vector<std::string> screen_texts(std::shared_ptr<const content::Playlist> playlist,
                                      scene::Size size,
                                      std::optional<std::size_t> item = std::nullopt) {
  scene::Preparer p = preparer();
  const scene::Zones zones = scene::zones_for(*playlist, size);
  const auto texts = scene::card_texts(p, *playlist, item, size);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const scene::RectI& box = texts[i].box;
    EXPECT_GE(box.x, zones.content.x) << texts[i].text;
    EXPECT_GE(box.y, zones.content.y) << texts[i].text;
    EXPECT_LE(box.x + box.w, zones.content.x + zones.content.w) << texts[i].text;
    EXPECT_LE(box.y + box.h, zones.content.y + zones.content.h) << texts[i].text;
    for (std::size_t j = 0; j < i; ++j) {
      EXPECT_FALSE(overlap(box, texts[j].box)) << texts[i].text << " / " << texts[j].text;
    }
    out.push_back(texts[i].text);
  }
  // Every character drawn with a font that has it.
  EXPECT_EQ(scene::prepare_card(p, *playlist, item, size).missing_glyphs, 0);
  return out;
}

std::vector<std::string> screen_texts(const content::FirstBoot& facts, scene::Size size) {
  return screen_texts(first_boot_playlist(facts), size);
}

bool shows(const std::vector<std::string>& texts, const std::string& part) {
  return std::any_of(texts.begin(), texts.end(),
                     [&](const std::string& t) { return t.find(part) != std::string::npos; });
}

// Written when SIGNAGE_FIRST_BOOT_PNG names a folder, to look at: the playlist at `at`.
void maybe_write_png(std::shared_ptr<const content::Playlist> playlist, const std::string& name,
                     int rotate, scene::Nanos at = 0) {
  const char* dir = std::getenv("SIGNAGE_FIRST_BOOT_PNG");
  if (!dir) return;
  run::StillOptions options;
  options.at = at;
  options.wall_clock_at_start_s = 1764900000;
  options.rotate = rotate;
  options.fonts_dir = fs::path(SIGNAGE_SOURCE_DIR) / "fonts";
  std::string error;
  auto image = run::render_still(std::move(playlist), options, &error);
  ASSERT_TRUE(image) << error;
  EXPECT_EQ(render::save_png(*image, (fs::path(dir) / (name + ".png")).string()), "");
}

void maybe_write_png(const content::FirstBoot& facts, const std::string& name, int rotate) {
  maybe_write_png(first_boot_playlist(facts), name, rotate);
}

const scene::Size kTv{1920, 1080}, kPortrait{1080, 1920};

TEST(FirstBoot, WithoutASourceTheScreenNamesTheUsbFolderAndThePlayerId) {
  auto facts = first_boot_facts(settings({"--state-dir", "/tmp/x"}), {"192.168.1.23"}, kId);
  for (scene::Size size : {kTv, kPortrait}) {
    auto texts = screen_texts(facts, size);
    EXPECT_TRUE(shows(texts, "还没有播放内容")) << size.width;
    EXPECT_TRUE(shows(texts, "No content yet")) << size.width;
    EXPECT_TRUE(shows(texts, "U盘 USB stick")) << size.width;
    EXPECT_TRUE(shows(texts, "signage/playlist.json")) << size.width;
    EXPECT_TRUE(shows(texts, "A folder named signage at the top of the stick")) << size.width;
    EXPECT_TRUE(shows(texts, "本机编号 Player ID")) << size.width;
    EXPECT_TRUE(shows(texts, kId)) << size.width;
    EXPECT_TRUE(shows(texts, "Tell the office this number")) << size.width;
    EXPECT_FALSE(shows(texts, "Web source")) << size.width;
    EXPECT_FALSE(shows(texts, "Studio")) << size.width;
    // Not the old screen's bare words.
    EXPECT_FALSE(shows(texts, "暂无内容")) << size.width;
  }
  maybe_write_png(facts, "first-boot-usb-only", 0);
}

TEST(FirstBoot, WithAWebSourceAndAStudioTheScreenSaysWhereAndHowItGoes) {
  auto facts = first_boot_facts(settings({"--state-dir", "/tmp/x", "--source",
                                          "https://content.example.org/hexi/playlist.json",
                                          "--local-source", "/var/lib/signage-studio/published"}),
                                {"192.168.1.23"}, kId);
  for (scene::Size size : {kTv, kPortrait}) {
    auto texts = screen_texts(facts, size);
    EXPECT_TRUE(shows(texts, "内容编辑器 Studio")) << size.width;
    EXPECT_TRUE(shows(texts, "http://192.168.1.23:8080")) << size.width;
    EXPECT_TRUE(shows(texts, "网络来源 Web source")) << size.width;
    EXPECT_TRUE(shows(texts, "https://content.example.org/hexi/playlist.json")) << size.width;
    EXPECT_TRUE(shows(texts, "Connecting")) << size.width;  // not polled yet
    EXPECT_TRUE(shows(texts, "signage/playlist.json")) << size.width;
    EXPECT_TRUE(shows(texts, kId)) << size.width;
  }
  maybe_write_png(facts, "first-boot-connecting", 0);
  // The last poll failed: the exact problem is on the screen.
  facts.web_problem = true;
  facts.web_state =
      "https://content.example.org/hexi/playlist.json: HTTP 404 (the server has no such file)";
  for (scene::Size size : {kTv, kPortrait}) {
    auto texts = screen_texts(facts, size);
    EXPECT_TRUE(shows(texts, "Cannot get content yet")) << size.width;
    EXPECT_TRUE(shows(texts, "HTTP 404 (the server has no such file)")) << size.width;
    EXPECT_FALSE(shows(texts, "Connecting")) << size.width;
  }
  maybe_write_png(facts, "first-boot-error", 0);
  maybe_write_png(facts, "first-boot-error-portrait", 90);
}

// With nothing stored the box plays: the card (20 s), then the demo's cards, looping; the card
// keeps saying how to give content, laid out whole beside the demo's ticker and logo.
TEST(FirstBoot, TheDemoFollowsTheCard) {
  const RunSettings s =
      settings({"--state-dir", "/tmp/x", "--local-source", "/var/lib/signage-studio/published",
                "--studio-url", "https://{ip}:8443"});
  ASSERT_TRUE(s.first_boot_demo);  // on by default
  auto demo = first_boot_demo(s);
  ASSERT_TRUE(demo) << "the demo bundle " << run::demo_playlist_path() << " did not load";
  ASSERT_GT(demo->items.size(), 3u);
  auto facts = first_boot_facts(s, {"192.168.1.23"}, kId);
  auto playlist = first_boot_playlist(facts, demo);
  ASSERT_EQ(playlist->items.size(), demo->items.size() + 1);
  EXPECT_EQ(playlist->items[0].id, scene::kFirstBootItemId);
  EXPECT_EQ(playlist->items[0].duration_s, kFirstBootCardSeconds);
  for (std::size_t i = 0; i < demo->items.size(); ++i) {
    EXPECT_EQ(playlist->items[i + 1].id, demo->items[i].id) << i;
    EXPECT_EQ(playlist->items[i + 1].title, demo->items[i].title) << i;
  }
  ASSERT_TRUE(playlist->first_boot);
  EXPECT_EQ(*playlist->first_boot, facts);
  EXPECT_EQ(playlist->revision, 0);  // nothing stored: a publish of any revision replaces it
  EXPECT_FALSE(playlist->expires);
  EXPECT_TRUE(playlist->display_hours.empty()) << "the waiting screen never goes dark";
  EXPECT_EQ(playlist->ticker.has_value(), demo->ticker.has_value());
  for (scene::Size size : {kTv, kPortrait}) {
    auto card = screen_texts(playlist, size, 0);
    EXPECT_TRUE(shows(card, "No content yet")) << size.width;
    EXPECT_TRUE(shows(card, "内容编辑器 Studio")) << size.width;
    EXPECT_TRUE(shows(card, "https://192.168.1.23:8443")) << size.width;
    EXPECT_TRUE(shows(card, kId)) << size.width;
    // The next card is the demo's first, drawn as the demo draws it.
    auto next = screen_texts(playlist, size, 1);
    EXPECT_FALSE(shows(next, "No content yet")) << size.width;
    scene::Preparer p = preparer();
    std::vector<std::string> demo_texts;
    for (const auto& t : scene::card_texts(p, *demo, 0, size)) demo_texts.push_back(t.text);
    EXPECT_EQ(next, demo_texts) << size.width;
  }
  maybe_write_png(playlist, "first-boot-with-demo-card", 0);
  maybe_write_png(playlist, "first-boot-with-demo-next", 0,
                  scene::Nanos((kFirstBootCardSeconds + 2) * double(scene::kSecond)));
  maybe_write_png(playlist, "first-boot-with-demo-card-portrait", 90);
}

// first_boot_demo = false (--no-first-boot-demo): the card alone, as the fallback screen.
TEST(FirstBoot, TheCardAloneWhenTheDemoIsOff) {
  const RunSettings s = settings({"--state-dir", "/tmp/x", "--no-first-boot-demo"});
  EXPECT_FALSE(s.first_boot_demo);
  EXPECT_EQ(first_boot_demo(s), nullptr);
  RunSettings from_file;
  EXPECT_EQ(parse_run_config("player.conf", "first_boot_demo = false\n", from_file), "");
  EXPECT_FALSE(from_file.first_boot_demo);
  auto alone = first_boot_playlist(first_boot_facts(s, {}, kId), first_boot_demo(s));
  EXPECT_TRUE(alone->items.empty());
  EXPECT_TRUE(shows(screen_texts(alone, kTv), "No content yet"));
}

}  // namespace
}  // namespace signage
