// poll_http against real servers started here: nginx (conditional GET, gzip, assets fetched once,
// redirects, TLS with a CA made by openssl) and the tests' fault-injecting server
// (fault_server.py). Each test opens a store in a fresh temp folder and calls poll_http directly.
//
// Programs come from the build (SIGNAGE_NGINX, SIGNAGE_PYTHON3, SIGNAGE_OPENSSL; configuring fails
// without them); a server that does not start fails the test.
#include "sync/http_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "support/temp_dir.h"
#include "sync/crypto.h"
#include "sync/store.h"
#include "sync/sync.h"

extern char** environ;

namespace signage::sync {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const fs::path kTestDir = SIGNAGE_SYNC_TEST_DIR;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A child process, stopped (SIGTERM, then SIGKILL) and reaped when this goes away.
struct Child {
  pid_t pid = -1;
  Child() = default;
  Child(const std::vector<std::string>& argv, const fs::path& output) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  Child(Child&& other) noexcept : pid(std::exchange(other.pid, -1)) {}
  Child& operator=(Child&& other) noexcept {
    stop();
    pid = std::exchange(other.pid, -1);
    return *this;
  }
  ~Child() { stop(); }
  void stop() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid, nullptr, WNOHANG) == pid) {
        pid = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }
};

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(std::uint16_t(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Waits for `ready` with a generous deadline (never a timing assertion).
template <class F>
bool wait_for(F ready, double seconds = 20) {
  auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = char(gen());
  return out;
}

// Writes ROOT/playlist.json (id "test", `revision`) listing `assets` (path -> bytes), and the
// asset files. Returns the playlist's bytes.
std::string write_bundle(const fs::path& root, int revision,
                         const std::vector<std::pair<std::string, std::string>>& assets) {
  nlohmann::ordered_json playlist = {
      {"version", 1},
      {"id", "test"},
      {"revision", revision},
      {"title", "测试"},
      {"items",
       {{{"type", "headline"}, {"id", "h"}, {"title", "第" + std::to_string(revision) + "版"}}}}};
  nlohmann::ordered_json list = nlohmann::ordered_json::object();
  for (const auto& [path, bytes] : assets) {
    write_file(root / path, bytes);
    list[path] = {{"size", bytes.size()}, {"sha256", sha256_hex(bytes)}};
  }
  playlist["assets"] = list;
  std::string text = playlist.dump(2) + "\n";
  write_file(root / "playlist.json", text);
  return text;
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Standard error (the player's log) goes to `file` while this lives.
struct StderrToFile {
  int saved = -1;
  explicit StderrToFile(const fs::path& file) {
    std::cerr.flush();
    saved = ::dup(2);
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrToFile() {
    std::cerr.flush();
    ::dup2(saved, 2);
    ::close(saved);
  }
};

// ---------------------------------------------------------------------------------------------

class HttpSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto_init());
    state = temp.path / "state";
    root = temp.path / "www";
    fs::create_directories(root);
    open_store(std::nullopt);
    settings.poll_interval_s = 0.1;
    settings.connect_timeout_s = 5;
    settings.low_speed_time_s = 5;
  }

  void open_store(std::optional<PublicKey> key) {
    store.reset();
    StoreOptions options;
    options.dir = state;
    if (key) options.public_keys = {*key};
    options.reserve_bytes = 0;
    std::string error;
    store = Store::open(options, &error);
    ASSERT_TRUE(store) << error;
  }

  PollOutcome poll() {
    settings.url = url;
    return poll_http(*store, settings, "signage-player/test (http-source-test)", validators, stop);
  }

  std::string current_sha() const {
    auto current = store->current();
    return current ? current->sha256 : "";
  }

  // The store's current bundle is complete: every asset is there with its size and sha256.
  void expect_current_verified(const std::string& playlist_bytes) {
    auto current = store->current();
    ASSERT_TRUE(current);
    EXPECT_EQ(current->sha256, sha256_hex(playlist_bytes));
    std::string problem;
    EXPECT_TRUE(store->load_bundle(*current, &problem)) << problem;
  }

  bool start_nginx(const std::string& tls_lines = "") {
    if (std::string(SIGNAGE_NGINX).empty()) {
      ADD_FAILURE() << "the build found no nginx";
      return false;
    }
    nginx_dir = temp.path / "nginx";
    fs::create_directories(nginx_dir);
    port = free_port();
    std::string conf = read_file(kTestDir / "nginx.conf.in");
    auto replace = [&](const std::string& key, const std::string& value) {
      for (std::size_t at; (at = conf.find(key)) != std::string::npos;) {
        conf.replace(at, key.size(), value);
      }
    };
    replace("@PORT@", std::to_string(port));
    replace("@ROOT@", root.string());
    replace("@DIR@", nginx_dir.string());
    replace("@LISTEN_TLS@", tls_lines.empty() ? "" : "ssl");
    replace("@TLS@", tls_lines);
    write_file(nginx_dir / "nginx.conf", conf);
    server = Child({SIGNAGE_NGINX, "-p", nginx_dir.string(), "-e",
                    (nginx_dir / "error.log").string(), "-c", (nginx_dir / "nginx.conf").string()},
                   nginx_dir / "output.log");
    bool up = wait_for([&] { return port_open(port); });
    EXPECT_TRUE(up) << "nginx did not start:\n"
                    << read_file(nginx_dir / "output.log") << read_file(nginx_dir / "error.log");
    return up;
  }

  // Access log lines "STATUS BYTES PATH" written since the last call. nginx logs a request
  // after the client may already have its response, so this waits (generously) for `expected`.
  std::vector<std::string> new_access_lines(std::size_t expected) {
    std::vector<std::string> all;
    wait_for([&] {
      all = lines_of(nginx_dir / "access.log");
      return all.size() >= seen_lines + expected;
    });
    std::vector<std::string> fresh(all.begin() + std::ptrdiff_t(std::min(seen_lines, all.size())),
                                   all.end());
    seen_lines = all.size();
    return fresh;
  }

  bool start_fault_server() {
    if (std::string(SIGNAGE_PYTHON3).empty()) {
      ADD_FAILURE() << "the build found no python3";
      return false;
    }
    mode_file = temp.path / "mode";
    fault_log = temp.path / "requests.log";
    fs::path port_file = temp.path / "port";
    set_mode("ok");
    server = Child({SIGNAGE_PYTHON3, (kTestDir / "fault_server.py").string(), "--root",
                    root.string(), "--mode-file", mode_file.string(), "--log", fault_log.string(),
                    "--port-file", port_file.string(), "--lifetime", "120"},
                   temp.path / "fault_server.out");
    bool up = wait_for([&] { return fs::exists(port_file); });
    EXPECT_TRUE(up) << read_file(temp.path / "fault_server.out");
    if (up) port = std::stoi(read_file(port_file));
    return up;
  }
  void set_mode(const std::string& mode) {
    write_file(mode_file.string() + ".tmp", mode + "\n");
    fs::rename(mode_file.string() + ".tmp", mode_file);
  }

  test_support::TempDir temp{"sync-http"};
  fs::path state, root, nginx_dir, mode_file, fault_log;
  std::unique_ptr<Store> store;
  HttpSettings settings;
  HttpValidators validators;
  std::atomic<bool> stop{false};
  std::string url;
  Child server;
  int port = 0;
  std::size_t seen_lines = 0;
};

#define REQUIRE_PROGRAM(started, name) ASSERT_TRUE(started) << name " did not start"

// The issue's acceptance: a change is picked up at the next poll; 100 polls of unchanged content
// are 100 responses of 304 with no body; an asset already stored is not downloaded again.
TEST_F(HttpSourceTest, NginxConditionalGetAndAssetsFetchedOnce) {
  REQUIRE_PROGRAM(start_nginx(), "nginx");
  url = "http://127.0.0.1:" + std::to_string(port) + "/playlist.json";
  std::string a = random_bytes(70000, 1), b = random_bytes(5000, 2);
  std::string v1 = write_bundle(root, 1, {{"data/a.bin", a}, {"data/b.bin", b}});

  PollOutcome first = poll();
  ASSERT_EQ(first.result, PollOutcome::Result::updated) << first.error;
  ASSERT_TRUE(first.installed);
  EXPECT_EQ(first.installed->revision, 1);
  EXPECT_EQ(first.installed->source, Source::http);
  expect_current_verified(v1);
  EXPECT_FALSE(validators.etag.empty()) << "nginx sends an ETag for static files";
  EXPECT_FALSE(validators.last_modified.empty());
  auto lines = new_access_lines(3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[0].starts_with("200 ")) << lines[0];

  for (int i = 0; i < 100; ++i) {
    PollOutcome again = poll();
    ASSERT_EQ(again.result, PollOutcome::Result::not_modified) << i << ": " << again.error;
    EXPECT_EQ(again.bytes_downloaded, 0u);
  }
  lines = new_access_lines(100);
  ASSERT_EQ(lines.size(), 100u);
  for (const auto& line : lines) EXPECT_EQ(line, "304 0 /playlist.json");

  // Revision 2 keeps a.bin and adds c.bin: only the playlist and c.bin are fetched.
  std::string c = random_bytes(3000, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a new Last-Modified second
  std::string v2 = write_bundle(root, 2, {{"data/a.bin", a}, {"data/c.bin", c}});
  PollOutcome second = poll();
  ASSERT_EQ(second.result, PollOutcome::Result::updated) << second.error;
  EXPECT_EQ(second.installed->revision, 2);
  expect_current_verified(v2);
  lines = new_access_lines(2);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].starts_with("200 ") && lines[0].ends_with(" /playlist.json")) << lines[0];
  EXPECT_EQ(lines[1], "200 3000 /data/c.bin");
}

// Damage found in revision 2 (the previous bundle, revision 1, plays instead): the next poll asks
// without the validators revision 2 was stored with, so it is fetched again rather than 304.
TEST_F(HttpSourceTest, NginxDamagedRevisionIsFetchedAgain) {
  REQUIRE_PROGRAM(start_nginx(), "nginx");
  url = "http://127.0.0.1:" + std::to_string(port) + "/playlist.json";
  std::string a = random_bytes(3000, 21), b = random_bytes(2000, 22);
  write_bundle(root, 1, {{"data/a.bin", a}});
  ASSERT_EQ(poll().result, PollOutcome::Result::updated);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a new Last-Modified second
  std::string v2 = write_bundle(root, 2, {{"data/a.bin", a}, {"data/b.bin", b}});
  PollOutcome second = poll();
  ASSERT_EQ(second.result, PollOutcome::Result::updated) << second.error;
  ASSERT_EQ(poll().result, PollOutcome::Result::not_modified);
  new_access_lines(5);

  fs::path object = state / "objects" / sha256_hex(b);
  fs::permissions(object, fs::perms::owner_write, fs::perm_options::add);
  write_file(object, random_bytes(2000, 23));
  open_store(std::nullopt);  // a restart; the validators are kept, as http.json keeps them
  std::string problem;
  auto loaded = store->load_current(&problem, Verify::full);
  ASSERT_TRUE(loaded) << problem;
  EXPECT_EQ(loaded->revision, 1);

  PollOutcome repaired = poll();
  ASSERT_EQ(repaired.result, PollOutcome::Result::updated) << repaired.error;
  EXPECT_EQ(repaired.installed->revision, 2);
  expect_current_verified(v2);
  auto lines = new_access_lines(2);
  ASSERT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
  EXPECT_TRUE(lines[0].starts_with("200 ")) << lines[0];
  EXPECT_EQ(lines[1], "200 2000 /data/b.bin");
  EXPECT_EQ(poll().result, PollOutcome::Result::not_modified);  // conditional again
}

// gzip is accepted (nginx compresses the JSON), a redirect is followed and assets resolve
// against the final URL, and file names that need percent-encoding are fetched.
TEST_F(HttpSourceTest, NginxGzipRedirectAndEncodedNames) {
  REQUIRE_PROGRAM(start_nginx(), "nginx");
  url = "http://127.0.0.1:" + std::to_string(port) + "/old/playlist.json";
  std::string odd = random_bytes(1000, 4);
  std::string v1 = write_bundle(root, 1, {{"data/a b#1%.bin", odd}});
  PollOutcome outcome = poll();
  ASSERT_EQ(outcome.result, PollOutcome::Result::updated) << outcome.error;
  expect_current_verified(v1);
  auto lines = new_access_lines(3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[0].starts_with("302 ")) << lines[0];
  EXPECT_EQ(lines[2], "200 1000 /data/a%20b%231%25.bin");
  int gzipped = std::stoi(lines[1].substr(4));
  EXPECT_LT(gzipped, int(v1.size())) << "the playlist came compressed: " << lines[1];
}

// HTTPS with a CA made here: refused without it (the error names the certificate problem),
// accepted with it, by IP address and by host name.
TEST_F(HttpSourceTest, NginxTlsNeedsTheCa) {
  std::string openssl = SIGNAGE_OPENSSL;
  ASSERT_FALSE(openssl.empty()) << "the build found no openssl";
  fs::path pki = temp.path / "pki";
  fs::create_directories(pki);
  write_file(pki / "san.ext",
             "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
             "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
  auto run = [&](std::vector<std::string> argv) {
    Child c(argv, pki / "openssl.log");
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    c.pid = -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  };
  auto p = [&](const char* name) { return (pki / name).string(); };
  ASSERT_TRUE(run({openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", p("ca.key"), "-out",
                   p("ca.pem"), "-days", "2", "-subj", "/CN=signage test CA"}))
      << read_file(pki / "openssl.log");
  ASSERT_TRUE(
      run({openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=localhost"}))
      << read_file(pki / "openssl.log");
  ASSERT_TRUE(run({openssl, "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey",
                   p("ca.key"), "-CAcreateserial", "-out", p("server.pem"), "-days", "2",
                   "-extfile", p("san.ext")}))
      << read_file(pki / "openssl.log");
  REQUIRE_PROGRAM(start_nginx("ssl_certificate " + p("server.pem") + ";\n    ssl_certificate_key " +
                              p("server.key") + ";"),
                  "nginx");
  std::string v1 = write_bundle(root, 1, {{"data/a.bin", random_bytes(2000, 5)}});

  url = "https://127.0.0.1:" + std::to_string(port) + "/playlist.json";
  PollOutcome refused = poll();
  ASSERT_EQ(refused.result, PollOutcome::Result::error);
  EXPECT_NE(refused.error.find("certificate"), std::string::npos) << refused.error;
  EXPECT_TRUE(refused.error.starts_with(url + ": ")) << refused.error;
  EXPECT_FALSE(store->current());

  settings.ca_file = pki / "ca.pem";
  PollOutcome accepted = poll();
  ASSERT_EQ(accepted.result, PollOutcome::Result::updated) << accepted.error;
  expect_current_verified(v1);

  url = "https://localhost:" + std::to_string(port) + "/playlist.json";
  PollOutcome by_name = poll();
  EXPECT_EQ(by_name.result, PollOutcome::Result::not_modified) << by_name.error;

  // HTTPS redirected to plain HTTP: refused before anything is sent in the clear.
  url = "https://127.0.0.1:" + std::to_string(port) + "/downgrade/playlist.json";
  PollOutcome downgraded = poll();
  ASSERT_EQ(downgraded.result, PollOutcome::Result::error);
  EXPECT_NE(downgraded.error.find("redirected from HTTPS to plain HTTP"), std::string::npos)
      << downgraded.error;

  // The CA does not make a wrong name acceptable: host verification stays on.
  url = "https://127.0.0.2:" + std::to_string(port) + "/playlist.json";
  PollOutcome wrong_name = poll();
  EXPECT_EQ(wrong_name.result, PollOutcome::Result::error);
}

// ---------------------------------------------------------------------------------------------
// Faults: revision 1 plays; revision 2 is published while the server misbehaves. Each fault
// gives its own clear error, the current content stays, and revision 2 arrives once the server
// behaves again.

struct Fault {
  const char* name;
  const char* mode;      // the fault server's mode line
  const char* expected;  // in the error
};

void PrintTo(const Fault& fault, std::ostream* out) {
  *out << fault.name;
}

class HttpFaultTest : public HttpSourceTest, public ::testing::WithParamInterface<Fault> {};

TEST_P(HttpFaultTest, ErrorKeepsContentThenRecovers) {
  const Fault& fault = GetParam();
  REQUIRE_PROGRAM(start_fault_server(), "python3");
  settings.low_speed_time_s = 1;  // hang and drip fail within seconds
  url = "http://127.0.0.1:" + std::to_string(port) + "/playlist.json";
  std::string a = random_bytes(4000, 6);
  std::string v1 = write_bundle(root, 1, {{"data/a.bin", a}});
  PollOutcome first = poll();
  ASSERT_EQ(first.result, PollOutcome::Result::updated) << first.error;

  std::string v2 =
      write_bundle(root, 2, {{"data/a.bin", a}, {"data/new.bin", random_bytes(3000, 7)}});
  set_mode(fault.mode);
  auto started = Clock::now();
  PollOutcome failed = poll();
  double took = std::chrono::duration<double>(Clock::now() - started).count();
  ASSERT_EQ(failed.result, PollOutcome::Result::error) << fault.name;
  EXPECT_NE(failed.error.find(fault.expected), std::string::npos)
      << fault.name << ": expected \"" << fault.expected << "\" in: " << failed.error;
  EXPECT_EQ(failed.error.find('\n'), std::string::npos) << failed.error;
  EXPECT_NE(failed.error.find("http://127.0.0.1:"), std::string::npos)
      << "the error names the URL: " << failed.error;
  EXPECT_FALSE(failed.installed);
  expect_current_verified(v1);
  EXPECT_TRUE(fs::is_empty(state / "tmp")) << "no download left behind";
  std::cout << "[ fault    ] " << fault.name << ": " << failed.error << " (" << took << " s)\n";

  set_mode("ok");
  PollOutcome recovered = poll();
  ASSERT_EQ(recovered.result, PollOutcome::Result::updated) << recovered.error;
  expect_current_verified(v2);
  // This server sends no ETag or Last-Modified: the same bytes again are simply not modified.
  PollOutcome unchanged = poll();
  EXPECT_EQ(unchanged.result, PollOutcome::Result::not_modified) << unchanged.error;
  EXPECT_EQ(unchanged.note, "");
  EXPECT_FALSE(unchanged.installed);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, HttpFaultTest,
    ::testing::Values(Fault{"status_500", "500", "HTTP status 500"},
                      Fault{"hang", "hang", "too slow"},
                      Fault{"slow_drip", "drip playlist.json", "too slow"},
                      Fault{"truncated_body", "truncate playlist.json", "transfer closed with"},
                      Fault{"truncated_asset", "truncate new.bin", "transfer closed with"},
                      Fault{"short_content_length", "short_length playlist.json", "error:"},
                      Fault{"asset_500", "500 new.bin", "new.bin: HTTP status 500"},
                      Fault{"asset_wrong_hash", "corrupt new.bin", "asset data/new.bin has sha256"},
                      Fault{"body_50mb", "huge playlist.json", "body larger than 4194304 bytes"},
                      Fault{"invalid_json", "invalid_json playlist.json", "playlist.json:1:"}),
    [](const auto& info) { return std::string(info.param.name); });

// An asset body longer than the playlist says is cut off at its declared size.
TEST_F(HttpSourceTest, AssetLargerThanDeclaredIsCutOff) {
  REQUIRE_PROGRAM(start_fault_server(), "python3");
  url = "http://127.0.0.1:" + std::to_string(port) + "/playlist.json";
  std::string text = write_bundle(root, 1, {{"data/a.bin", random_bytes(4000, 8)}});
  write_file(root / "data/a.bin", random_bytes(9000, 8));  // the server has more than declared
  PollOutcome outcome = poll();
  ASSERT_EQ(outcome.result, PollOutcome::Result::error);
  EXPECT_NE(outcome.error.find("body larger than the 4000 bytes the playlist says for data/a.bin"),
            std::string::npos)
      << outcome.error;
  EXPECT_FALSE(store->current());
}

// With a public key, a playlist needs a valid playlist.json.sig: a signature by another key is
// refused (the store's reason), a missing one too, and the right one is taken.
TEST_F(HttpSourceTest, SignatureChecked) {
  REQUIRE_PROGRAM(start_fault_server(), "python3");
  KeyPair ours = generate_key_pair(), theirs = generate_key_pair();
  std::string why;
  auto key = parse_public_key(ours.public_key, &why);
  ASSERT_TRUE(key) << why;
  open_store(*key);
  url = "http://127.0.0.1:" + std::to_string(port) + "/playlist.json";
  std::string text = write_bundle(root, 1, {{"data/a.bin", random_bytes(500, 9)}});

  PollOutcome unsigned_outcome = poll();
  ASSERT_EQ(unsigned_outcome.result, PollOutcome::Result::error);
  EXPECT_NE(unsigned_outcome.error.find("no playlist.json.sig"), std::string::npos)
      << unsigned_outcome.error;

  auto bad = sign_detached(text, theirs.secret_key, &why);
  ASSERT_TRUE(bad) << why;
  write_file(root / "playlist.json.sig", *bad + "\n");
  PollOutcome bad_outcome = poll();
  ASSERT_EQ(bad_outcome.result, PollOutcome::Result::error);
  EXPECT_TRUE(bad_outcome.error.starts_with(url + ".sig: error: ")) << bad_outcome.error;
  EXPECT_FALSE(store->current());

  auto good = sign_detached(text, ours.secret_key, &why);
  ASSERT_TRUE(good) << why;
  write_file(root / "playlist.json.sig", *good + "\n");
  PollOutcome good_outcome = poll();
  ASSERT_EQ(good_outcome.result, PollOutcome::Result::updated) << good_outcome.error;
  expect_current_verified(text);
}

// A server dripping faster than the low-speed limit is still cut off: every transfer has an
// overall time limit from its declared size (base + size / minimum rate).
TEST_F(HttpSourceTest, SlowDripHitsTheOverallTimeLimit) {
  REQUIRE_PROGRAM(start_fault_server(), "python3");
  url = "http://127.0.0.1:" + std::to_string(port) + "/playlist.json";
  std::string text = write_bundle(root, 1, {{"data/a.bin", random_bytes(40000, 11)}});
  set_mode("rate:400 .bin");  // above the 100 bytes/s low-speed limit: 100 s for the asset
  settings.connect_timeout_s = 1;
  settings.transfer_base_s = 1;
  settings.min_rate_bytes_per_s = 20000;  // 40000 bytes: 1 + 1 + 2 s
  PollOutcome outcome = poll();
  ASSERT_EQ(outcome.result, PollOutcome::Result::error);
  EXPECT_NE(outcome.error.find("data/a.bin: gave up after 4 s, the time limit for 40000 bytes"),
            std::string::npos)
      << outcome.error;
  EXPECT_FALSE(store->current());
  set_mode("ok");
  PollOutcome recovered = poll();
  ASSERT_EQ(recovered.result, PollOutcome::Result::updated) << recovered.error;
  expect_current_verified(text);
}

// `stop` ends a transfer that would otherwise wait for the low-speed limit.
TEST_F(HttpSourceTest, StopAbortsATransfer) {
  REQUIRE_PROGRAM(start_fault_server(), "python3");
  set_mode("hang");
  settings.low_speed_time_s = 600;
  url = "http://127.0.0.1:" + std::to_string(port) + "/playlist.json";
  write_bundle(root, 1, {});
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  PollOutcome outcome = poll();
  stopper.join();
  EXPECT_EQ(outcome.result, PollOutcome::Result::error);
  EXPECT_NE(outcome.error.find("stopped"), std::string::npos) << outcome.error;
}

// A superseded playlist (lower revision than the one playing) is not an error and not fetched
// again: its validators are kept. Checked with nginx, whose 304 shows it.
TEST_F(HttpSourceTest, SupersededIsNotAnErrorAndNotRefetched) {
  REQUIRE_PROGRAM(start_nginx(), "nginx");
  url = "http://127.0.0.1:" + std::to_string(port) + "/playlist.json";
  write_bundle(root, 5, {});
  ASSERT_EQ(poll().result, PollOutcome::Result::updated);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  write_bundle(root, 3, {{"data/x.bin", random_bytes(100, 10)}});
  PollOutcome older = poll();
  EXPECT_EQ(older.result, PollOutcome::Result::not_modified) << older.error;
  EXPECT_NE(older.note.find("revision 3"), std::string::npos) << older.note;
  EXPECT_EQ(store->current()->revision, 5);
  new_access_lines(2);
  EXPECT_EQ(poll().result, PollOutcome::Result::not_modified);
  auto lines = new_access_lines(1);
  ASSERT_EQ(lines.size(), 1u) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0], "304 0 /playlist.json");
}

// A source URL with a user, a password and a token: the errors about its .sig (missing, then a
// server error: its URL keeps the query) and its asset (a 404: its URL keeps the user:password of
// the base) say neither, in the log nor in status.json.
TEST_F(HttpSourceTest, CredentialsStayOutOfTheLogAndStatus) {
  REQUIRE_PROGRAM(start_fault_server(), "python3");
  KeyPair keys = generate_key_pair();
  std::string why;
  auto key = parse_public_key(keys.public_key, &why);
  ASSERT_TRUE(key) << why;
  std::string text = write_bundle(root, 1, {{"data/a.bin", random_bytes(500, 31)}});
  fs::remove(root / "data/a.bin");  // 404
  SyncOptions options;
  options.state_dir = state;
  options.watch_usb = false;
  options.public_keys = {*key};
  options.http = settings;
  options.http.url = "http://editor:hunter2pw@127.0.0.1:" + std::to_string(port) +
                     "/playlist.json?token=s3cr3ttoken";
  options.http.backoff_cap_s = 0.2;
  auto status = [&] {
    return nlohmann::json::parse(read_file(state / "status.json"), nullptr, false);
  };
  auto last_error = [&] {
    auto json = status();
    return json.is_object() && json["sync"]["last_error"].is_string()
               ? json["sync"]["last_error"].get<std::string>()
               : std::string();
  };
  fs::path log = temp.path / "player.log";
  std::string status_no_sig, status_sig_500, status_404;
  {
    StderrToFile capture(log);
    auto sync = Sync::open(options, &why);
    ASSERT_TRUE(sync) << why;
    sync->start({});
    // The .sig is missing (a 404): the store's error names the playlist.
    EXPECT_TRUE(wait_for([&] {
      return last_error().find("no playlist.json.sig") != std::string::npos;
    })) << last_error();
    status_no_sig = read_file(state / "status.json");
    set_mode("500 .sig");  // an error naming the .sig's URL, which keeps the query
    EXPECT_TRUE(wait_for([&] {
      return last_error().find(".sig?***: HTTP status 500") != std::string::npos;
    })) << last_error();
    status_sig_500 = read_file(state / "status.json");
    set_mode("ok");
    auto signature = sign_detached(text, keys.secret_key, &why);
    ASSERT_TRUE(signature) << why;
    write_file(root / "playlist.json.sig", *signature + "\n");
    EXPECT_TRUE(wait_for([&] { return last_error().find("HTTP status 404") != std::string::npos; }))
        << last_error();
    status_404 = read_file(state / "status.json");
  }
  std::string logged = read_file(log);
  EXPECT_NE(logged.find("/data/a.bin: HTTP status 404"), std::string::npos) << logged;
  for (const std::string& text : {logged, status_no_sig, status_sig_500, status_404}) {
    EXPECT_EQ(text.find("hunter2pw"), std::string::npos) << text;
    EXPECT_EQ(text.find("s3cr3ttoken"), std::string::npos) << text;
  }
}

// The last heartbeat at exit has a limit of its own, a few seconds, whatever the settings: a
// server that accepts the connection and never answers does not hold up the exit.
TEST_F(HttpSourceTest, TheLastHeartbeatHasAShortLimit) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 16), 0);  // connections complete; nothing ever answers
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string heartbeat = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/hb";
  SyncOptions options;
  options.state_dir = state;
  options.watch_usb = false;
  options.http.heartbeat_url = heartbeat;
  options.http.low_speed_time_s = 600;  // only the overall limit can end it
  fs::path log = temp.path / "player.log";
  {
    StderrToFile capture(log);
    std::string why;
    auto sync = Sync::open(options, &why);
    ASSERT_TRUE(sync) << why;
  }
  ::close(listener);
  std::string logged = read_file(log);
  EXPECT_NE(logged.find("last heartbeat to " + heartbeat + " failed: " + heartbeat +
                        ": gave up after 3 s, its time limit"),
            std::string::npos)
      << logged;
}

