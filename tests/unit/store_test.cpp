// The store of verified bundles: checks, precedence, atomic switches, collection, recovery.
#include "sync/store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/pictures.h"
#include "sync/crypto.h"

namespace signage::sync {
namespace {
namespace fs = std::filesystem;

// A fresh state directory per test, removed afterwards.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto_init());
    dir_ = fs::temp_directory_path() /
           ("store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> open_store(StoreOptions options = {}) {
    options.dir = dir_ / "state";
    std::string error;
    auto store = Store::open(options, &error);
    EXPECT_TRUE(store) << error;
    return store;
  }

  // A playlist with one image item per asset and the assets list of `files` (path -> bytes).
  static std::string playlist(std::int64_t revision,
                              const std::vector<std::pair<std::string, std::string>>& files,
                              const std::string& title = "标题") {
    std::string items, assets;
    for (const auto& [path, bytes] : files) {
      items += R"({"type": "image", "image": ")" + path + R"("},)";
      assets += std::string(assets.empty() ? "" : ",") + "\"" + path + R"(": {"size": )" +
                std::to_string(bytes.size()) + R"(, "sha256": ")" + sha256_hex(bytes) + "\"}";
    }
    return R"({"version": 1, "id": "t", "revision": )" + std::to_string(revision) +
           R"(, "items": [)" + items + R"({"type": "headline", "title": ")" + title +
           R"("}], "assets": {)" + assets + "}}";
  }

  Candidate candidate(Source source, std::string bytes) {
    return Candidate{source, "test", "test/playlist.json", std::move(bytes), std::nullopt};
  }

  // The whole path a source takes: check, begin, add what is missing, commit.
  std::optional<BundleInfo> import(Store& store, const Candidate& c,
                                   const std::vector<std::pair<std::string, std::string>>& files,
                                   std::string* error) {
    CandidateCheck check = store.check(c);
    if (check.verdict != CandidateCheck::Verdict::accept) {
      *error = check.error;
      return std::nullopt;
    }
    auto imp = store.begin(c, check, error);
    if (!imp) return std::nullopt;
    for (const AssetRef& asset : imp->missing()) {
      for (const auto& [path, bytes] : files) {
        if (path != asset.path) continue;
        fs::path temp = imp->temp_path();
        std::ofstream(temp, std::ios::binary) << bytes;
        if (!imp->add(asset, temp, error)) return std::nullopt;
      }
    }
    return imp->commit(error);
  }

  static std::string png(const std::string& tag) { return "\x89PNG\r\n\x1a\n" + tag; }
  std::size_t count(const fs::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
    return n;
  }

  fs::path dir_;
};

TEST_F(StoreTest, ImportsABundleAndLoadsItFromTheStore) {
  auto store = open_store();
  EXPECT_FALSE(store->current());
  std::vector<std::pair<std::string, std::string>> files = {{"images/a.png", png("a")}};
  std::string error;
  auto info = import(*store, candidate(Source::http, playlist(1, files)), files, &error);
  ASSERT_TRUE(info) << error;
  EXPECT_EQ(info->revision, 1);
  EXPECT_EQ(info->source, Source::http);
  EXPECT_EQ(info->items, 2u);
  std::string problem;
  auto loaded = store->load_current(&problem);
  ASSERT_TRUE(loaded) << problem;
  EXPECT_EQ(loaded->items[0].image, fs::canonical(dir_ / "state/current/images/a.png"));
  // A reopened store (a restart) has it too, with no source at all.
  store.reset();
  store = open_store();
  ASSERT_TRUE(store->current());
  EXPECT_EQ(store->current()->sha256, info->sha256);
  EXPECT_TRUE(store->load_current(&problem)) << problem;
}

TEST_F(StoreTest, AnAssetAlreadyStoredIsNotMissing) {
  auto store = open_store();
  std::vector<std::pair<std::string, std::string>> files = {{"a.png", png("a")}};
  std::string error;
  ASSERT_TRUE(import(*store, candidate(Source::http, playlist(1, files)), files, &error)) << error;
  files.push_back({"b.png", png("b")});
  auto c = candidate(Source::http, playlist(2, files));
  auto check = store->check(c);
  ASSERT_EQ(check.verdict, CandidateCheck::Verdict::accept) << check.error;
  auto imp = store->begin(c, check, &error);
  ASSERT_TRUE(imp) << error;
  ASSERT_EQ(imp->missing().size(), 1u);
  EXPECT_EQ(imp->missing()[0].path, "b.png");
}

