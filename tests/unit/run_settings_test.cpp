// run's settings table: player.conf (the documented example, comments, errors with FILE:LINE),
// the command line and the usage text come from the same entries.
#include "run_settings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace signage {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// The ```ini block under "### The config file" in docs/sources.md, read at test time so that the
// documentation and the parser cannot drift apart.
std::string documented_example() {
  std::string doc = read_file(std::string(SIGNAGE_SOURCE_DIR) + "/docs/sources.md");
  auto section = doc.find("### The config file");
  auto start = doc.find("```ini\n", section);
  auto end = doc.find("```", start + 7);
  if (section == std::string::npos || start == std::string::npos || end == std::string::npos) {
    return "";
  }
  return doc.substr(start + 7, end - start - 7);
}

std::string parse(std::string_view text, RunSettings& s) {
  return parse_run_config("player.conf", text, s);
}

TEST(RunSettings, TheDocumentedExampleParses) {
  std::string example = documented_example();
  ASSERT_NE(example.find("backoff_cap"), std::string::npos) << example;
  RunSettings s;
  ASSERT_EQ(parse_run_config("docs/sources.md", example, s), "");
  EXPECT_EQ(s.sync.http.url, "https://content.example.org/hexi/playlist.json");
  EXPECT_EQ(s.sync.http.poll_interval_s, 60);
  EXPECT_EQ(s.sync.http.backoff_cap_s, 900);
  EXPECT_EQ(s.sync.http.connect_timeout_s, 15);
  EXPECT_EQ(s.sync.http.low_speed_time_s, 30);
  EXPECT_EQ(s.sync.state_dir, "/var/lib/signage-player");
  ASSERT_EQ(s.sync.usb_roots.size(), 1u);
  EXPECT_EQ(s.sync.usb_roots[0], "/media/signage-usb");
  EXPECT_TRUE(s.sync.watch_usb);
  EXPECT_EQ(s.sync.local_source, "/var/lib/signage-studio/published");
  EXPECT_EQ(s.sync.public_keys.size(), 1u);
  EXPECT_EQ(s.sync.channel, "hexi-2024");
  EXPECT_EQ(s.sync.http.heartbeat_interval_s, 60);
  EXPECT_EQ(s.sync.http.min_rate_bytes_per_s, 4096);
  EXPECT_EQ(s.sync.http.ca_file, "/etc/signage-player/office-ca.pem");
  EXPECT_EQ(s.sync.store_max_bytes, 1024ull << 20);
  EXPECT_EQ(s.sync.http.heartbeat_url, "https://content.example.org/heartbeat");
  EXPECT_EQ(s.sync.player_id, "hexi-community-3");
  EXPECT_EQ(s.screen.rotate, 90);
  EXPECT_TRUE(s.fullscreen);
  ASSERT_TRUE(s.player.display_hours);
  EXPECT_EQ(content::format_display_hours(*s.player.display_hours),
            "mon-fri 07:30-21:00, sat-sun 09:00-17:00");
  EXPECT_EQ(s.player.display_commands.off, "cec-ctl -d /dev/cec0 --to 0 --standby");
  EXPECT_EQ(s.player.display_commands.on, "cec-ctl -d /dev/cec0 --to 0 --image-view-on");
}

// Display hours in player.conf: checked strictly, the problem at its line.
TEST(RunSettings, DisplayHoursAreCheckedWithTheirLine) {
  RunSettings s;
  EXPECT_EQ(parse("# the center\ndisplay_hours = mon-fri 7:30-21:00\n", s),
            "player.conf:2: error: display_hours needs days and times: entry 1 \"mon-fri "
            "7:30-21:00\": \"7:30-21:00\" is not a time window: write HH:MM-HH:MM such as "
            "07:30-21:00 (24:00 for midnight; an until earlier than from runs past midnight; the "
            "two differ), got \"mon-fri 7:30-21:00\"");
  RunSettings always;
  ASSERT_EQ(parse("display_hours = always\n", always), "");
  ASSERT_TRUE(always.player.display_hours);
  EXPECT_TRUE(always.player.display_hours->empty());
  RunSettings none;
  ASSERT_EQ(parse("usb = false\n", none), "");
  EXPECT_FALSE(none.player.display_hours);
}

// A key file is read with a limit: a path like /dev/zero is refused, not read until memory ends.
TEST(RunSettings, APublicKeyFileIsReadWithALimit) {
  RunSettings s;
  EXPECT_NE(parse("public_key = /dev/zero\n", s).find("player.conf:1: error: public_key"),
            std::string::npos);
  EXPECT_TRUE(s.sync.public_keys.empty());
}

// Every key player.conf takes is documented next to the example.
TEST(RunSettings, EveryConfigKeyIsInTheDocs) {
  std::string doc = read_file(std::string(SIGNAGE_SOURCE_DIR) + "/docs/sources.md");
  for (const Setting& setting : run_settings()) {
    if (!setting.in_config) continue;
    EXPECT_NE(doc.find(setting.key), std::string::npos) << setting.key;
  }
}

TEST(RunSettings, TrailingCommentsAreNotPartOfTheValue) {
  RunSettings s;
  ASSERT_EQ(parse("usb_root = /media  # where sticks are mounted\n"
                  "poll_interval = 60   # seconds\n"
                  "player_id = \"hall #3\"  # quoted: the # is kept\n"
                  "source = https://example.org/p.json#x\n",
                  s),
            "");
  ASSERT_EQ(s.sync.usb_roots.size(), 1u);
  EXPECT_EQ(s.sync.usb_roots[0], "/media");
  EXPECT_EQ(s.sync.http.poll_interval_s, 60);
  EXPECT_EQ(s.sync.player_id, "hall #3");
  EXPECT_EQ(s.sync.http.url, "https://example.org/p.json#x");  // no space before '#'
}

