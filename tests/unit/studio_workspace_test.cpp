// The studio's workspace, in-process: the draft (conflicts), check and loop, atomic signed
// publishes that a player accepts, keep 10, restore, approvals, scheduled publishes, alerts.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "content/content.h"
#include "files/files.h"
#include "studio/workspace.h"
#include "sync/crypto.h"

namespace signage::studio {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDemo = fs::path(SIGNAGE_SOURCE_DIR) / "playlists" / "hexi-2024";

std::string playlist_with(const std::string& title, const std::string& extra_item = "") {
  json p = {{"version", 1},
            {"title", title},
            {"lang", "zh-Hans"},
            {"timezone", "Asia/Shanghai"},
            {"items", json::array({{{"type", "headline"}, {"id", "h1"}, {"title", title}},
                                   {{"type", "statistic"},
                                    {"id", "s1"},
                                    {"value", "1,286"},
                                    {"unit", "人次"},
                                    {"label", "本月接待居民"}}})}};
  if (!extra_item.empty()) p["items"].push_back(json::parse(extra_item));
  return p.dump();
}

class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/studio-workspace-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    root = dir;
    paths.data_dir = root / "data";
    ASSERT_TRUE(sync::crypto_init());
    keys = sync::generate_key_pair();
    ASSERT_TRUE(files::create_file(root / "studio.key", keys.secret_key + "\n", 0600));
  }
  void TearDown() override { fs::remove_all(root); }

  std::unique_ptr<Workspace> open(fs::path seed = {}) {
    WorkspaceOptions options;
    options.seed = seed;
    options.sign_key = root / "studio.key";
    options.now = [this] { return clock; };
    options.scheduler_thread = false;
    // What the fleet would push, in order (studio/fleet_watch.h).
    options.on_published = [this](std::int64_t r) {
      told.push_back("update " + std::to_string(r));
    };
    options.on_alert_sent = [this](const SentAlert& a) {
      told.push_back("alert " + a.id + " " + a.title + " " + a.body + " " +
                     std::to_string(a.priority) + " " + std::to_string(a.until));
    };
    options.on_alert_removed = [this](const std::string& id) { told.push_back("cancel " + id); };
    std::string error;
    auto ws = Workspace::open(paths, options, &error);
    EXPECT_TRUE(ws) << error;
    return ws;
  }
  std::vector<std::string> told;

  Outcome save(Workspace& ws, const std::string& playlist) {
    return ws.save_draft(ws.draft().version, playlist, "amy");
  }

  Outcome publish(Workspace& ws, Role role = Role::approver, std::optional<std::int64_t> at = {}) {
    return ws.publish({ws.draft().version, "note", "amy", role, at});
  }

  fs::path published() const { return fs::canonical(paths.published_link()); }

  json published_json() const {
    return json::parse(*files::read_file(paths.published_link() / "playlist.json", 4 << 20));
  }

  // The published folder as a player's store takes it: valid, assets matching, signed by our key.
  void expect_whole_signed_revision() {
    auto result = content::load_playlist(paths.published_link());
    ASSERT_TRUE(result.playlist);
    ASSERT_TRUE(result.playlist->has_asset_list);
    EXPECT_EQ(result.playlist->assets.size(), result.playlist->asset_paths.size());
    for (const auto& asset : result.playlist->assets) {
      auto digest = sync::digest_file(paths.published_link() / asset.path, nullptr);
      ASSERT_TRUE(digest) << asset.path;
      EXPECT_EQ(digest->sha256, asset.sha256);
      EXPECT_EQ(digest->size, asset.size);
    }
    auto bytes = files::read_file(paths.published_link() / "playlist.json", 4 << 20);
    auto sig = files::read_file(paths.published_link() / "playlist.json.sig", 4096);
    ASSERT_TRUE(bytes && sig);
    std::string why;
    EXPECT_TRUE(
        sync::verify_any(*bytes, *sig, {*sync::parse_public_key(keys.public_key, nullptr)}, &why))
        << why;
    EXPECT_EQ(published().parent_path(), fs::canonical(paths.revisions_dir()));
    EXPECT_EQ(published().filename().string(), "r" + std::to_string(result.playlist->revision));
  }

  std::size_t revision_count() const {
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(paths.revisions_dir()))
      n += entry.is_directory();
    return n;
  }

  fs::path root;
  StudioPaths paths;
  sync::KeyPair keys;
  std::int64_t clock = 1'800'000'000;  // 2027-01-15
};

