// A studio's workspace publishing in a loop, for the crash test (studio_publish_crash.py), which
// kills it with SIGKILL at random moments. Modes:
//   loop DATA_DIR SEED_BUNDLE SECRET_KEY   edit and publish forever (an alert every 5th time)
//   bench DATA_DIR SEED_BUNDLE SECRET_KEY  time 10 publishes of the seed, print the median
//   verify DATA_DIR PUBLIC_KEY             check that `published` is a whole signed revision
//                                          (not an rN.tmp); prints the revision
//   clean DATA_DIR                         open the workspace (it removes leftovers), then check
//                                          that nothing half-written remains
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "content/content.h"
#include "files/files.h"
#include "studio/workspace.h"
#include "sync/crypto.h"

namespace fs = std::filesystem;
using namespace signage;

namespace {

int fail(const std::string& why) {
  std::fprintf(stderr, "studio_publish_loop: %s\n", why.c_str());
  return 1;
}

// The workspace as the studio opens it, without its scheduler thread.
std::unique_ptr<studio::Workspace> open_workspace(const fs::path& data, const fs::path& seed,
                                                  const fs::path& key, std::string* error) {
  studio::StudioPaths paths;
  paths.data_dir = data;
  studio::WorkspaceOptions options;
  options.seed = seed;
  options.sign_key = key;
  options.scheduler_thread = false;
  return studio::Workspace::open(paths, options, error);
}

int loop(const fs::path& data, const fs::path& seed, const fs::path& key) {
  std::string error;
  auto ws = open_workspace(data, seed, key, &error);
  if (!ws) return fail(error);
  for (long n = 0;; ++n) {
    auto playlist = nlohmann::json::parse(ws->draft().playlist_json);
    playlist["title"] = "第 " + std::to_string(n) + " 次发布";
    auto saved = ws->save_draft(ws->draft().version, playlist.dump(), "crash");
    if (!saved.ok()) return fail("save: " + saved.error.en);
    std::printf("publishing\n");  // the crash test kills within the publish that follows
    std::fflush(stdout);
    auto published = n % 5 == 4 ? ws->send_alert("停水通知", "今日停水", 30, "crash")
                                : ws->publish({ws->draft().version, "loop", "crash",
                                               studio::Role::admin, std::nullopt});
    if (!published.ok()) return fail("publish: " + published.error.en + published.body.dump());
    std::printf("%lld\n", (long long)published.body["revision"].get<std::int64_t>());
    std::fflush(stdout);
  }
}

int bench(const fs::path& data, const fs::path& seed, const fs::path& key) {
  std::string error;
  auto ws = open_workspace(data, seed, key, &error);
  if (!ws) return fail(error);
  std::vector<double> ms;
  for (int i = 0; i < 10; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto published = ws->publish({ws->draft().version, "bench", "bench", studio::Role::admin, {}});
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    if (!published.ok()) return fail("publish: " + published.error.en);
    ms.push_back(took.count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("publish of %s (signed, fsynced): median %.1f ms, min %.1f, max %.1f (10 runs)\n",
              seed.string().c_str(), (ms[4] + ms[5]) / 2, ms.front(), ms.back());
  return 0;
}

int clean(const fs::path& data) {
  studio::StudioPaths paths;
  paths.data_dir = data;
  studio::WorkspaceOptions options;
  options.scheduler_thread = false;
  std::string error;
  auto ws = studio::Workspace::open(paths, options, &error);
  if (!ws) return fail(error);
  for (const auto& entry : fs::directory_iterator(paths.revisions_dir())) {
    if (entry.path().extension() == ".tmp")
      return fail("left after open: " + entry.path().string());
  }
  if (fs::exists(data / "published.tmp")) return fail("left after open: published.tmp");
  return 0;
}

int verify(const fs::path& data, const fs::path& public_key) {
  studio::StudioPaths paths;
  paths.data_dir = data;
  std::string error;
  const fs::path target = fs::read_symlink(paths.published_link());
  if (target.parent_path() != "revisions" || target.extension() == ".tmp")
    return fail("published points at " + target.string());
  auto bytes = files::read_file(paths.published_link() / "playlist.json", 4 << 20, &error);
  auto sig = files::read_file(paths.published_link() / "playlist.json.sig", 4096, &error);
  auto key_text = files::read_file(public_key, 4096, &error);
  if (!bytes || !sig || !key_text) return fail(error);
  auto key = sync::parse_public_key(*key_text, &error);
  if (!key || !sync::verify_any(*bytes, *sig, {*key}, &error)) return fail("signature: " + error);
  auto result = content::load_playlist(paths.published_link());
  if (!result.playlist) return fail("the published playlist does not load");
  if (target.filename().string() != "r" + std::to_string(result.playlist->revision))
    return fail("folder " + target.string() + " holds revision " +
                std::to_string(result.playlist->revision));
  std::printf("%lld\n", (long long)result.playlist->revision);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!sync::crypto_init()) return fail("libsodium failed to initialize");
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "loop" && argc == 5) return loop(argv[2], argv[3], argv[4]);
  if (mode == "bench" && argc == 5) return bench(argv[2], argv[3], argv[4]);
  if (mode == "verify" && argc == 4) return verify(argv[2], argv[3]);
  if (mode == "clean" && argc == 3) return clean(argv[2]);
  return fail(
      "usage: studio_publish_loop loop|bench DATA SEED KEY | verify DATA PUBLIC_KEY | clean DATA");
}
