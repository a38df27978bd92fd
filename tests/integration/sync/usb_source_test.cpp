// The USB source with real mounts: each test program enters a private mount namespace of its own
// (unshare(CLONE_NEWNS), mounts made private) and mounts tmpfs file systems under a temporary USB
// root; they stand in for sticks. MountWatcher sees them come and go through
// /proc/self/mountinfo, and import_stick brings them into a Store in a temp folder. Malicious
// sticks are refused with the file and the reason, and the content playing stays; a stick
// unmounted mid-copy abandons the import.
//
// Needs root (CI runs as root) or a kernel that lets this user make mount namespaces; otherwise
// every test fails and says why.
#include "sync/usb_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <thread>

#include "support/pictures.h"
#include "sync/crypto.h"
#include "sync/store.h"

namespace signage::sync {
namespace {
namespace fs = std::filesystem;

std::string g_no_namespace;  // why tests cannot mount, empty when they can

#define REQUIRE_MOUNTS() ASSERT_EQ(g_no_namespace, "") << "cannot run: " << g_no_namespace

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string png(const std::string& tag) {
  return "\x89PNG\r\n\x1a\n" + tag;
}

using Files = std::vector<std::pair<std::string, std::string>>;  // path in the bundle, bytes

// A playlist with one image item per asset and the assets list of `files`; `declared` overrides
// the listed paths (for paths that no file has, like "../x").
std::string playlist(int revision, const Files& files) {
  std::string items, assets;
  for (const auto& [path, bytes] : files) {
    items += R"({"type": "image", "image": ")" + path + R"("},)";
    assets += std::string(assets.empty() ? "" : ",") + "\"" + path + R"(": {"size": )" +
              std::to_string(bytes.size()) + R"(, "sha256": ")" + sha256_hex(bytes) + "\"}";
  }
  return R"({"version": 1, "id": "usb-test", "revision": )" + std::to_string(revision) +
         R"(, "items": [)" + items + R"({"type": "headline", "title": "U盘内容"}], "assets": {)" +
         assets + "}}";
}

class UsbTest : public ::testing::Test {
 protected:
  // The test's name as one file name (parameterized names hold a '/').
  static std::string test_name() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    return name;
  }
  void SetUp() override {
    ASSERT_TRUE(crypto_init());
    base_ =
        fs::temp_directory_path() / ("usb_test_" + std::to_string(::getpid()) + "_" + test_name());
    fs::remove_all(base_);
    root_ = base_ / "usb-root";
    fs::create_directories(root_);
  }
  void TearDown() override {
    for (auto it = mounted_.rbegin(); it != mounted_.rend(); ++it)
      ::umount2(it->c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  // A fresh tmpfs at root/name: a stick being plugged in.
  fs::path plug(const std::string& name, const std::string& options = "size=64m") {
    fs::path point = root_ / name;
    fs::create_directories(point);
    if (::mount("stick", point.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      ADD_FAILURE() << "mount tmpfs on " << point << ": " << std::strerror(errno);
    }
    mounted_.push_back(point);
    return point;
  }
  void unplug(const fs::path& point) { ASSERT_EQ(::umount2(point.c_str(), MNT_DETACH), 0); }

  // A stick holding signage/playlist.json for `files` and the files themselves.
  fs::path stick(const std::string& name, int revision, const Files& files) {
    fs::path point = plug(name);
    write_file(point / "signage" / "playlist.json", playlist(revision, files));
    for (const auto& [path, bytes] : files) write_file(point / "signage" / path, bytes);
    return point;
  }

  std::unique_ptr<Store> open_store(StoreOptions options = {}) {
    options.dir = base_ / "state";
    std::string error;
    auto store = Store::open(options, &error);
    EXPECT_TRUE(store) << error;
    return store;
  }

  ImportOutcome import(Store& store, const fs::path& point) {
    progress_.clear();
    return import_stick(
        store, point, [&](const ImportProgress& p) { progress_.push_back(p); }, stop_);
  }

  // A good bundle playing, to check that refused sticks leave it alone.
  std::string install_good(Store& store) {
    fs::path point = stick("good", 1, {{"images/a.png", png("good")}});
    ImportOutcome outcome = import(store, point);
    EXPECT_TRUE(outcome.imported) << outcome.error;
    unplug(point);
    return store.current() ? store.current()->sha256 : "";
  }

  std::size_t temp_files() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(base_ / "state" / "tmp")) ++n;
    return n;
  }

  fs::path base_, root_;
  std::vector<fs::path> mounted_;
  std::vector<ImportProgress> progress_;
  std::atomic<bool> stop_{false};
};

bool contains(const std::vector<fs::path>& v, const fs::path& p) {
  return std::find(v.begin(), v.end(), p) != v.end();
}

// --- MountWatcher ---------------------------------------------------------------------------

TEST_F(UsbTest, WatcherSeesAStickComeAndGoAndComeBack) {
  REQUIRE_MOUNTS();
  std::string error;
  auto watcher = MountWatcher::open({root_}, &error);
  ASSERT_TRUE(watcher) << error;
  EXPECT_TRUE(watcher->mounts().empty());
  // A mount outside the roots is not a stick.
  fs::create_directories(base_ / "elsewhere");
  ASSERT_EQ(::mount("x", (base_ / "elsewhere").c_str(), "tmpfs", 0, nullptr), 0);
  mounted_.push_back(base_ / "elsewhere");
  ASSERT_TRUE(watcher->wait(30000, stop_)) << "no mount table change seen";
  EXPECT_TRUE(watcher->mounts().empty());

  // mountinfo writes the space as \040; mounts() gives the path back as it is.
  fs::path point = plug("MY STICK");
  ASSERT_TRUE(watcher->wait(30000, stop_)) << "no mount table change seen";
  auto mounts = watcher->mounts();
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0], point);

  unplug(point);
  ASSERT_TRUE(watcher->wait(30000, stop_)) << "no mount table change seen";
  EXPECT_TRUE(watcher->mounts().empty());

  ASSERT_EQ(::mount("stick", point.c_str(), "tmpfs", 0, nullptr), 0);
  ASSERT_TRUE(watcher->wait(30000, stop_)) << "the re-plugged stick was not seen";
  EXPECT_TRUE(contains(watcher->mounts(), point));
}