TEST_F(WorkspaceTest, ANewDraftIsAnEmptyChinesePlaylist) {
  auto ws = open();
  DraftSnapshot draft = ws->draft();
  json playlist = json::parse(draft.playlist_json);
  EXPECT_EQ(playlist["title"], "新的节目单");
  EXPECT_EQ(playlist["lang"], "zh-Hans");
  EXPECT_EQ(playlist["timezone"], "Asia/Shanghai");
  EXPECT_TRUE(playlist["items"].empty());
  EXPECT_EQ(draft.version, sync::sha256_hex(draft.playlist_json));
  EXPECT_EQ(*files::read_file(paths.draft_dir() / "playlist.json", 1 << 20), draft.playlist_json);
  EXPECT_EQ(ws->published_revision(), 0);
}

TEST_F(WorkspaceTest, SeedsTheDraftFromABundleWithoutItsAssetsList) {
  auto ws = open(kDemo);
  json playlist = json::parse(ws->draft().playlist_json);
  EXPECT_EQ(playlist["id"], "hexi-2024");
  EXPECT_FALSE(playlist.contains("assets"));
  EXPECT_TRUE(fs::exists(paths.draft_dir() / "images" / "hexi-banner.png"));
  json checked = ws->draft_json();
  for (const json& d : checked["diagnostics"]) EXPECT_NE(d["severity"], "error") << d.dump();
  EXPECT_GT(checked["loop"]["slots"].size(), 3u);
}

TEST_F(WorkspaceTest, TwoSavesFromTheSameBaseTheSecondIsToldAndNothingIsLost) {
  auto ws = open();
  const std::string base = ws->draft().version;
  Outcome first = ws->save_draft(base, playlist_with("第一位同事"), "amy");
  ASSERT_EQ(first.status, 200) << first.error.en;
  Outcome second = ws->save_draft(base, playlist_with("第二位同事"), "bob");
  EXPECT_EQ(second.status, 409);
  EXPECT_FALSE(second.error.zh.empty());
  // The answer carries what is saved now (the first colleague's), so the page can merge.
  EXPECT_EQ(second.body["current"]["playlist"]["title"], "第一位同事");
  EXPECT_EQ(second.body["current"]["version"], first.body["version"]);
  EXPECT_EQ(json::parse(ws->draft().playlist_json)["title"], "第一位同事");
  // Saved again from the version it was told, the second edit goes in.
  Outcome retry = ws->save_draft(second.body["current"]["version"].get<std::string>(),
                                 playlist_with("第二位同事"), "bob");
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(json::parse(ws->draft().playlist_json)["title"], "第二位同事");
}

TEST_F(WorkspaceTest, ASaveKeepsTheServersRevisionAndDropsAssets) {
  auto ws = open(kDemo);
  json edited = json::parse(ws->draft().playlist_json);
  edited["revision"] = 999;
  edited["assets"] = {{"images/x.png", {{"size", 1}, {"sha256", std::string(64, '0')}}}};
  ASSERT_EQ(save(*ws, edited.dump()).status, 200);
  json saved = json::parse(ws->draft().playlist_json);
  EXPECT_EQ(saved["revision"], 1);  // the seed's
  EXPECT_FALSE(saved.contains("assets"));
  EXPECT_EQ(save(*ws, "[1, 2]").status, 400);
}

TEST_F(WorkspaceTest, CheckGivesErrorsWithPointersAndTextFitWarnings) {
  auto ws = open();
  json bad = json::parse(playlist_with("标题"));
  bad["items"][0]["duration"] = -5;
  json diagnostics = ws->check(bad.dump());
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics[0]["severity"], "error");
  EXPECT_EQ(diagnostics[0]["pointer"], "/items/0/duration");
  EXPECT_GT(diagnostics[0]["line"].get<int>(), 0);

  json long_title = json::parse(playlist_with("标题"));
  std::string text;
  for (int i = 0; i < 120; ++i) text += "社区服务中心";
  long_title["items"][0]["title"] = text;
  diagnostics = ws->check(long_title.dump());
  bool warned = false;
  for (const json& d : diagnostics) {
    warned |= d["severity"] == "warning" && d["pointer"] == "/items/0/title" &&
              d["message"].get<std::string>().find("too long to fit") != std::string::npos;
  }
  EXPECT_TRUE(warned) << diagnostics.dump();
}