TEST_F(StoreTest, RefusesAnAssetWithTheWrongHashOrSize) {
  auto store = open_store();
  std::vector<std::pair<std::string, std::string>> files = {{"a.png", png("a")}};
  auto c = candidate(Source::http, playlist(1, files));
  auto check = store->check(c);
  std::string error;
  auto imp = store->begin(c, check, &error);
  ASSERT_TRUE(imp) << error;
  fs::path temp = imp->temp_path();
  std::ofstream(temp, std::ios::binary) << png("b");  // same size, other bytes
  EXPECT_FALSE(imp->add(imp->missing()[0], temp, &error));
  EXPECT_NE(error.find("has sha256"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(temp));
  temp = imp->temp_path();
  std::ofstream(temp, std::ios::binary) << png("bb");
  EXPECT_FALSE(imp->add(imp->missing()[0], temp, &error));
  EXPECT_NE(error.find("bytes; the playlist says"), std::string::npos) << error;
  EXPECT_FALSE(imp->commit(&error));
  EXPECT_NE(error.find("was not fetched"), std::string::npos) << error;
  EXPECT_FALSE(store->current());
}

TEST_F(StoreTest, InvalidPlaylistsSayWhereAndWhat) {
  auto store = open_store();
  auto check = store->check(candidate(Source::usb, R"({"version": 1, "items": [{"type": "x"}]})"));
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid);
  EXPECT_NE(check.error.find("test/playlist.json:1:"), std::string::npos) << check.error;
  EXPECT_NE(check.error.find("/items/0/type"), std::string::npos) << check.error;

  check = store->check(
      candidate(Source::http, R"({"version": 1, "items": [{"type": "image", "image": "a.png"}]})"));
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid);
  EXPECT_NE(check.error.find("no \"assets\" list"), std::string::npos) << check.error;

  check = store->check(candidate(Source::http, playlist(1, {{"../a.png", png("a")}})));
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid);
  EXPECT_NE(check.error.find("leaves it with \"..\""), std::string::npos) << check.error;

  check = store->check(candidate(Source::http, playlist(1, {{"/etc/passwd", "x"}})));
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid);
  EXPECT_NE(check.error.find("absolute path"), std::string::npos) << check.error;
}

TEST_F(StoreTest, HigherRevisionWinsAndSameRevisionOtherContentIsRefused) {
  auto store = open_store();
  std::string error;
  ASSERT_TRUE(import(*store, candidate(Source::http, playlist(5, {}, "http5")), {}, &error));
  auto check = store->check(candidate(Source::http, playlist(5, {}, "http5")));
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::already_current);
  check = store->check(candidate(Source::usb, playlist(4, {}, "usb4")));
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::superseded);
  EXPECT_NE(check.error.find("revision 4"), std::string::npos) << check.error;
  // A revision names one content: other bytes under the same number are refused, from a mirror
  // (2a -> 2b -> 2a flips) or a stick alike.
  for (Source source : {Source::http, Source::usb}) {
    check = store->check(candidate(source, playlist(5, {}, "http5b")));
    EXPECT_EQ(check.verdict, CandidateCheck::Verdict::superseded);
    EXPECT_NE(check.error.find("revision 5 is already playing with different content"),
              std::string::npos)
        << check.error;
  }
  ASSERT_TRUE(import(*store, candidate(Source::usb, playlist(6, {}, "usb6")), {}, &error));
  check = store->check(candidate(Source::http, playlist(5, {}, "http5")));
  EXPECT_NE(check.error.find("does not replace the USB import playing"), std::string::npos)
      << check.error;
  auto info = import(*store, candidate(Source::http, playlist(7, {}, "http7")), {}, &error);
  ASSERT_TRUE(info) << error;
  EXPECT_EQ(store->current()->revision, 7);
}