TEST_F(UsbTest, WatcherRootGivenAsSymlinkAndRootItself) {
  REQUIRE_MOUNTS();
  fs::create_directory_symlink(root_, base_ / "link-to-root");
  std::string error;
  auto watcher = MountWatcher::open({base_ / "link-to-root", base_ / "not-there-yet"}, &error);
  ASSERT_TRUE(watcher) << error;
  fs::path point = plug("sda1");
  EXPECT_TRUE(contains(watcher->mounts(), point));
  // A root that is itself a mount point counts, and one made after open is seen.
  fs::create_directories(base_ / "not-there-yet");
  ASSERT_EQ(::mount("x", (base_ / "not-there-yet").c_str(), "tmpfs", 0, nullptr), 0);
  mounted_.push_back(base_ / "not-there-yet");
  EXPECT_TRUE(contains(watcher->mounts(), base_ / "not-there-yet"));
}

TEST_F(UsbTest, WaitReturnsOnTimeoutAndOnStop) {
  REQUIRE_MOUNTS();
  std::string error;
  auto watcher = MountWatcher::open({root_}, &error);
  ASSERT_TRUE(watcher) << error;
  EXPECT_FALSE(watcher->wait(100, stop_));
  std::atomic<bool> stop{true};
  EXPECT_FALSE(
      watcher->wait(1000 * 1000 * 1000, stop));  // returns at once; ctest's timeout otherwise
}

// --- import_stick: good sticks ----------------------------------------------------------------