TEST_F(WorkspaceTest, TheLoopListsSlotsAndAbsentItems) {
  auto ws = open();
  // A notice shown only in December is absent from a loop in January.
  ASSERT_EQ(save(*ws, playlist_with("和平里", R"({"type": "notice", "id": "dec", "body": "十二月",
      "schedule": {"valid_from": "2026-12-01T00:00:00+08:00", "valid_until": "2027-01-01T00:00:00+08:00"}})"))
                .status,
            200);
  json loop = ws->loop(*content::parse_instant("2027-01-15T09:30:00+08:00"));
  EXPECT_EQ(loop["at"], "2027-01-15T09:30:00+08:00");
  ASSERT_EQ(loop["slots"].size(), 2u);
  EXPECT_EQ(loop["slots"][0]["id"], "h1");
  EXPECT_EQ(loop["slots"][1]["start_s"], 8.0);
  EXPECT_EQ(loop["length_s"], 16.0);
  ASSERT_EQ(loop["absent"].size(), 1u);
  EXPECT_EQ(loop["absent"][0]["id"], "dec");
  EXPECT_EQ(loop["absent"][0]["reason"], "outside_schedule");
  json december = ws->loop(*content::parse_instant("2026-12-07T09:30:00+08:00"));
  EXPECT_EQ(december["slots"].size(), 3u);
}

TEST_F(WorkspaceTest, APublishIsAWholeSignedBundleAPlayerAccepts) {
  auto ws = open(kDemo);
  Outcome out = publish(*ws);
  ASSERT_EQ(out.status, 200) << out.error.en << out.body.dump();
  const std::int64_t revision = out.body["revision"];
  EXPECT_EQ(revision, clock);  // max(previous + 1, now): now wins over the seed's 1
  EXPECT_EQ(ws->published_revision(), revision);
  expect_whole_signed_revision();
  EXPECT_TRUE(fs::is_symlink(paths.published_link()));
  EXPECT_EQ(fs::read_symlink(paths.published_link()),
            fs::path("revisions") / ("r" + std::to_string(revision)));
  // The same second again: still a higher revision, so players move to it.
  Outcome again = publish(*ws);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body["revision"], revision + 1);
  json history = ws->history();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1]["what"], "publish");
  EXPECT_EQ(history[1]["by"], "amy");
  EXPECT_EQ(history[1]["revision"], revision + 1);
}

TEST_F(WorkspaceTest, APublishRefusesErrorsAndAStaleBase) {
  auto ws = open();
  json bad = json::parse(playlist_with("标题"));
  bad["items"][0]["duration"] = -5;
  ASSERT_EQ(save(*ws, bad.dump()).status, 200);  // a draft may be unfinished
  Outcome refused = publish(*ws);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.body["diagnostics"][0]["pointer"], "/items/0/duration");
  EXPECT_FALSE(fs::exists(paths.published_link()));
  EXPECT_EQ(revision_count(), 0u);
  Outcome stale = ws->publish({"0123", "", "amy", Role::admin, {}});
  EXPECT_EQ(stale.status, 409);
}

TEST_F(WorkspaceTest, KeepsTheLastTenRevisions) {
  auto ws = open(kDemo);
  std::vector<std::int64_t> revisions;
  for (int i = 0; i < 12; ++i) {
    Outcome out = publish(*ws);
    ASSERT_EQ(out.status, 200);
    revisions.push_back(out.body["revision"]);
    clock += 60;
  }
  EXPECT_EQ(revision_count(), 10u);
  EXPECT_FALSE(fs::exists(paths.revisions_dir() / ("r" + std::to_string(revisions[1]))));
  EXPECT_TRUE(fs::exists(paths.revisions_dir() / ("r" + std::to_string(revisions[2]))));
  json listed = ws->revisions();
  ASSERT_EQ(listed.size(), 10u);
  EXPECT_EQ(listed[0]["revision"], revisions.back());
  EXPECT_EQ(listed[0]["current"], true);
  EXPECT_EQ(listed[1]["current"], false);
  EXPECT_EQ(listed[0]["by"], "amy");
  EXPECT_EQ(listed[0]["items"], json::parse(ws->draft().playlist_json)["items"].size());
  expect_whole_signed_revision();
}