// Item 5 of issue 13: a damaged object is not reused; it is removed and fetched again.
TEST_F(StoreTest, ADamagedObjectIsFetchedAgainWhenANewRevisionReusesIt) {
  auto store = open_store();
  std::string error;
  std::vector<std::pair<std::string, std::string>> one = {{"a.png", png("aaaa")}};
  ASSERT_TRUE(import(*store, candidate(Source::http, playlist(1, one)), one, &error)) << error;
  fs::path object = dir_ / "state/objects" / sha256_hex(png("aaaa"));
  fs::permissions(object, fs::perms::owner_write, fs::perm_options::add);
  std::fstream(object, std::ios::binary | std::ios::in | std::ios::out).seekp(9).put('X');
  auto two_files = one;
  two_files.push_back({"b.png", png("b")});
  auto c = candidate(Source::http, playlist(2, two_files));
  auto check = store->check(c);
  ASSERT_EQ(check.verdict, CandidateCheck::Verdict::accept) << check.error;
  {
    auto imp = store->begin(c, check, &error);
    ASSERT_TRUE(imp) << error;
    ASSERT_EQ(imp->missing().size(), 2u);
    EXPECT_EQ(imp->missing()[0].path, "a.png");
  }
  ASSERT_TRUE(import(*store, c, two_files, &error)) << error;
  std::string problem;
  EXPECT_TRUE(store->load_current(&problem)) << problem;
}

// After a key rotation neither stored bundle verifies: nothing plays, so a lower revision signed
// with the new key is taken (a bundle that does not load never decides precedence).
TEST_F(StoreTest, ABundleThatDoesNotLoadDoesNotDecide) {
  KeyPair old_key = generate_key_pair(), new_key = generate_key_pair();
  StoreOptions options;
  options.public_keys = {*parse_public_key(old_key.public_key, nullptr)};
  auto store = open_store(options);
  std::string bytes = playlist(9, {});
  auto c = candidate(Source::http, bytes);
  c.signature = sign_detached(bytes, old_key.secret_key, nullptr);
  std::string error;
  ASSERT_TRUE(import(*store, c, {}, &error)) << error;
  store.reset();
  options.public_keys = {*parse_public_key(new_key.public_key, nullptr)};
  store = open_store(options);
  std::string problem;
  EXPECT_FALSE(store->load_current(&problem));
  EXPECT_NE(problem.find("does not match"), std::string::npos) << problem;
  EXPECT_FALSE(store->current());
  bytes = playlist(2, {});
  c = candidate(Source::http, bytes);
  c.signature = sign_detached(bytes, new_key.secret_key, nullptr);
  auto check = store->check(c);
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::accept) << check.error;
}

// Rotation without a flag day: a player trusting two keys takes either; .sig lines may name the
// key ("KEYID SIGNATURE"); a key it does not trust is named in the refusal.
TEST_F(StoreTest, SeveralTrustedKeysWithIds) {
  KeyPair a = generate_key_pair(), b = generate_key_pair(), stranger = generate_key_pair();
  PublicKey key_a = *parse_public_key(a.public_key, nullptr);
  PublicKey key_b = *parse_public_key(b.public_key, nullptr);
  PublicKey key_s = *parse_public_key(stranger.public_key, nullptr);
  StoreOptions options;
  options.public_keys = {key_a, key_b};
  auto store = open_store(options);
  std::string bytes = playlist(1, {});
  auto c = candidate(Source::http, bytes);
  c.signature = key_b.id() + " " + *sign_detached(bytes, b.secret_key, nullptr) + "\n";
  EXPECT_EQ(store->check(c).verdict, CandidateCheck::Verdict::accept);
  // Old and new signature side by side, as `sign` writes them during a rotation.
  c.signature = key_s.id() + " " + *sign_detached(bytes, stranger.secret_key, nullptr) + "\n" +
                key_a.id() + " " + *sign_detached(bytes, a.secret_key, nullptr) + "\n";
  EXPECT_EQ(store->check(c).verdict, CandidateCheck::Verdict::accept);
  c.signature = key_s.id() + " " + *sign_detached(bytes, stranger.secret_key, nullptr) + "\n";
  auto check = store->check(c);
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid);
  EXPECT_NE(
      check.error.find("signed with key " + key_s.id() + ", which this player does not trust"),
      std::string::npos)
      << check.error;
}