TEST_F(UsbTest, ImportsAGoodStickThenKnowsItIsCurrent) {
  REQUIRE_MOUNTS();
  auto store = open_store();
  Files files = {{"images/a.png", png("a")}, {"images/sub/b.png", png(std::string(3 << 20, 'b'))}};
  fs::path point = stick("good", 1, files);
  ImportOutcome outcome = import(*store, point);
  ASSERT_TRUE(outcome.found);
  ASSERT_TRUE(outcome.imported) << outcome.error;
  EXPECT_TRUE(outcome.error.empty());
  ASSERT_TRUE(outcome.installed);
  EXPECT_EQ(outcome.installed->source, Source::usb);
  EXPECT_EQ(outcome.installed->origin, (point / "signage").string());
  EXPECT_EQ(outcome.installed->items, 3u);
  ASSERT_FALSE(progress_.empty());
  EXPECT_EQ(progress_.back().files_done, 2u);
  EXPECT_EQ(progress_.back().files_total, 2u);
  EXPECT_EQ(progress_.back().bytes_done, progress_.back().bytes_total);
  EXPECT_EQ(progress_.back().bytes_total, files[0].second.size() + files[1].second.size());
  std::string problem;
  EXPECT_TRUE(store->load_current(&problem)) << problem;
  EXPECT_EQ(temp_files(), 0u);

  ImportOutcome again = import(*store, point);
  EXPECT_TRUE(again.found);
  EXPECT_FALSE(again.imported);
  EXPECT_TRUE(again.already_current);
  EXPECT_TRUE(again.error.empty()) << again.error;
}

// Under a seccomp policy that predates openat2 (Docker's, systemd's SystemCallFilter=), openat2
// fails with EPERM, not ENOSYS: the import falls back to open() rather than failing every file.
// Labelled native-only (usb.cmake): qemu-user refuses seccomp filters.
TEST_F(UsbTest, ImportsWhenSeccompRefusesOpenat2) {
  REQUIRE_MOUNTS();
  auto store = open_store();
  fs::path point = stick("good", 1, {{"images/a.png", png("a")}});
  ImportOutcome outcome;
  bool filtered = false;
  // The filter applies to this thread only (no SECCOMP_FILTER_FLAG_TSYNC).
  std::thread worker([&] {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
    filtered = ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
               ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
    if (filtered) outcome = import(*store, point);
  });
  worker.join();
  ASSERT_TRUE(filtered) << "cannot install the seccomp filter: " << std::strerror(errno);
  EXPECT_TRUE(outcome.imported) << outcome.error;
}

TEST_F(UsbTest, AMountWithoutSignageIsNotAStick) {
  REQUIRE_MOUNTS();
  auto store = open_store();
  fs::path point = plug("photos");
  write_file(point / "holiday.jpg", "x");
  ImportOutcome outcome = import(*store, point);
  EXPECT_FALSE(outcome.found);
  EXPECT_FALSE(outcome.imported);
  EXPECT_TRUE(outcome.error.empty());
}

TEST_F(UsbTest, ASymlinkInsideTheBundleIsFollowed) {
  REQUIRE_MOUNTS();
  auto store = open_store();
  fs::path point = plug("links");
  std::string bytes = png("linked");
  write_file(point / "signage" / "playlist.json", playlist(1, {{"images/a.png", bytes}}));
  write_file(point / "signage" / "real" / "a.png", bytes);
  fs::create_directories(point / "signage" / "images");
  fs::create_symlink("../real/a.png", point / "signage" / "images" / "a.png");
  ImportOutcome outcome = import(*store, point);
  EXPECT_TRUE(outcome.imported) << outcome.error;
}

TEST_F(UsbTest, SignedSticks) {
  REQUIRE_MOUNTS();
  KeyPair keys = generate_key_pair();
  std::string error;
  auto key = parse_public_key(keys.public_key, &error);
  ASSERT_TRUE(key) << error;
  StoreOptions options;
  options.public_keys = {*key};
  auto store = open_store(options);

  Files files = {{"a.png", png("signed")}};
  fs::path point = stick("unsigned", 1, files);
  ImportOutcome outcome = import(*store, point);
  EXPECT_FALSE(outcome.imported);
  EXPECT_NE(outcome.error.find((point / "signage/playlist.json").string()), std::string::npos)
      << outcome.error;
  EXPECT_NE(outcome.error.find("no playlist.json.sig"), std::string::npos) << outcome.error;

  // A signature of other bytes.
  auto other = sign_detached("something else", keys.secret_key, &error);
  ASSERT_TRUE(other) << error;
  write_file(point / "signage" / "playlist.json.sig", *other);
  outcome = import(*store, point);
  EXPECT_FALSE(outcome.imported);
  EXPECT_NE(outcome.error.find((point / "signage/playlist.json.sig").string() + ": error:"),
            std::string::npos)
      << outcome.error;

  auto good = sign_detached(playlist(1, files), keys.secret_key, &error);
  ASSERT_TRUE(good) << error;
  write_file(point / "signage" / "playlist.json.sig", *good);
  outcome = import(*store, point);
  EXPECT_TRUE(outcome.imported) << outcome.error;
}