TEST_F(WorkspaceTest, RestorePublishesAnOldRevisionAsANewOneAndMakesItTheDraft) {
  auto ws = open();
  ASSERT_EQ(save(*ws, playlist_with("第一版")).status, 200);
  const std::int64_t first = publish(*ws).body["revision"];
  clock += 60;
  ASSERT_EQ(save(*ws, playlist_with("第二版")).status, 200);
  const std::int64_t second = publish(*ws).body["revision"];
  clock += 60;
  Outcome restored = ws->restore(first, "amy");
  ASSERT_EQ(restored.status, 200) << restored.error.en;
  EXPECT_GT(restored.body["revision"].get<std::int64_t>(), second);
  EXPECT_EQ(published_json()["title"], "第一版");
  EXPECT_EQ(json::parse(ws->draft().playlist_json)["title"], "第一版");
  EXPECT_FALSE(json::parse(ws->draft().playlist_json).contains("assets"));
  expect_whole_signed_revision();
  EXPECT_EQ(ws->restore(12345, "amy").status, 404);
  EXPECT_EQ(ws->history().back()["what"], "restore");
}

TEST_F(WorkspaceTest, WithApprovalAnEditorsPublishWaitsAndTheApproverPublishesExactlyIt) {
  auto ws = open();
  ASSERT_TRUE(
      files::replace_file(paths.data_dir / "settings.json", R"({"require_approval": true})", 0644));
  ASSERT_EQ(save(*ws, playlist_with("待审批的版本")).status, 200);
  Outcome asked = publish(*ws, Role::editor);
  ASSERT_EQ(asked.status, 200) << asked.error.en;
  const std::string id = asked.body["pending"];
  EXPECT_FALSE(fs::exists(paths.published_link()));
  ASSERT_EQ(ws->pending().size(), 1u);
  EXPECT_EQ(ws->pending()[0]["id"], id);
  // The draft moves on; the approval publishes what was asked for.
  ASSERT_EQ(save(*ws, playlist_with("之后的修改")).status, 200);
  Outcome approved = ws->approve(id, "boss");
  ASSERT_EQ(approved.status, 200) << approved.error.en;
  EXPECT_EQ(published_json()["title"], "待审批的版本");
  EXPECT_TRUE(ws->pending().empty());
  expect_whole_signed_revision();
  EXPECT_EQ(ws->history().back()["what"], "approve");
  EXPECT_EQ(ws->history().back()["by"], "boss");
  // Rejected: dropped, nothing published.
  const std::int64_t before = ws->published_revision();
  std::string second = publish(*ws, Role::editor).body["pending"];
  EXPECT_EQ(ws->reject(second, "boss").status, 200);
  EXPECT_TRUE(ws->pending().empty());
  EXPECT_EQ(ws->published_revision(), before);
  EXPECT_EQ(ws->approve(second, "boss").status, 404);
  EXPECT_EQ(ws->approve("../settings", "boss").status, 404);
  // An approver publishes at once; an editor may not restore.
  EXPECT_TRUE(publish(*ws, Role::approver).body.contains("revision"));
  EXPECT_EQ(ws->restore(before, "amy", Role::editor).status, 403);
}