TEST_F(StoreTest, OnlyTheConfiguredChannel) {
  StoreOptions options;
  options.channel = "lobby";
  auto store = open_store(options);
  auto check = store->check(candidate(Source::http, playlist(100, {})));
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid);
  EXPECT_NE(check.error.find("/id: \"t\" is not the channel this player shows (\"lobby\""),
            std::string::npos)
      << check.error;
}

// A playlist that names files without an "assets" list: the store refuses it with the rule and
// the words `check` warns with and `sign` refuses with (content::missing_asset_list).
TEST_F(StoreTest, MissingAssetListIsTheRuleCheckAndSignUse) {
  auto store = open_store();
  const std::string bytes =
      R"({"version": 1, "id": "t", "items": [{"type": "image", "image": "a.png"},
      {"type": "headline", "title": "x", "image": "b.jpg"}]})";
  auto parsed = content::parse_playlist(bytes, "p.json", dir_, content::Limits{},
                                        content::AssetFiles::not_yet);
  ASSERT_TRUE(parsed.playlist);
  const std::string rule = content::missing_asset_list(*parsed.playlist);
  ASSERT_NE(rule, "");
  auto check = store->check(candidate(Source::http, bytes));
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid);
  EXPECT_EQ(check.error, "test/playlist.json: error: /assets: " + rule);
}

TEST_F(StoreTest, AssetNamesWithControlCharactersAreRefused) {
  auto store = open_store();
  // Only in the "assets" list (the items' image fields are checked as text already).
  for (std::string name : {"a\\u0000.png", "a\\u0001.png", "a\\n.png", "a\\u007f.png"}) {
    std::string bytes = R"({"version": 1, "id": "t", "items": [{"type": "headline", "title": "x"}],
      "assets": {")" + name +
                        R"(": {"size": 1, "sha256": ")" + std::string(64, 'a') + "\"}}}";
    auto check = store->check(candidate(Source::http, bytes));
    EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid) << name;
    EXPECT_NE(check.error.find("NUL or control characters"), std::string::npos)
        << name << ": " << check.error;
  }
}

// Startup trusts the record made when the objects were verified (no hashing before the first
// frame); the full check afterwards reads every byte and removes what is damaged.
TEST_F(StoreTest, QuickLoadTrustsTheCommitRecordAndTheFullCheckFindsDamage) {
  auto store = open_store();
  std::string error;
  std::vector<std::pair<std::string, std::string>> files = {{"a.png", png("aaaa")}};
  ASSERT_TRUE(import(*store, candidate(Source::http, playlist(1, files)), files, &error)) << error;
  fs::path object = dir_ / "state/objects" / sha256_hex(png("aaaa"));
  struct stat before {};
  ASSERT_EQ(::stat(object.c_str(), &before), 0);
  { std::fstream(object, std::ios::binary | std::ios::in | std::ios::out).seekp(9).put('X'); }
  // Bit rot keeps the time stamps: only reading every byte finds it.
  timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, object.c_str(), times, 0), 0);
  store.reset();
  store = open_store();
  std::string problem;
  EXPECT_TRUE(store->load_current(&problem, Verify::quick)) << problem;
  EXPECT_FALSE(store->load_current(&problem, Verify::full));
  EXPECT_NE(problem.find("does not match"), std::string::npos) << problem;
  EXPECT_FALSE(fs::exists(object));
  EXPECT_FALSE(store->current());
}

// A full check abandoned because the player quits is no verdict: the bundle stays current.
TEST_F(StoreTest, AStoppedCheckChangesNothing) {
  auto store = open_store();
  std::string error;
  std::vector<std::pair<std::string, std::string>> files = {{"a.png", png("a")}};
  ASSERT_TRUE(import(*store, candidate(Source::http, playlist(1, files)), files, &error)) << error;
  store->stop_checks();
  std::string problem;
  EXPECT_FALSE(store->load_current(&problem, Verify::full));
  EXPECT_TRUE(problem.empty()) << problem;
  EXPECT_TRUE(store->current());
  EXPECT_TRUE(fs::exists(dir_ / "state/objects" / sha256_hex(png("a"))));
}