TEST(RunSettings, EveryErrorHasFileAndLine) {
  RunSettings s;
  EXPECT_EQ(parse("# comment\n\npoll_interval = soon   # seconds\n", s),
            "player.conf:3: error: poll_interval needs seconds >= 0.1, got \"soon\"");
  EXPECT_EQ(parse("rotate = 45\n", s),
            "player.conf:1: error: rotate needs 0, 90, 180 or 270, got \"45\"");
  EXPECT_EQ(parse("usb = yes\n", s),
            "player.conf:1: error: usb: expected true or false, got \"yes\"");
  EXPECT_EQ(parse("\nsource\n", s),
            "player.conf:2: error: expected \"key = value\", got \"source\"");
  EXPECT_EQ(parse("state_dir =   # later\n", s), "player.conf:1: error: state_dir has no value");
  EXPECT_EQ(parse("poll-interval = 5\n", s),
            "player.conf:1: error: unknown key \"poll-interval\"; write poll_interval");
  EXPECT_EQ(parse("player_id = \"a\" b\n", s),
            "player.conf:1: error: text after the closing \": \"b\"");
  EXPECT_EQ(parse("headless = true\n", s),
            "player.conf:1: error: headless is for the command line only (--headless)");
  RunSettings twice;
  EXPECT_EQ(parse("size = 640x360\nrotate = 90\nsize = 800x600\n", twice),
            "player.conf:3: error: size is set twice (first at player.conf:1)");
}

TEST(RunSettings, CommandLineOverridesTheConfigFile) {
  RunSettings defaults;
  ASSERT_EQ(parse("usb = true\n", defaults), "");
  EXPECT_EQ(defaults.sync.usb_roots,
            (std::vector<std::filesystem::path>{"/media", "/run/media", "/mnt"}));
  RunSettings s;
  ASSERT_EQ(
      parse("usb_root = /a\nusb_root = /b\nsize = 640x360\nplaylist = /x\nfullscreen = true\n", s),
      "");
  EXPECT_EQ(s.sync.usb_roots, (std::vector<std::filesystem::path>{"/a", "/b"}));
  bool help = false;
  ASSERT_EQ(parse_run_arguments({"/y", "--usb-root", "/c", "--size=800x600", "--no-usb",
                                 "--poll-interval", "5", "--headless"},
                                s, &help),
            "");
  EXPECT_EQ(s.sync.usb_roots, (std::vector<std::filesystem::path>{"/c"}));
  EXPECT_EQ(s.path, "/y");
  EXPECT_EQ(s.screen.size->width, 800);
  EXPECT_FALSE(s.sync.watch_usb);
  EXPECT_EQ(s.sync.http.poll_interval_s, 5);
  EXPECT_EQ(finish_run_settings(s), "");
  EXPECT_TRUE(s.headless);
  EXPECT_FALSE(s.fullscreen);  // the command line's --headless wins over the file
  EXPECT_FALSE(help);
}

TEST(RunSettings, CommandLineProblems) {
  bool help = false;
  RunSettings s;
  EXPECT_EQ(parse_run_arguments({"--poll-intervall", "5"}, s, &help),
            "unknown option --poll-intervall");
  EXPECT_EQ(parse_run_arguments({"--backoff-cap"}, s, &help), "--backoff-cap needs a value");
  EXPECT_EQ(parse_run_arguments({"--source", "ftp://x"}, s, &help),
            "--source needs an http:// or https:// URL of a playlist.json, got \"ftp://x\"");
  EXPECT_EQ(parse_run_arguments({"a", "b"}, s, &help), "more than one PATH");
  RunSettings both;
  ASSERT_EQ(parse_run_arguments({"--headless", "--fullscreen"}, both, &help), "");
  EXPECT_EQ(finish_run_settings(both),
            "--headless (headless) and --fullscreen (fullscreen) exclude each other");
  RunSettings ca;
  ASSERT_EQ(parse("\nca_file = /no/such/ca.pem\n", ca), "");
  EXPECT_EQ(finish_run_settings(ca), "player.conf:2: error: ca_file: no such file /no/such/ca.pem");
}

TEST(RunSettings, UsageListsEverySetting) {
  std::string usage = run_usage();
  for (const Setting& setting : run_settings()) {
    std::string flag = setting.type == SettingType::boolean && setting.fallback == "true"
                           ? "--no-" + flag_of(setting.key).substr(2)
                           : flag_of(setting.key);
    EXPECT_NE(usage.find("  " + flag + " "), std::string::npos) << flag;
  }
  EXPECT_NE(usage.find("--backoff-cap S        failed polls back off exponentially up to this "
                       "(default: 900)"),
            std::string::npos)
      << usage;
}

// The package's /etc/signage-player/player.conf: every config-file setting commented out, nothing
// for the command line only, and the file as installed changes nothing.
TEST(RunSettings, ExampleConfigHasEverySettingCommentedOut) {
  std::string example = run_config_example();
  for (const Setting& setting : run_settings()) {
    bool listed = example.find("\n#" + std::string(setting.key) + " = ") != std::string::npos;
    EXPECT_EQ(listed, setting.in_config) << setting.key;
  }
  RunSettings s;
  EXPECT_EQ(parse_run_config("/etc/signage-player/player.conf", example, s), "");
  EXPECT_TRUE(s.origin.empty());
  // A switch's line, uncommented, is a valid setting.
  std::string usb_line = example.substr(example.find("#usb = "));
  usb_line = usb_line.substr(1, usb_line.find('\n'));
  RunSettings no_usb;
  ASSERT_EQ(parse(usb_line, no_usb), "");
  EXPECT_FALSE(no_usb.sync.watch_usb);
}

}  // namespace
}  // namespace signage