// --- import_stick: refused sticks -------------------------------------------------------------

// Each case makes a stick (revision 2, over a good revision 1 playing) and names what the error
// must say; the content playing stays and nothing is left in STATE/tmp.
struct BadStick {
  const char* name;
  std::function<void(const fs::path& bundle)> make;
  std::vector<std::string> expect;  // substrings of the error; "@" stands for the bundle folder
};

// Names the case in test listings (gtest would print its bytes).
void PrintTo(const BadStick& stick, std::ostream* out) {
  *out << stick.name;
}

class UsbRefusalTest : public UsbTest, public ::testing::WithParamInterface<BadStick> {};

TEST_P(UsbRefusalTest, IsRefusedAndTheCurrentContentStays) {
  REQUIRE_MOUNTS();
  auto store = open_store();
  std::string playing = install_good(*store);
  ASSERT_FALSE(playing.empty());
  fs::path point = plug("bad");
  fs::path bundle = point / "signage";
  fs::create_directories(bundle);
  GetParam().make(bundle);
  ImportOutcome outcome = import(*store, point);
  EXPECT_TRUE(outcome.found);
  EXPECT_FALSE(outcome.imported);
  EXPECT_FALSE(outcome.installed);
  std::cout << "refused: " << outcome.error << "\n";
  for (std::string expect : GetParam().expect) {
    if (auto at = expect.find('@'); at != std::string::npos) expect.replace(at, 1, bundle.string());
    EXPECT_NE(outcome.error.find(expect), std::string::npos)
        << "expected \"" << expect << "\" in:\n"
        << outcome.error;
  }
  ASSERT_TRUE(store->current());
  EXPECT_EQ(store->current()->sha256, playing);
  std::string problem;
  EXPECT_TRUE(store->load_current(&problem)) << problem;
  EXPECT_EQ(temp_files(), 0u);
}

const std::string kShadowBytes = "root:*:19000:0:99999:7:::\n";

// A playlist naming `path` as an asset of `bytes` (the file itself is made by the case).
void list_asset(const fs::path& bundle, const std::string& path, const std::string& bytes) {
  write_file(bundle / "playlist.json", playlist(2, {{path, bytes}}));
}