TEST_F(StoreTest, ExpiresIsStoredWithTheBundle) {
  auto store = open_store();
  std::string bytes = playlist(1, {});
  bytes.insert(1, R"("expires": "2025-01-20T08:00:00+08:00", )");
  std::string error;
  ASSERT_TRUE(import(*store, candidate(Source::http, bytes), {}, &error)) << error;
  store.reset();
  store = open_store();
  ASSERT_TRUE(store->current());
  EXPECT_EQ(store->current()->expires, 1737331200);
}

TEST_F(StoreTest, SignedContentOnlyWhenAKeyIsConfigured) {
  KeyPair pair = generate_key_pair();
  KeyPair other = generate_key_pair();
  StoreOptions options;
  auto key = parse_public_key(pair.public_key, nullptr);
  ASSERT_TRUE(key);
  options.public_keys = {*key};
  auto store = open_store(options);
  std::string bytes = playlist(1, {});
  auto c = candidate(Source::usb, bytes);
  auto check = store->check(c);
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid);
  EXPECT_NE(check.error.find("no playlist.json.sig"), std::string::npos) << check.error;

  c.signature = sign_detached(bytes, other.secret_key, nullptr);
  check = store->check(c);
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid);
  EXPECT_NE(check.error.find("does not match"), std::string::npos) << check.error;

  c.signature = sign_detached(bytes + " ", pair.secret_key, nullptr);  // other bytes
  EXPECT_EQ(store->check(c).verdict, CandidateCheck::Verdict::invalid);

  c.signature = "not base64!";
  EXPECT_EQ(store->check(c).verdict, CandidateCheck::Verdict::invalid);

  c.signature = sign_detached(bytes, pair.secret_key, nullptr);
  std::string error;
  ASSERT_TRUE(import(*store, c, {}, &error)) << error;
  EXPECT_TRUE(fs::exists(dir_ / "state/current/playlist.json.sig"));
  EXPECT_TRUE(store->load_current(&error)) << error;
}

TEST_F(StoreTest, KeepsCurrentAndPreviousAndCollectsTheRest) {
  auto store = open_store();
  std::string error;
  for (int revision = 1; revision <= 4; ++revision) {
    std::vector<std::pair<std::string, std::string>> files = {
        {"shared.png", png("shared")}, {"own.png", png("own" + std::to_string(revision))}};
    ASSERT_TRUE(import(*store, candidate(Source::http, playlist(revision, files)), files, &error))
        << error;
  }
  EXPECT_EQ(count(dir_ / "state/bundles"), 2u);
  EXPECT_EQ(count(dir_ / "state/objects"), 3u);  // shared + own3 + own4
  EXPECT_TRUE(fs::exists(dir_ / "state/objects" / sha256_hex(png("own3"))));
  EXPECT_FALSE(fs::exists(dir_ / "state/objects" / sha256_hex(png("own1"))));
  std::ifstream previous(dir_ / "state/previous/own.png", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(previous), {}), png("own3"));
}

TEST_F(StoreTest, ADamagedCurrentBundleFallsBackToThePreviousOne) {
  auto store = open_store();
  std::string error;
  std::vector<std::pair<std::string, std::string>> one = {{"a.png", png("1")}};
  std::vector<std::pair<std::string, std::string>> two = {{"a.png", png("2")}};
  auto first = import(*store, candidate(Source::http, playlist(1, one)), one, &error);
  ASSERT_TRUE(first) << error;
  ASSERT_TRUE(import(*store, candidate(Source::http, playlist(2, two)), two, &error)) << error;
  // Flip a byte of the current bundle's asset (a failing SD card).
  fs::path asset = fs::canonical(dir_ / "state/current/a.png");
  fs::permissions(asset, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(asset, std::ios::binary) << png("3");
  store.reset();
  store = open_store();
  std::string problem;
  auto loaded = store->load_current(&problem);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->revision, 1);
  EXPECT_NE(problem.find("does not match"), std::string::npos) << problem;
  EXPECT_EQ(store->current()->sha256, first->sha256);
}