TEST_F(WorkspaceTest, AScheduledPublishHappensAtItsTimeAlsoAfterARestart) {
  auto ws = open();
  ASSERT_EQ(save(*ws, playlist_with("定时发布")).status, 200);
  // A time in the past: published now.
  Outcome past = publish(*ws, Role::admin, clock - 3600);
  ASSERT_TRUE(past.body.contains("revision")) << past.body.dump();
  // A time in the future: waits.
  ASSERT_EQ(save(*ws, playlist_with("明早的版本")).status, 200);
  Outcome later = publish(*ws, Role::admin, clock + 3600);
  ASSERT_TRUE(later.body.contains("scheduled")) << later.body.dump();
  ASSERT_EQ(ws->scheduled().size(), 1u);
  ws->run_due();
  EXPECT_EQ(published_json()["title"], "定时发布");
  // The studio restarts before the time; the entry is still there and is published on time.
  ws.reset();
  ws = open();
  ASSERT_EQ(ws->scheduled().size(), 1u);
  clock += 3600;
  ws->run_due();
  EXPECT_EQ(published_json()["title"], "明早的版本");
  EXPECT_TRUE(ws->scheduled().empty());
  EXPECT_EQ(ws->history().back()["what"], "scheduled publish");
  // Cancelled: never published.
  std::string id = publish(*ws, Role::admin, clock + 60).body["scheduled"];
  EXPECT_EQ(ws->unschedule(id, "amy").status, 200);
  EXPECT_TRUE(ws->scheduled().empty());
}

TEST_F(WorkspaceTest, ADamagedScheduledEntryIsDroppedNotThrown) {
  // run_due runs on the scheduler thread: what it throws ends the studio, at every restart.
  auto ws = open();
  ASSERT_TRUE(files::replace_file(paths.data_dir / "scheduled" / "0badc0de.json",
                                  R"({"id": "0badc0de", "publish_at": 0, "playlist": 5,
                                      "assets": {"images/a.png": 7}})",
                                  0600));
  ASSERT_NO_THROW(ws->run_due());
  EXPECT_TRUE(ws->scheduled().empty());
  EXPECT_EQ(ws->history().back()["what"], "scheduled publish failed");
}

TEST_F(WorkspaceTest, TheSchedulerThreadPublishesOnTime) {
  WorkspaceOptions options;  // the real clock and thread
  std::string error;
  auto ws = Workspace::open(paths, options, &error);
  ASSERT_TRUE(ws) << error;
  ASSERT_EQ(ws->save_draft(ws->draft().version, playlist_with("一秒后"), "amy").status, 200);
  Outcome later =
      ws->publish({ws->draft().version, "", "amy", Role::admin, std::time(nullptr) + 1});
  ASSERT_TRUE(later.body.contains("scheduled"));
  for (int i = 0; i < 200 && ws->published_revision() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(ws->published_revision(), 0);
  EXPECT_TRUE(ws->scheduled().empty());
}

TEST_F(WorkspaceTest, AnAlertIsPublishedWithWhatPlaysAndRemovedAgain) {
  auto ws = open();
  EXPECT_EQ(ws->send_alert("停水通知", "今日停水", 120, "guard").status, 409);  // nothing published
  ASSERT_EQ(save(*ws, playlist_with("和平里")).status, 200);
  ASSERT_EQ(publish(*ws).status, 200);
  clock += 10;
  Outcome sent = ws->send_alert("停水通知", "今日8时至18时停水", 120, "guard");
  ASSERT_EQ(sent.status, 200) << sent.error.en << sent.body.dump();
  const std::string id = sent.body["id"];
  EXPECT_EQ(id, "alert-" + std::to_string(clock));
  json items = published_json()["items"];
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[2]["type"], "alert");
  EXPECT_EQ(items[2]["priority"], 3);  // sent alerts are emergencies unless told otherwise
  EXPECT_EQ(*content::parse_instant(items[2]["schedule"]["valid_from"].get<std::string>()), clock);
  EXPECT_EQ(*content::parse_instant(items[2]["schedule"]["valid_until"].get<std::string>()),
            clock + 120 * 60);
  expect_whole_signed_revision();
  // It shows at once: the loop of what is published now is the alert alone.
  auto playing = content::load_playlist(paths.published_link());
  ASSERT_TRUE(playing.playlist);
  EXPECT_TRUE(content::is_eligible(playing.playlist->items[2], clock, "Asia/Shanghai"));
  // Publishing the draft keeps the running alert.
  clock += 10;
  ASSERT_EQ(publish(*ws).status, 200);
  EXPECT_EQ(published_json()["items"].size(), 3u);
  // Removed: published without it.
  clock += 10;
  Outcome removed = ws->remove_alert(id, "guard");
  ASSERT_EQ(removed.status, 200) << removed.error.en;
  EXPECT_EQ(published_json()["items"].size(), 2u);
  EXPECT_EQ(ws->remove_alert(id, "guard").status, 404);
  json history = ws->history();
  EXPECT_EQ(history[history.size() - 3]["what"], "alert");
  EXPECT_EQ(history.back()["what"], "alert removed");
  EXPECT_EQ(ws->send_alert("", "", 10, "guard").status, 400);
  EXPECT_EQ(ws->send_alert("x", "", 0, "guard").status, 400);
  EXPECT_EQ(ws->send_alert("x", "", 10, "guard", 0).status, 400);
  EXPECT_EQ(ws->send_alert("x", "", 10, "guard", 4).status, 400);
  clock += 10;
  Outcome warning = ws->send_alert("施工提示", "", 10, "guard", 2);
  ASSERT_EQ(warning.status, 200) << warning.error.en;
  EXPECT_EQ(published_json()["items"].back()["priority"], 2);
}