// A web source (or a heartbeat) turns off GnuTLS's initialization on load (libcurl pulls GnuTLS
// in through librtmp; RTMP is never allowed), unless the user set GNUTLS_NO_IMPLICIT_INIT; a
// player without one leaves the environment alone.
TEST_F(HttpSourceTest, AWebSourceKeepsGnuTlsFromInitializingItself) {
  constexpr const char* kName = "GNUTLS_NO_IMPLICIT_INIT";
  auto open_with = [&](const std::string& url, const std::string& heartbeat) {
    SyncOptions options;
    options.state_dir = state;
    options.watch_usb = false;
    options.http.url = url;
    options.http.heartbeat_url = heartbeat;
    options.http.connect_timeout_s = 1;
    std::string why;
    StderrToFile capture(temp.path / "player.log");  // the last heartbeat's failure
    auto sync = Sync::open(options, &why);
    EXPECT_TRUE(sync) << why;
  };
  ::unsetenv(kName);
  open_with("", "");
  EXPECT_EQ(std::getenv(kName), nullptr);
  open_with("http://127.0.0.1:9/playlist.json", "");
  ASSERT_NE(std::getenv(kName), nullptr);
  EXPECT_STREQ(std::getenv(kName), "1");
  ::unsetenv(kName);
  open_with("", "http://127.0.0.1:9/heartbeat");
  ASSERT_NE(std::getenv(kName), nullptr);
  EXPECT_STREQ(std::getenv(kName), "1");
  ::setenv(kName, "0", 1);
  open_with("http://127.0.0.1:9/playlist.json", "");
  EXPECT_STREQ(std::getenv(kName), "0");
  ::unsetenv(kName);
}

// The heartbeat: a POST of status JSON; a server error is reported, not thrown.
TEST_F(HttpSourceTest, PostJson) {
  const std::atomic<bool> never{false};
  REQUIRE_PROGRAM(start_fault_server(), "python3");
  std::string heartbeat = "http://127.0.0.1:" + std::to_string(port) + "/heartbeat";
  std::string why;
  EXPECT_TRUE(post_json(settings, "signage-player/test", heartbeat, R"({"a":1})", &why, never))
      << why;
  set_mode("500");
  EXPECT_FALSE(post_json(settings, "signage-player/test", heartbeat, R"({"a":1})", &why, never));
  EXPECT_EQ(why, heartbeat + ": HTTP status 500");
  auto log = read_file(fault_log);
  EXPECT_NE(log.find("ok post 7"), std::string::npos) << log;
  EXPECT_FALSE(post_json(settings, "signage-player/test", "ftp://127.0.0.1/x", "{}", &why, never));
  EXPECT_TRUE(why.starts_with("ftp://127.0.0.1/x: ")) << why;
}

}  // namespace
}  // namespace signage::sync