// The full check hashes without holding the store: an import commits meanwhile, and the check,
// finding the bundle it looked at no longer current, gives no verdict (no fallback to the
// previous bundle over the newer one).
TEST_F(StoreTest, ACommitDuringTheFullCheckWins) {
  std::vector<std::pair<std::string, std::string>> one = {{"a.png", png("1")}};
  std::vector<std::pair<std::string, std::string>> two = {{"a.png", png("2")}};
  std::vector<std::pair<std::string, std::string>> three = {{"a.png", png("3")}};
  std::string error;
  {
    auto store = open_store();
    ASSERT_TRUE(import(*store, candidate(Source::http, playlist(1, one)), one, &error)) << error;
    ASSERT_TRUE(import(*store, candidate(Source::http, playlist(2, two)), two, &error)) << error;
  }
  fs::path asset = fs::canonical(dir_ / "state/current/a.png");
  fs::permissions(asset, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(asset, std::ios::binary) << png("X");  // damaged
  StoreOptions options;
  std::unique_ptr<Store> store;
  std::atomic<bool> imported{false}, imported_during_check{false}, hooked{false};
  std::thread importer;
  options.before_full_check = [&] {
    if (hooked.exchange(true)) return;
    // The import runs on another thread; a check holding the store's lock would block it.
    importer = std::thread([&] {
      std::string why;
      EXPECT_TRUE(import(*store, candidate(Source::usb, playlist(3, three)), three, &why)) << why;
      imported = true;
    });
    for (int i = 0; i < 2000 && !imported; ++i) {  // a generous deadline, 20 s
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    imported_during_check = imported.load();
  };
  store = open_store(options);
  std::string problem;
  auto loaded = store->load_current(&problem, Verify::full);
  ASSERT_TRUE(hooked);
  importer.join();
  EXPECT_TRUE(imported_during_check) << "the import waited for the full check";
  EXPECT_FALSE(loaded) << "the check handed over revision " << loaded->revision;
  EXPECT_TRUE(problem.empty()) << problem;
  ASSERT_TRUE(store->current());
  EXPECT_EQ(store->current()->revision, 3);
}

TEST_F(StoreTest, OpenCleansWhatACrashLeftBehind) {
  auto store = open_store();
  std::string error;
  ASSERT_TRUE(import(*store, candidate(Source::usb, playlist(1, {})), {}, &error)) << error;
  store.reset();
  std::ofstream(dir_ / "state/tmp/part-1") << "half a download";
  fs::create_directories(dir_ / "state/bundles/.new-x/images");
  fs::create_symlink("bundles/.new-x", dir_ / "state/current.new");
  store = open_store();
  EXPECT_EQ(count(dir_ / "state/tmp"), 0u);
  EXPECT_FALSE(fs::exists(dir_ / "state/bundles/.new-x"));
  EXPECT_FALSE(fs::is_symlink(dir_ / "state/current.new"));
  EXPECT_TRUE(store->load_current(&error)) << error;
}

TEST_F(StoreTest, RefusesContentLargerThanTheCap) {
  StoreOptions options;
  options.max_bytes = 100;
  auto store = open_store(options);
  std::vector<std::pair<std::string, std::string>> files = {{"a.png", png(std::string(200, 'x'))}};
  auto check = store->check(candidate(Source::http, playlist(1, files)));
  EXPECT_EQ(check.verdict, CandidateCheck::Verdict::invalid);
  EXPECT_NE(check.error.find("more than the store may hold"), std::string::npos) << check.error;
}

// A picture no player could decode within its budget is not taken in, whatever its name says,
// and nothing of it stays in the store.
TEST_F(StoreTest, PictureBombsAreNotStored) {
  auto store = open_store();
  std::vector<std::pair<std::string, std::string>> files = {
      {"images/holiday.jpg", test_support::crafted_png(20000, 20000)}};
  std::string error;
  EXPECT_FALSE(import(*store, candidate(Source::usb, playlist(1, files)), files, &error));
  EXPECT_NE(error.find("asset images/holiday.jpg is a PNG of 20000x20000 px"), std::string::npos)
      << error;
  EXPECT_NE(error.find("resize it to at most 2160x2160 px"), std::string::npos) << error;
  EXPECT_FALSE(store->current());
  EXPECT_EQ(count(dir_ / "state" / "objects"), 0u);
  EXPECT_EQ(count(dir_ / "state" / "tmp"), 0u);
}

// Refused for space: begin() says so and returns (it used to wait for its own lock forever).
TEST_F(StoreTest, NotEnoughFreeSpaceIsAnErrorNotAHang) {
  StoreOptions options;
  options.reserve_bytes = std::uint64_t(1) << 62;
  auto store = open_store(options);
  std::vector<std::pair<std::string, std::string>> files = {{"a.png", png("a")}};
  auto c = candidate(Source::http, playlist(1, files));
  auto check = store->check(c);
  ASSERT_EQ(check.verdict, CandidateCheck::Verdict::accept) << check.error;
  std::string error;
  EXPECT_FALSE(store->begin(c, check, &error));
  EXPECT_NE(error.find("not enough free space"), std::string::npos) << error;
  // Nothing stays pinned: the store goes on working.
  store.reset();
  store = open_store();
  EXPECT_TRUE(import(*store, c, files, &error)) << error;
}

// status.json says when the content playing is past its "expires" (and not before), and is not
// world-readable.
TEST_F(StoreTest, StatusSaysStaleContent) {
  std::string bytes = playlist(1, {});
  bytes.insert(1, R"("expires": "2025-01-20T08:00:00+08:00", )");
  {
    auto store = open_store();
    std::string error;
    ASSERT_TRUE(import(*store, candidate(Source::http, bytes), {}, &error)) << error;
  }
  SyncOptions options;
  options.state_dir = dir_ / "state";
  options.watch_usb = false;
  std::string error;
  auto sync = Sync::open(options, &error);
  ASSERT_TRUE(sync) << error;
  std::ifstream in(dir_ / "state/status.json");
  auto status = nlohmann::json::parse(in);
  EXPECT_EQ(status["content"]["expires"], "2025-01-20T00:00:00Z");
  EXPECT_EQ(status["content"]["stale"], true);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "state/status.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  sync.reset();

  // Not yet expired: not stale.
  std::string later = playlist(2, {});
  later.insert(1, R"("expires": "2200-01-01T00:00:00Z", )");
  {
    auto store = open_store();
    ASSERT_TRUE(import(*store, candidate(Source::http, later), {}, &error)) << error;
  }
  sync = Sync::open(options, &error);
  ASSERT_TRUE(sync) << error;
  std::ifstream again(dir_ / "state/status.json");
  status = nlohmann::json::parse(again);
  EXPECT_EQ(status["content"]["revision"], 2);
  EXPECT_EQ(status["content"]["expires"], "2200-01-01T00:00:00Z");
  EXPECT_EQ(status["content"]["stale"], false);
}

// The documented recovery from a runaway revision (2^53 from a stick): with current and
// previous removed, the next bundle of any revision is taken.
TEST_F(StoreTest, RunawayRevisionRecovery) {
  {
    auto store = open_store();
    std::string error;
    ASSERT_TRUE(import(*store, candidate(Source::usb, playlist(9007199254740992, {})), {}, &error))
        << error;
    EXPECT_EQ(store->check(candidate(Source::http, playlist(3, {}))).verdict,
              CandidateCheck::Verdict::superseded);
  }
  fs::remove(dir_ / "state/current");
  fs::remove(dir_ / "state/previous");
  auto store = open_store();
  EXPECT_FALSE(store->current());
  EXPECT_EQ(store->check(candidate(Source::http, playlist(3, {}))).verdict,
            CandidateCheck::Verdict::accept);
}

TEST_F(StoreTest, ManifestTextIsUpdatedInPlace) {
  std::string json = "{\n  \"version\": 1,\n  \"items\": []\n}\n";
  auto with = content::with_asset_list(json, {{"a b.png", 3, std::string(64, 'a'), "", 0, 0}});
  ASSERT_TRUE(with);
  EXPECT_NE(with->find("\"items\": [],\n  \"assets\": {\n    \"a b.png\""), std::string::npos)
      << *with;
  auto again = content::with_asset_list(*with, {});
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, "{\n  \"version\": 1,\n  \"items\": [],\n  \"assets\": {}\n}\n");
  // The list in the middle of the object keeps the members after it.
  auto middle = content::with_asset_list(R"({"assets": {"x": 1}, "version": 1})", {});
  ASSERT_TRUE(middle);
  EXPECT_EQ(*middle, R"({"assets": {}, "version": 1})");
  EXPECT_FALSE(content::with_asset_list("[1]", {}));
}

}  // namespace
}  // namespace signage::sync