TEST_F(WorkspaceTest, EveryNewRevisionAndAlertIsToldToTheFleet) {
  auto ws = open();
  auto update = [&] { return "update " + std::to_string(ws->published_revision()); };
  ASSERT_EQ(save(*ws, playlist_with("第一版")).status, 200);
  ASSERT_EQ(publish(*ws).status, 200);
  const std::int64_t first = ws->published_revision();
  EXPECT_EQ(told, std::vector<std::string>{update()});
  EXPECT_EQ(publish(*ws, Role::editor, clock + 60).body.count("scheduled"), 1u);
  EXPECT_EQ(told.size(), 1u);  // nothing new on the screens yet
  clock += 60;
  ws->run_due();
  EXPECT_EQ(told.back(), update());
  ASSERT_EQ(ws->restore(first, "amy").status, 200);
  EXPECT_EQ(told.back(), update());
  ASSERT_TRUE(
      files::replace_file(paths.data_dir / "settings.json", R"({"require_approval": true})", 0644));
  std::string pending = publish(*ws, Role::editor).body["pending"];
  EXPECT_EQ(told.size(), 3u);
  ASSERT_EQ(ws->approve(pending, "boss").status, 200);
  ASSERT_EQ(told.size(), 4u);
  EXPECT_EQ(told.back(), update());
  clock += 10;
  std::string id = ws->send_alert("停水", "今日停水", 30, "guard", 2).body["id"];
  ASSERT_EQ(told.size(), 6u);
  EXPECT_EQ(told[4], update());
  EXPECT_EQ(told[5], "alert " + id + " 停水 今日停水 2 " + std::to_string(clock + 30 * 60));
  ASSERT_EQ(ws->remove_alert(id, "guard").status, 200);
  ASSERT_EQ(told.size(), 8u);
  EXPECT_EQ(told[6], update());
  EXPECT_EQ(told[7], "cancel " + id);
  // What fails tells nothing.
  EXPECT_EQ(ws->remove_alert(id, "guard").status, 404);
  EXPECT_EQ(ws->send_alert("", "", 10, "guard").status, 400);
  EXPECT_EQ(told.size(), 8u);
}

TEST_F(WorkspaceTest, OpeningRemovesWhatAnInterruptedPublishLeft) {
  auto ws = open(kDemo);
  const std::int64_t published = publish(*ws).body["revision"];
  ws.reset();
  const fs::path tmp = paths.revisions_dir() / ("r" + std::to_string(published + 1) + ".tmp");
  const fs::path unpublished = paths.revisions_dir() / ("r" + std::to_string(published + 2));
  fs::create_directories(tmp);
  fs::create_directories(unpublished);
  fs::create_symlink("revisions/nowhere", paths.data_dir / "published.tmp");
  ws = open();
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_FALSE(fs::exists(unpublished));
  EXPECT_FALSE(fs::is_symlink(paths.data_dir / "published.tmp"));
  EXPECT_EQ(ws->published_revision(), published);
  expect_whole_signed_revision();
}

}  // namespace
}  // namespace signage::studio