INSTANTIATE_TEST_SUITE_P(
    Malicious, UsbRefusalTest,
    ::testing::Values(
        BadStick{"symlink_to_etc_shadow",
                 [](const fs::path& b) {
                   list_asset(b, "images/a.png", kShadowBytes);
                   fs::create_directories(b / "images");
                   fs::create_symlink("/etc/shadow", b / "images/a.png");
                 },
                 {"@/images/a.png: error: a symbolic link to /etc/shadow, outside the signage "
                  "folder"}},
        BadStick{"symlinked_folder_leading_out",
                 [](const fs::path& b) {
                   list_asset(b, "etc/shadow", kShadowBytes);
                   fs::create_directory_symlink("/etc", b / "etc");
                 },
                 {"@/etc/shadow: error:", "outside the signage folder"}},
        BadStick{"dangling_symlink",
                 [](const fs::path& b) {
                   list_asset(b, "a.png", png("x"));
                   fs::create_symlink("nowhere.png", b / "a.png");
                 },
                 {"@/a.png: error: a symbolic link that leads nowhere"}},
        BadStick{"character_device",
                 [](const fs::path& b) {
                   list_asset(b, "a.png", png("x"));
                   ASSERT_EQ(::mknod((b / "a.png").c_str(), S_IFCHR | 0644, makedev(1, 5)), 0)
                       << std::strerror(errno);
                 },
                 {"@/a.png: error: a character device file, not a regular file"}},
        BadStick{"block_device",
                 [](const fs::path& b) {
                   list_asset(b, "a.png", png("x"));
                   ASSERT_EQ(::mknod((b / "a.png").c_str(), S_IFBLK | 0644, makedev(7, 0)), 0)
                       << std::strerror(errno);
                 },
                 {"@/a.png: error: a block device file, not a regular file"}},
        BadStick{"fifo",
                 [](const fs::path& b) {
                   list_asset(b, "a.png", png("x"));
                   ASSERT_EQ(::mkfifo((b / "a.png").c_str(), 0644), 0) << std::strerror(errno);
                 },
                 {"@/a.png: error: a FIFO (named pipe), not a regular file"}},
        BadStick{
            "playlist_is_a_fifo",
            [](const fs::path& b) { ASSERT_EQ(::mkfifo((b / "playlist.json").c_str(), 0644), 0); },
            {"@/playlist.json: error: a FIFO (named pipe), not a regular file"}},
        BadStick{"folder_named_as_asset",
                 [](const fs::path& b) {
                   list_asset(b, "a.png", png("x"));
                   fs::create_directories(b / "a.png");
                 },
                 {"@/a.png: error: a folder, not a regular file"}},
        BadStick{"missing_asset",
                 [](const fs::path& b) { list_asset(b, "a.png", png("x")); },
                 {"@/a.png: error: no such file on the stick"}},
        BadStick{"dot_dot_path",
                 [](const fs::path& b) {
                   list_asset(b, "../outside.png", png("x"));
                   write_file(b.parent_path() / "outside.png", png("x"));
                 },
                 {"@/playlist.json:1:", "error:", "\"..\""}},
        BadStick{"absolute_path",
                 [](const fs::path& b) { list_asset(b, "/etc/shadow", kShadowBytes); },
                 {"@/playlist.json:1:", "error:", "absolute path"}},
        BadStick{"larger_than_declared",
                 [](const fs::path& b) {
                   list_asset(b, "a.png", png("small"));
                   write_file(b / "a.png", png(std::string(1 << 20, 'x')));
                 },
                 {"@/a.png: error: it has 1048584 bytes, more than the 13 the playlist declares"}},
        BadStick{"wrong_hash",
                 [](const fs::path& b) {
                   list_asset(b, "a.png", png("right"));
                   write_file(b / "a.png", png("wrong"));
                 },
                 {"@/a.png: error:", "sha256", "the playlist says " + sha256_hex(png("right"))}},
        BadStick{"invalid_json",
                 [](const fs::path& b) {
                   write_file(b / "playlist.json", "{\"version\": 1,\n \"items\": [,]}");
                 },
                 {"@/playlist.json:2:", "error:"}},
        BadStick{
            "huge_playlist",
            [](const fs::path& b) { write_file(b / "playlist.json", std::string(5 << 20, ' ')); },
            {"@/playlist.json: error: it has 5242880 bytes; at most 4194304 are allowed"}},
        BadStick{"older_revision",
                 [](const fs::path& b) {
                   std::string bytes = png("old");
                   write_file(b / "playlist.json", playlist(0, {{"a.png", bytes}}));
                   write_file(b / "a.png", bytes);
                 },
                 {"@/playlist.json: revision 0 does not replace the USB import playing "
                  "(revision 1)"}},
        BadStick{"signage_is_a_symlink",
                 [](const fs::path& b) {
                   fs::path real = b.parent_path() / "elsewhere";
                   fs::rename(b, real);
                   list_asset(real, "a.png", png("x"));
                   write_file(real / "a.png", png("x"));
                   fs::create_directory_symlink(real, b);
                 },
                 {"@: error: a symbolic link; the stick needs a real folder named signage"}}),
    [](const ::testing::TestParamInfo<BadStick>& info) { return std::string(info.param.name); });

// --- a stick pulled mid-copy, and stop ----------------------------------------------------------

