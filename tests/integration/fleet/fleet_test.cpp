// signage-player fleet against a real mosquitto started here on a free port: players' retained
// statuses published with mosquitto_pub, a last will sent by the broker when a client dies, the
// expected revision read from nginx, a signed alert checked with the project's crypto API and
// acknowledged with mosquitto_pub, a screenshot asked for and answered, and clear errors.
//
// Programs come from the build (SIGNAGE_MOSQUITTO, SIGNAGE_MOSQUITTO_PUB, SIGNAGE_MOSQUITTO_SUB,
// SIGNAGE_NGINX, SIGNAGE_STDBUF; configuring fails without them); the player runs under
// SIGNAGE_EMULATOR in a cross build.
#include "fleet/fleet.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "support/temp_dir.h"
#include "sync/crypto.h"

extern char** environ;

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using signage::test_support::TempDir;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A child process with stdout and stderr in `output`; stopped (SIGTERM, then SIGKILL) and reaped
// when this goes away unless it was waited for.
struct Child {
  pid_t pid = -1;
  Child(const std::vector<std::string>& argv, const fs::path& output) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { kill(SIGTERM); }
  // The exit status, waiting up to `seconds` (generous: this is no timing assertion); -1 if not.
  int wait(double seconds = 120) {
    auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    while (pid > 0 && Clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  void kill(int signal) {
    if (pid <= 0) return;
    ::kill(pid, signal);
    if (wait(5) == -1) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      pid = -1;
    }
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

template <class F>
bool wait_for(F ready, double seconds = 30) {
  auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ready();
}

std::vector<std::string> player_command(std::vector<std::string> args) {
  std::vector<std::string> argv;
  std::string emulator = SIGNAGE_EMULATOR;
  for (std::size_t start = 0; start < emulator.size();) {
    std::size_t end = std::min(emulator.find(';', start), emulator.size());
    if (end > start) argv.push_back(emulator.substr(start, end - start));
    start = end + 1;
  }
  argv.push_back(SIGNAGE_PLAYER);
  argv.push_back("fleet");
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The line of `table` that starts with `player`.
std::string row_of(const std::string& table, const std::string& player) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(player + " ")) return line;
  }
  return "(no row for " + player + ")";
}

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port = free_port();
    write_file(dir.path / "mosquitto.conf", "listener " + std::to_string(port) +
                                                " 127.0.0.1\nallow_anonymous true\n"
                                                "persistence false\nlog_dest stdout\n");
    broker = std::make_unique<Child>(
        std::vector<std::string>{SIGNAGE_MOSQUITTO, "-c", (dir.path / "mosquitto.conf").string()},
        dir.path / "mosquitto.log");
    ASSERT_TRUE(wait_for([&] { return port_open(port); }))
        << "mosquitto did not start: " << read_file(dir.path / "mosquitto.log");
    url = "mqtt://127.0.0.1:" + std::to_string(port);
  }

  // mosquitto_pub: a retained QoS 1 message (retain false for acks).
  void publish(const std::string& topic, const std::string& payload, bool retain = true) {
    std::vector<std::string> argv = {
        SIGNAGE_MOSQUITTO_PUB, "-p", std::to_string(port), "-q", "1", "-t", topic, "-m", payload};
    if (retain) argv.push_back("-r");
    Child pub(argv, dir.path / "pub.log");
    ASSERT_EQ(pub.wait(), 0) << read_file(dir.path / "pub.log");
  }

  std::string status(const std::string& player, std::int64_t revision, bool online = true) {
    if (!online) return nlohmann::json{{"player", player}, {"online", false}}.dump();
    return nlohmann::json{{"player", player},
                          {"online", true},
                          {"groups", {"district", "north"}},
                          {"revision", revision},
                          {"playing", {{"item", "h1"}, {"since_ms", 1764900000000}}},
                          {"sync", {{"state", "idle"}, {"last_error", ""}}},
                          {"download", nullptr},
                          {"uptime_s", 3600},
                          {"frames", 1000},
                          {"dropped_frames", 7},
                          {"display", "on"},
                          {"alerts", nlohmann::json::array()},
                          {"time_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count()}}
        .dump();
  }

  // Runs `signage-player fleet ARGS`; the exit status, output in `out`.
  int fleet(std::vector<std::string> args, std::string* out) {
    Child child(player_command(args), dir.path / "fleet.log");
    int code = child.wait();
    *out = read_file(dir.path / "fleet.log");
    return code;
  }

  TempDir dir{"fleet-test"};
  int port = 0;
  std::string url;
  std::unique_ptr<Child> broker;
};

TEST_F(FleetTest, ListsRetainedStatusesWithExpectedRevisionAndTheLastWill) {
  publish("signage/t/status/hall-1", status("hall-1", 12));
  // hall-2 is a client with a last will, as a player is; it dies without saying goodbye.
  Child hall2({SIGNAGE_MOSQUITTO_SUB, "-p", std::to_string(port), "-i", "hall-2", "-t",
               "signage/t/hall-2/none", "--will-topic", "signage/t/status/hall-2", "--will-payload",
               status("hall-2", 0, false), "--will-retain", "--will-qos", "1"},
              dir.path / "hall-2.log");
  publish("signage/t/status/hall-2", status("hall-2", 11));

  std::string out;
  ASSERT_EQ(
      fleet({"--broker", url, "--fleet", "t", "--expect-revision", "12", "--settle", "1"}, &out), 0)
      << out;
  EXPECT_TRUE(std::regex_search(
      row_of(out, "hall-1"),
      std::regex(R"(^hall-1 +yes +district,north +12 ok +\d+ s ago +h1 +- +on +7 )")))
      << out;
  EXPECT_TRUE(std::regex_search(row_of(out, "hall-2"),
                                std::regex(R"(^hall-2 +yes .* 11 OLD \(want 12\) )")))
      << out;
  EXPECT_NE(out.find("2 players: 2 online, 0 offline; 1 online playing a revision older than 12"),
            std::string::npos)
      << out;

  hall2.kill(SIGKILL);  // the broker sends its will: {"player":"hall-2","online":false}, retained
  ASSERT_TRUE(wait_for([&] {
    fleet({"--broker", url, "--fleet", "t", "--expect-revision", "12", "--settle", "1"}, &out);
    return row_of(out, "hall-2").find(" NO ") != std::string::npos;
  })) << out;
  EXPECT_TRUE(std::regex_search(row_of(out, "hall-1"), std::regex(R"(^hall-1 +yes )"))) << out;
  EXPECT_NE(out.find("2 players: 1 online, 1 offline; 0 online playing a revision older than 12"),
            std::string::npos)
      << out;
  // Another fleet's statuses are not this one's.
  ASSERT_EQ(fleet({"--broker", url, "--fleet", "other", "--settle", "1"}, &out), 0) << out;
  EXPECT_NE(out.find("0 players: 0 online, 0 offline"), std::string::npos) << out;
}

TEST_F(FleetTest, ExpectedRevisionFromTheWebSource) {
  int web = free_port();
  fs::create_directories(dir.path / "www");
  write_file(dir.path / "www/playlist.json", R"({"version": 1, "id": "d", "revision": 15})");
  write_file(dir.path / "nginx.conf",
             "daemon off; master_process off; pid " + (dir.path / "nginx.pid").string() +
                 "; error_log " + (dir.path / "nginx-error.log").string() +
                 ";\nevents { worker_connections 16; }\nhttp { access_log off; "
                 "client_body_temp_path " +
                 (dir.path / "cb").string() + "; server { listen 127.0.0.1:" + std::to_string(web) +
                 "; root " + (dir.path / "www").string() + "; } }\n");
  Child nginx({SIGNAGE_NGINX, "-p", dir.path.string(), "-c", (dir.path / "nginx.conf").string()},
              dir.path / "nginx.log");
  ASSERT_TRUE(wait_for([&] { return port_open(web); })) << read_file(dir.path / "nginx-error.log");
  publish("signage/t/status/hall-1", status("hall-1", 15));
  publish("signage/t/status/hall-3", status("hall-3", 14));
  std::string source = "http://127.0.0.1:" + std::to_string(web) + "/playlist.json";
  std::string out;
  ASSERT_EQ(fleet({"--broker", url, "--fleet", "t", "--source", source, "--settle", "1"}, &out), 0)
      << out;
  EXPECT_NE(row_of(out, "hall-1").find(" 15 ok "), std::string::npos) << out;
  EXPECT_NE(row_of(out, "hall-3").find(" 14 OLD (want 15) "), std::string::npos) << out;
  // A source that is not there: said, and nothing else is done.
  EXPECT_EQ(fleet({"--broker", url, "--fleet", "t", "--source", source + ".missing"}, &out), 1);
  EXPECT_NE(out.find("answered HTTP 404"), std::string::npos) << out;
}

TEST_F(FleetTest, SignedAlertVerifiesAndAcknowledgementsAreCollected) {
  signage::sync::crypto_init();
  signage::sync::KeyPair keys = signage::sync::generate_key_pair();
  write_file(dir.path / "content.key", keys.secret_key + "\n");
  write_file(dir.path / "alert.json",
             R"({"id": "water-1205", "expires": "2099-12-05T18:00:00+08:00",
                 "item": {"type": "alert", "title": "临时停水", "body": "今日8时至18时停水。",
                          "priority": 3}})");
  publish("signage/t/status/hall-1", status("hall-1", 12));
  publish("signage/t/status/hall-2", status("hall-2", 12));

  Child sender(player_command({"--broker", url, "--fleet", "t", "--alert",
                               (dir.path / "alert.json").string(), "--key",
                               (dir.path / "content.key").string(), "--group", "north", "--settle",
                               "1", "--wait", "120"}),
               dir.path / "sender.log");
  // The retained alert, as a player that connects later gets it.
  std::string payload;
  ASSERT_TRUE(wait_for([&] {
    Child sub({SIGNAGE_MOSQUITTO_SUB, "-p", std::to_string(port), "-t", "signage/t/north/alert",
               "-C", "1", "-W", "2"},
              dir.path / "alert.msg");
    sub.wait();
    payload = read_file(dir.path / "alert.msg");
    return payload.starts_with("{");
  })) << read_file(dir.path / "sender.log");
  auto envelope = nlohmann::json::parse(payload);
  std::string text = envelope.at("alert").get<std::string>();
  std::string signature = envelope.at("signature").get<std::string>();
  auto public_key = signage::sync::parse_public_key(keys.public_key, nullptr);
  std::string why;
  EXPECT_TRUE(signage::sync::verify_detached(text, signature, *public_key, &why)) << why;
  std::string forged = text;
  forged.replace(forged.find("临时停水"), std::string("临时停水").size(), "临时停电");
  EXPECT_FALSE(signage::sync::verify_detached(forged, signature, *public_key, &why));
  auto alert = nlohmann::json::parse(text);
  EXPECT_EQ(alert.at("id"), "water-1205");
  EXPECT_EQ(alert.at("action"), "show");
  EXPECT_EQ(alert.at("expires"), "2099-12-05T18:00:00+08:00");
  EXPECT_TRUE(std::regex_match(alert.at("issued").get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_EQ(alert.at("item").at("title"), "临时停水");
  EXPECT_EQ(alert.at("item").at("priority"), 3);

  // Both screens of group north show it 0.4 s after it was issued; the sender waits for both,
  // then exits 0.
  auto issued_ms = signage::fleet::parse_time_ms(alert.at("issued").get<std::string>());
  ASSERT_TRUE(issued_ms);
  for (const char* player : {"hall-1", "hall-2"}) {
    publish(std::string("signage/t/ack/") + player,
            nlohmann::json{{"player", player},
                           {"alert", "water-1205"},
                           {"issued", alert.at("issued")},
                           {"shown_ms", *issued_ms + 400}}
                .dump(),
            false);
  }
  EXPECT_EQ(sender.wait(), 0) << read_file(dir.path / "sender.log");
  std::string out = read_file(dir.path / "sender.log");
  EXPECT_NE(out.find("hall-1 on screen, acknowledged"), std::string::npos) << out;
  EXPECT_NE(out.find("hall-2 on screen, acknowledged"), std::string::npos) << out;
  EXPECT_NE(out.find("on screen (acknowledged): 2: hall-1 (shown 0.4 s after issue), hall-2 "
                     "(shown 0.4 s after issue)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("online and not yet: 0\n"), std::string::npos) << out;

  // The cancel replaces the retained alert, signed the same way.
  ASSERT_EQ(fleet({"--broker", url, "--fleet", "t", "--cancel", "water-1205", "--key",
                   (dir.path / "content.key").string(), "--group", "north", "--settle", "0"},
                  &out),
            0)
      << out;
  Child sub({SIGNAGE_MOSQUITTO_SUB, "-p", std::to_string(port), "-t", "signage/t/north/alert", "-C",
             "1", "-W", "30"},
            dir.path / "cancel.msg");
  ASSERT_EQ(sub.wait(), 0);
  envelope = nlohmann::json::parse(read_file(dir.path / "cancel.msg"));
  text = envelope.at("alert").get<std::string>();
  EXPECT_TRUE(signage::sync::verify_detached(text, envelope.at("signature").get<std::string>(),
                                             *public_key, &why))
      << why;
  EXPECT_EQ(nlohmann::json::parse(text).at("action"), "cancel");
  EXPECT_EQ(nlohmann::json::parse(text).at("id"), "water-1205");
}

TEST_F(FleetTest, AnAlertNotShownEverywhereNamesTheScreens) {
  signage::sync::crypto_init();
  write_file(dir.path / "content.key", signage::sync::generate_key_pair().secret_key);
  write_file(dir.path / "alert.json",
             R"({"id": "cold", "expires": "2099-01-01T00:00:00+08:00",
                 "item": {"type": "alert", "title": "寒潮预警"}})");
  publish("signage/t/status/hall-1", status("hall-1", 12));
  publish("signage/t/status/hall-2", status("hall-2", 12));
  publish("signage/t/ack/hall-1", R"({"player":"hall-1","alert":"cold","issued":"x","shown_ms":1})",
          false);  // before the alert: an ack this sender never saw does not count
  std::string out;
  EXPECT_EQ(fleet({"--broker", url, "--fleet", "t", "--alert", (dir.path / "alert.json").string(),
                   "--key", (dir.path / "content.key").string(), "--group", "north", "--settle",
                   "1", "--wait", "2"},
                  &out),
            1);
  EXPECT_NE(out.find("online and not yet: 2: hall-1, hall-2"), std::string::npos) << out;
  EXPECT_NE(out.find("2 online screen(s) did not show alert cold within 2 s"), std::string::npos)
      << out;
}

TEST_F(FleetTest, ScreenshotRequestedAndWritten) {
  // A screen that answers screenshot requests, played by mosquitto_sub and mosquitto_pub
  // (line-buffered by stdbuf, so its "received SUBACK" shows before it exits).
  Child screen({SIGNAGE_STDBUF, "-oL", SIGNAGE_MOSQUITTO_SUB, "-d", "-p", std::to_string(port),
                "-q", "1", "-t", "signage/t/screenshot/hall-1", "-C", "1", "-W", "120"},
               dir.path / "request.log");
  ASSERT_TRUE(wait_for([&] {
    return read_file(dir.path / "request.log").find("received SUBACK") != std::string::npos;
  })) << read_file(dir.path / "request.log");
  fs::path shot = dir.path / "shot.png";
  Child asker(player_command({"--broker", url, "--fleet", "t", "--screenshot", "hall-1", "-o",
                              shot.string(), "--width", "320", "--wait", "120"}),
              dir.path / "asker.log");
  ASSERT_EQ(screen.wait(), 0) << read_file(dir.path / "request.log");
  std::string request;
  std::istringstream lines(read_file(dir.path / "request.log"));
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("{")) request = line;
  }
  auto asked = nlohmann::json::parse(request);
  EXPECT_EQ(asked.at("width"), 320);
  const std::string png_base64 =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+"
      "M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  // A reply to another request first: not this one's.
  publish("signage/t/screenshot/hall-1/reply",
          nlohmann::json{{"id", "other"}, {"player", "hall-1"}, {"png", "AAAA"}}.dump(), false);
  publish("signage/t/screenshot/hall-1/reply",
          nlohmann::json{
              {"id", asked.at("id")}, {"player", "hall-1"}, {"png", png_base64}, {"time_ms", 1}}
              .dump(),
          false);
  ASSERT_EQ(asker.wait(), 0) << read_file(dir.path / "asker.log");
  std::string bytes = read_file(shot);
  EXPECT_EQ(bytes.size(), 70u);
  EXPECT_TRUE(bytes.starts_with("\x89PNG\r\n\x1a\n"));
  EXPECT_NE(read_file(dir.path / "asker.log").find("screenshot of hall-1 (70 bytes)"),
            std::string::npos);
}

TEST_F(FleetTest, AnAlertTheBrokersAclRefusesIsReported) {
  // This broker lets clients without a user name read the fleet's topics, not write them. It
  // reads the ACL after dropping root for the mosquitto user: the folder must be readable.
  broker.reset();
  fs::permissions(dir.path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
  write_file(dir.path / "acl", "topic read signage/#\n");
  fs::permissions(dir.path / "acl", fs::perms::owner_read | fs::perms::owner_write |
                                        fs::perms::group_read | fs::perms::others_read);
  write_file(dir.path / "mosquitto.conf", "listener " + std::to_string(port) +
                                              " 127.0.0.1\nallow_anonymous true\n"
                                              "persistence false\nlog_dest stdout\nacl_file " +
                                              (dir.path / "acl").string() + "\n");
  broker = std::make_unique<Child>(
      std::vector<std::string>{SIGNAGE_MOSQUITTO, "-c", (dir.path / "mosquitto.conf").string()},
      dir.path / "mosquitto.log");
  ASSERT_TRUE(wait_for([&] { return port_open(port); })) << read_file(dir.path / "mosquitto.log");
  signage::sync::crypto_init();
  write_file(dir.path / "content.key", signage::sync::generate_key_pair().secret_key);
  write_file(
      dir.path / "alert.json",
      R"({"id": "a", "expires": "2099-01-01T00:00:00Z", "item": {"type": "alert", "title": "t"}})");
  std::string out;
  EXPECT_EQ(fleet({"--broker", url, "--fleet", "t", "--alert", (dir.path / "alert.json").string(),
                   "--key", (dir.path / "content.key").string(), "--group", "north", "--settle",
                   "0", "--wait", "5"},
                  &out),
            1);
  EXPECT_NE(out.find("the broker did not pass the alert on: a client without a user name may not "
                     "publish to signage/t/north/alert"),
            std::string::npos)
      << out;
}

TEST_F(FleetTest, ARealPlayerShowsAndAcknowledgesTheAlert) {
  // signage-player run, headless, with its MQTT client: the contract end to end.
  signage::sync::crypto_init();
  signage::sync::KeyPair keys = signage::sync::generate_key_pair();
  write_file(dir.path / "content.key", keys.secret_key);
  write_file(dir.path / "alert.json",
             R"({"id": "power-1205", "expires": "2099-12-05T18:00:00+08:00",
                 "item": {"type": "alert", "title": "临时停电", "priority": 3}})");
  std::vector<std::string> run = player_command({});
  run.back() = "run";  // player_command ends with "fleet"
  run.insert(run.end(),
             {"--headless", "--size", "320x180", "--duration", "300", "--state-dir",
              (dir.path / "state").string(), "--public-key", keys.public_key, "--player-id",
              "hall-9", "--mqtt-broker", url, "--mqtt-fleet", "t", "--mqtt-groups", "north",
              SIGNAGE_SOURCE_DIR "/playlists/examples/minimal.json"});
  Child player(run, dir.path / "player.log");
  std::string out;
  ASSERT_TRUE(wait_for(
      [&] {
        fleet({"--broker", url, "--fleet", "t", "--settle", "1"}, &out);
        return row_of(out, "hall-9").find(" yes ") != std::string::npos;
      },
      120))
      << out << read_file(dir.path / "player.log");
  EXPECT_NE(row_of(out, "hall-9").find(" north "), std::string::npos) << out;

  ASSERT_EQ(fleet({"--broker", url, "--fleet", "t", "--alert", (dir.path / "alert.json").string(),
                   "--key", (dir.path / "content.key").string(), "--group", "north", "--settle",
                   "1", "--wait", "120"},
                  &out),
            0)
      << out << read_file(dir.path / "player.log");
  EXPECT_NE(out.find("hall-9 on screen, acknowledged"), std::string::npos) << out;
  EXPECT_NE(out.find("on screen (acknowledged): 1: hall-9"), std::string::npos) << out;

  ASSERT_EQ(fleet({"--broker", url, "--fleet", "t", "--cancel", "power-1205", "--key",
                   (dir.path / "content.key").string(), "--group", "north", "--settle", "0"},
                  &out),
            0)
      << out;
  EXPECT_TRUE(wait_for(
      [&] {
        return read_file(dir.path / "player.log").find("alert power-1205 cancelled") !=
               std::string::npos;
      },
      60))
      << read_file(dir.path / "player.log");

  // A picture of its screen, 160 pixels wide (the PNG header's width).
  fs::path shot = dir.path / "hall-9.png";
  ASSERT_EQ(fleet({"--broker", url, "--fleet", "t", "--screenshot", "hall-9", "-o", shot.string(),
                   "--width", "160", "--wait", "120"},
                  &out),
            0)
      << out << read_file(dir.path / "player.log");
  std::string png = read_file(shot);
  ASSERT_GT(png.size(), 24u);
  EXPECT_TRUE(png.starts_with("\x89PNG\r\n\x1a\n"));
  EXPECT_EQ(std::string(png.data() + 16, 4), std::string("\0\0\0\xa0", 4));  // 160
  // A width the player refuses: its reason, not a wait.
  EXPECT_EQ(fleet({"--broker", url, "--fleet", "t", "--screenshot", "hall-9", "-o", shot.string(),
                   "--width", "5000", "--wait", "120"},
                  &out),
            1);
  EXPECT_NE(out.find("hall-9 could not take a screenshot: "), std::string::npos) << out;

  player.kill(SIGTERM);  // a clean exit says "offline" (retained)
  ASSERT_EQ(fleet({"--broker", url, "--fleet", "t", "--settle", "1"}, &out), 0) << out;
  EXPECT_NE(row_of(out, "hall-9").find(" NO "), std::string::npos) << out;
}

TEST_F(FleetTest, ClearErrors) {
  std::string out;
  int closed = free_port();
  EXPECT_EQ(fleet({"--broker", "mqtt://127.0.0.1:" + std::to_string(closed)}, &out), 1);
  EXPECT_NE(out.find("refuses connections: is mosquitto running, and is the port right?"),
            std::string::npos)
      << out;
  // A plain broker spoken to with TLS.
  EXPECT_EQ(fleet({"--broker", "mqtts://127.0.0.1:" + std::to_string(port)}, &out), 1);
  EXPECT_NE(out.find("the secure (TLS) connection to the broker at 127.0.0.1:"), std::string::npos)
      << out;
  // The public key where the secret one belongs: said before anything is sent.
  signage::sync::crypto_init();
  write_file(dir.path / "content.pub", signage::sync::generate_key_pair().public_key);
  write_file(
      dir.path / "alert.json",
      R"({"id": "a", "expires": "2099-01-01T00:00:00Z", "item": {"type": "alert", "title": "t"}})");
  EXPECT_EQ(fleet({"--broker", url, "--alert", (dir.path / "alert.json").string(), "--key",
                   (dir.path / "content.pub").string(), "--group", "north"},
                  &out),
            1);
  EXPECT_NE(out.find("content.pub is not a signing key"), std::string::npos) << out;
  write_file(dir.path / "alert.json", R"({"id": "a", "item": {"type": "alert", "title": "t"}})");
  EXPECT_EQ(fleet({"--broker", url, "--alert", (dir.path / "alert.json").string(), "--key",
                   (dir.path / "content.pub").string(), "--group", "north"},
                  &out),
            1);
  EXPECT_NE(out.find("\"expires\" must be a date and time with its offset"), std::string::npos)
      << out;
  EXPECT_EQ(fleet({"--broker", url, "--screenshot", "hall-1"}, &out), 2);
  EXPECT_NE(out.find("--screenshot needs -o OUT.png"), std::string::npos) << out;
}

}  // namespace