TEST_F(UsbTest, AStickUnmountedMidCopyIsAbandoned) {
  REQUIRE_MOUNTS();
  auto store = open_store();
  std::string playing = install_good(*store);
  fs::path point = plug("pulled");
  Files files = {{"big.png", png(std::string(24 << 20, 'z'))}, {"small.png", png("s")}};
  write_file(point / "signage" / "playlist.json", playlist(2, files));
  for (const auto& [path, bytes] : files) write_file(point / "signage" / path, bytes);
  // Lazily unmounted as soon as the copy has started: the open descriptor still reads (as a
  // pulled stick's cached pages might), so only the mount table tells that it is gone.
  bool pulled = false;
  ImportOutcome outcome = import_stick(
      *store, point,
      [&](const ImportProgress& p) {
        if (!pulled && p.bytes_done > 0) {
          pulled = true;
          ASSERT_EQ(::umount2(point.c_str(), MNT_DETACH), 0) << std::strerror(errno);
        }
      },
      stop_);
  ASSERT_TRUE(pulled);
  EXPECT_FALSE(outcome.imported);
  EXPECT_EQ(outcome.error, point.string() +
                               ": the stick was removed while copying; nothing was imported and "
                               "the current content keeps playing");
  EXPECT_EQ(store->current()->sha256, playing);
  std::string problem;
  EXPECT_TRUE(store->load_current(&problem)) << problem;
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(UsbTest, AnotherStickInTheSameSpotIsNotTheSameStick) {
  REQUIRE_MOUNTS();
  auto store = open_store();
  std::string playing = install_good(*store);
  fs::path point = plug("swapped");
  Files files = {{"big.png", png(std::string(24 << 20, 'y'))}};
  write_file(point / "signage" / "playlist.json", playlist(2, files));
  write_file(point / "signage" / "big.png", files[0].second);
  bool swapped = false;
  ImportOutcome outcome = import_stick(
      *store, point,
      [&](const ImportProgress& p) {
        if (!swapped && p.bytes_done > 0) {
          swapped = true;
          // Another file system mounted over it: the device number differs.
          ASSERT_EQ(::mount("other", point.c_str(), "tmpfs", 0, nullptr), 0);
          mounted_.push_back(point);
        }
      },
      stop_);
  ASSERT_TRUE(swapped);
  EXPECT_FALSE(outcome.imported);
  EXPECT_NE(outcome.error.find("the stick was removed while copying"), std::string::npos)
      << outcome.error;
  EXPECT_EQ(store->current()->sha256, playing);
}

TEST_F(UsbTest, StopAbandonsTheImport) {
  REQUIRE_MOUNTS();
  auto store = open_store();
  std::string playing = install_good(*store);
  fs::path point = stick("stopped", 2, {{"big.png", png(std::string(24 << 20, 's'))}});
  ImportOutcome outcome = import_stick(
      *store, point,
      [&](const ImportProgress& p) {
        if (p.bytes_done > 0) stop_ = true;
      },
      stop_);
  EXPECT_FALSE(outcome.imported);
  EXPECT_NE(outcome.error.find("the import was stopped"), std::string::npos) << outcome.error;
  EXPECT_EQ(store->current()->sha256, playing);
  EXPECT_EQ(temp_files(), 0u);
}

// A picture no player can decode within its budget is refused at import, named by its path on
// the stick, and the bundle playing stays.
TEST_F(UsbTest, PictureBombsAreRefused) {
  REQUIRE_MOUNTS();
  auto store = open_store();
  const std::string good = install_good(*store);
  fs::path point =
      stick("bomb", 2, {{"images/holiday.jpg", test_support::crafted_png(20000, 20000)}});
  ImportOutcome outcome = import(*store, point);
  EXPECT_FALSE(outcome.imported);
  EXPECT_NE(outcome.error.find((point / "signage" / "images" / "holiday.jpg").string() +
                               ": error: asset images/holiday.jpg is a PNG of 20000x20000 px"),
            std::string::npos)
      << outcome.error;
  ASSERT_TRUE(store->current());
  EXPECT_EQ(store->current()->sha256, good);
  EXPECT_EQ(temp_files(), 0u);
}

// --- mounts inside a stick, a read-only state directory ------------------------------------------

// A file system mounted inside the signage folder is not the stick: refused (openat2 with
// RESOLVE_NO_XDEV, and the device compared where the kernel has no openat2).
TEST_F(UsbTest, AMountInsideTheSignageFolderIsRefused) {
  REQUIRE_MOUNTS();
  auto store = open_store();
  std::string playing = install_good(*store);
  std::string bytes = png("elsewhere");
  fs::path point = stick("nested", 2, {{"images/a.png", bytes}});
  fs::path images = point / "signage" / "images";
  ASSERT_EQ(::mount("other", images.c_str(), "tmpfs", 0, "size=1m"), 0) << std::strerror(errno);
  mounted_.push_back(images);
  write_file(images / "a.png", bytes);
  ImportOutcome outcome = import(*store, point);
  EXPECT_FALSE(outcome.imported);
  EXPECT_NE(outcome.error.find("images/a.png: error: on another file system than the stick"),
            std::string::npos)
      << outcome.error;
  EXPECT_EQ(store->current()->sha256, playing);
}

// An SD card remounted read-only after errors: the store opens, plays what it holds and says
// why nothing new can be stored.
TEST_F(UsbTest, AReadOnlyStateDirectoryPlaysWhatIsStored) {
  REQUIRE_MOUNTS();
  fs::path state = base_ / "state";
  fs::create_directories(state);
  ASSERT_EQ(::mount("card", state.c_str(), "tmpfs", 0, "size=64m"), 0) << std::strerror(errno);
  mounted_.push_back(state);
  std::string playing;
  {
    auto store = open_store();
    playing = install_good(*store);
  }
  ASSERT_EQ(::mount(nullptr, state.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0)
      << std::strerror(errno);
  std::string error;
  StoreOptions options;
  options.dir = state;
  auto store = Store::open(options, &error);
  ASSERT_TRUE(store) << error;
  EXPECT_TRUE(store->read_only());
  EXPECT_NE(store->read_only_reason().find("is not writable"), std::string::npos)
      << store->read_only_reason();
  std::string problem;
  EXPECT_TRUE(store->load_current(&problem)) << problem;
  ImportOutcome outcome = import(*store, stick("newer", 2, {{"b.png", png("newer")}}));
  EXPECT_FALSE(outcome.imported);
  EXPECT_NE(outcome.error.find("new content cannot be stored"), std::string::npos) << outcome.error;
  EXPECT_EQ(store->current()->sha256, playing);

  // The whole of sync too: it opens and hands over the stored playlist.
  SyncOptions sync_options;
  sync_options.state_dir = state;
  sync_options.watch_usb = false;
  auto sync = Sync::open(sync_options, &error);
  ASSERT_TRUE(sync) << error;
  EXPECT_TRUE(sync->stored_playlist());
}

}  // namespace
}  // namespace signage::sync

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // A mount namespace of our own, with nothing propagating back to the host's, before any thread.
  if (::unshare(CLONE_NEWNS) != 0) {
    signage::sync::g_no_namespace =
        std::string("cannot make a private mount namespace (unshare(CLONE_NEWNS): ") +
        std::strerror(errno) + "); these tests need root or CAP_SYS_ADMIN, as CI has";
  } else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    signage::sync::g_no_namespace =
        std::string("cannot make the mounts private (mount --make-rprivate /): ") +
        std::strerror(errno);
  } else {
    // Can this kernel mount a tmpfs here? (Some containers refuse.)
    char probe[] = "/tmp/usb_test_probe_XXXXXX";
    if (::mkdtemp(probe) && ::mount("probe", probe, "tmpfs", 0, nullptr) != 0) {
      signage::sync::g_no_namespace =
          std::string("the kernel refuses to mount a tmpfs (") + std::strerror(errno) + ")";
    } else {
      ::umount2(probe, MNT_DETACH);
    }
    ::rmdir(probe);
  }
  if (!signage::sync::g_no_namespace.empty()) {
    std::cerr << "usb_source_test: every test fails: " << signage::sync::g_no_namespace << "\n";
  }
  return RUN_ALL_TESTS();
}
