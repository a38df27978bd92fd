// `signage-player layout` run as a user runs it: the JSON on stdout, and clear errors (a message
// on stderr, a non-zero exit, never a signal) for bad input.
//
//   layout_cli_test --player PATH [--emulator PART]... [gtest flags]
//
// --emulator (each element of CMAKE_CROSSCOMPILING_EMULATOR, e.g. qemu-aarch64) runs the player
// of a cross build. JSON is checked with nlohmann_json rather than python3, which a minimal Debian
// lacks.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;

std::string g_player;
std::vector<std::string> g_emulator;  // command prefix

// A scratch directory for one test program run, removed at exit.
const fs::path& scratch() {
  static const signage::test_support::TempDir dir("layout-cli");
  return dir.path;
}

struct Result {
  bool exited = false;  // normally, with `code`
  int code = -1;
  int signal = 0;  // when killed
  std::string out, err;

  std::string describe() const {
    std::ostringstream s;
    if (exited)
      s << "exit " << code;
    else
      s << "killed by signal " << signal << " (" << strsignal(signal) << ")";
    auto clip = [](const std::string& text) {
      return text.size() <= 1500
                 ? text
                 : text.substr(0, 1500) + "... (" + std::to_string(text.size()) + " bytes)";
    };
    s << "\n--- stdout ---\n" << clip(out) << "\n--- stderr ---\n" << clip(err);
    return s.str();
  }
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

// Runs `signage-player layout ARGS...` without a shell; stdout and stderr go to files so that
// a large output can never block the child.
Result run_layout(const std::vector<std::string>& args) {
  static int counter = 0;
  ++counter;
  const fs::path out_path = scratch() / ("out-" + std::to_string(counter));
  const fs::path err_path = scratch() / ("err-" + std::to_string(counter));

  std::vector<std::string> argv_strings;
  argv_strings.insert(argv_strings.end(), g_emulator.begin(), g_emulator.end());
  argv_strings.push_back(g_player);
  argv_strings.push_back("layout");
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = 0;
  int spawn_error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  Result result;
  if (spawn_error != 0) {
    ADD_FAILURE() << "cannot run " << argv[0] << ": " << std::strerror(spawn_error);
    return result;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    result.exited = true;
    result.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

// ---------------------------------------------------------------------------------------------
// The JSON contract:
// {"lines":[{"text":"…","width":812.5,"runs":[{"text":"…","font":"Noto Sans CJK SC"}]}],
//  "missing_glyphs":0}

struct Output {
  nlohmann::json json;
  std::vector<std::string> line_texts;
};

// Checks that stdout is exactly one JSON object of the contract's shape; returns it.
Output parse_output(const Result& r) {
  Output output;
  const std::string& out = r.out;
  EXPECT_FALSE(out.empty()) << r.describe();
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line of JSON ending in a newline\n"
                                            << r.describe();
  try {
    output.json = nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "stdout is not JSON: " << e.what() << "\n" << r.describe();
    return output;
  }
  const auto& j = output.json;
  EXPECT_TRUE(j.is_object());
  // "truncated" only when --max-lines cut the text.
  EXPECT_EQ(j.size(), j.contains("truncated") ? 3u : 2u) << j.dump();
  if (j.contains("truncated")) EXPECT_EQ(j["truncated"], true) << j.dump();
  EXPECT_TRUE(j.contains("lines") && j["lines"].is_array()) << j.dump();
  EXPECT_TRUE(j.contains("missing_glyphs") && j["missing_glyphs"].is_number_integer() &&
              j["missing_glyphs"].get<long>() >= 0)
      << j.dump();
  if (!j.contains("lines") || !j["lines"].is_array()) return output;
  for (const auto& line : j["lines"]) {
    EXPECT_TRUE(line.is_object()) << line.dump();
    if (!line.is_object()) continue;
    EXPECT_TRUE(line.contains("text") && line["text"].is_string()) << line.dump();
    EXPECT_TRUE(line.contains("width") && line["width"].is_number()) << line.dump();
    EXPECT_TRUE(line.contains("runs") && line["runs"].is_array()) << line.dump();
    if (!line.contains("text") || !line.contains("runs") || !line["runs"].is_array()) continue;
    std::string joined;
    for (const auto& run : line["runs"]) {
      EXPECT_TRUE(run.is_object() && run.contains("text") && run["text"].is_string() &&
                  run.contains("font") && run["font"].is_string())
          << run.dump();
      if (!run.is_object() || !run.contains("text") || !run["text"].is_string()) continue;
      EXPECT_FALSE(run["text"].get<std::string>().empty()) << run.dump();
      EXPECT_FALSE(run.value("font", std::string()).empty()) << run.dump();
      joined += run["text"].get<std::string>();
    }
    // The runs cover the line's characters, in logical order.
    EXPECT_EQ(joined, line["text"].get<std::string>());
    output.line_texts.push_back(line["text"].get<std::string>());
  }
  return output;
}

std::string fonts_of(const nlohmann::json& j, std::string_view run_text) {
  for (const auto& line : j["lines"]) {
    for (const auto& run : line["runs"]) {
      if (run["text"].get<std::string>().find(run_text) != std::string::npos)
        return run["font"].get<std::string>();
    }
  }
  return "";
}

void expect_success(const Result& r) {
  ASSERT_TRUE(r.exited) << r.describe();
  ASSERT_EQ(r.code, 0) << r.describe();
}

// A clean refusal: it exited (no signal), non-zero, said why on stderr mentioning `hint`, and
// printed no JSON.
void expect_refusal(const Result& r, std::string_view hint) {
  EXPECT_TRUE(r.exited) << "crashed instead of refusing\n" << r.describe();
  EXPECT_NE(r.code, 0) << r.describe();
  EXPECT_NE(r.err.find("signage-player layout: "), std::string::npos)
      << "the message should name the program\n"
      << r.describe();
  EXPECT_NE(r.err.find(hint), std::string::npos) << "stderr should mention '" << hint << "'\n"
                                                 << r.describe();
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.describe();
  EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << r.describe();
  EXPECT_EQ(r.out.find("\"lines\""), std::string::npos) << "no JSON on a refusal\n" << r.describe();
}

// ---------------------------------------------------------------------------------------------
// Output

TEST(LayoutCli, PrintsOneJsonObjectWithLinesRunsAndFonts) {
  const std::string text = "2024年全市GDP增长5.2%，居民人均收入达到“新高”。😀";
  Result r = run_layout({"--text", text, "--width", "400"});
  expect_success(r);
  Output o = parse_output(r);
  ASSERT_GE(o.line_texts.size(), 2u) << o.json.dump();
  std::string all;
  for (const auto& t : o.line_texts) all += t;
  EXPECT_EQ(all, text) << "every character kept, in order";
  for (const auto& line : o.json["lines"]) {
    EXPECT_GT(line["width"].get<double>(), 0);
    EXPECT_LE(line["width"].get<double>(), 400.01) << line.dump();
  }
  EXPECT_EQ(o.json["missing_glyphs"], 0);
  EXPECT_EQ(fonts_of(o.json, "年全市"), "Noto Sans CJK SC");
  EXPECT_EQ(fonts_of(o.json, "😀"), "Noto Color Emoji");
  for (const auto& t : o.line_texts) {
    for (std::string_view mark : {"，", "。", "”", "%"}) {
      EXPECT_NE(t.rfind(mark, 0), 0u) << "a line starts with " << mark << ": " << t;
    }
  }
}

TEST(LayoutCli, WrapTrimAndMaxLines) {
  const std::string text = "会议认为，习近平总书记中央经济工作会议上的重要讲话。";
  Output greedy = parse_output(run_layout({"--text", text, "--width", "320"}));
  ASSERT_EQ(greedy.line_texts.size(), 4u) << greedy.json.dump();
  EXPECT_EQ(greedy.line_texts.back(), "话。");
  Result pretty = run_layout({"--text", text, "--width", "320", "--wrap", "pretty"});
  expect_success(pretty);
  EXPECT_EQ(parse_output(pretty).line_texts.back(), "讲话。");
  const std::string title = "中共河西区委经济工作会议召开全力推动中央精神落地见效";
  Output balanced =
      parse_output(run_layout({"--text", title, "--width", "800", "--wrap", "balance"}));
  EXPECT_EQ(balanced.line_texts,
            (std::vector<std::string>{"中共河西区委经济工作会议召开", "全力推动中央精神落地见效"}));
  Output cut = parse_output(run_layout({"--text", text, "--width", "240", "--max-lines", "2"}));
  EXPECT_EQ(cut.line_texts, (std::vector<std::string>{"会议认为，习", "近平总书……"}));
  EXPECT_EQ(cut.json["truncated"], true);
  Output trimmed =
      parse_output(run_layout({"--text", "“两个维护”", "--width", "400", "--trim-line-start"}));
  EXPECT_LT(trimmed.json["lines"][0]["width"].get<double>(), 220);  // 6 em less the blank half
  EXPECT_EQ(run_layout({"--text", text, "--width", "240", "--wrap", "even"}).code, 2);
  EXPECT_EQ(run_layout({"--text", text, "--width", "240", "--max-lines", "0"}).code, 2);
}

TEST(LayoutCli, WhitespaceAtABreakIsDropped) {
  Result r = run_layout({"--text", "hello world again", "--width", "150", "--lang", "en"});
  expect_success(r);
  Output o = parse_output(r);
  ASSERT_GE(o.line_texts.size(), 2u) << o.json.dump();
  for (const auto& t : o.line_texts) {
    EXPECT_FALSE(t.empty());
    EXPECT_NE(t.front(), ' ') << t;
    EXPECT_NE(t.back(), ' ') << t;
  }
  EXPECT_EQ(o.line_texts.front(), "hello");
  EXPECT_EQ(fonts_of(o.json, "hello"), "Noto Sans");
}

TEST(LayoutCli, TextFileGivesTheSameOutputAsText) {
  const std::string text = "会议指出，2024年以来，全市经济运行稳中有进。\n第二段 Café ئۇيغۇرچە";
  write_file(scratch() / "para.txt", text);
  Result from_text = run_layout({"--text", text, "--width", "500"});
  Result from_file =
      run_layout({"--text-file", (scratch() / "para.txt").string(), "--width", "500"});
  expect_success(from_text);
  expect_success(from_file);
  EXPECT_EQ(from_text.out, from_file.out);
  Output o = parse_output(from_file);
  EXPECT_EQ(fonts_of(o.json, "ئۇيغۇرچە"), "Noto Sans Arabic");
  // "\n" is a forced break: "第二段" starts a line.
  bool starts = false;
  for (const auto& t : o.line_texts) starts = starts || t.rfind("第二段", 0) == 0;
  EXPECT_TRUE(starts) << o.json.dump();
}

TEST(LayoutCli, LanguagePicksTheFace) {
  for (auto [lang, family] :
       {std::pair{"zh-Hans", "Noto Sans CJK SC"}, std::pair{"zh-TW", "Noto Sans CJK TC"},
        std::pair{"ja", "Noto Sans CJK JP"}, std::pair{"ko", "Noto Sans CJK KR"}}) {
    Result r = run_layout({"--text", "中文", "--width", "400", "--lang", lang});
    expect_success(r);
    Output o = parse_output(r);
    EXPECT_EQ(fonts_of(o.json, "中文"), family) << lang;
  }
}

TEST(LayoutCli, MissingGlyphsAreCounted) {
  Result r = run_layout({"--text", "中文\U0010FFFD字", "--width", "400"});
  expect_success(r);
  EXPECT_EQ(parse_output(r).json["missing_glyphs"], 1);
}

TEST(LayoutCli, VerticalAndFontSizeAndPng) {
  const fs::path png = scratch() / "vertical.png";
  Result r = run_layout({"--text", "第12届社区文化节——欢迎参加，不见不散。", "--width", "300",
                         "--font-size", "30", "--vertical", "--png", png.string()});
  expect_success(r);
  Output o = parse_output(r);
  EXPECT_GE(o.line_texts.size(), 2u);
  for (const auto& line : o.json["lines"]) EXPECT_LE(line["width"].get<double>(), 300.01);
  std::string bytes = read_file(png);
  ASSERT_GT(bytes.size(), 100u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(LayoutCli, EmptyTextHasNoLines) {
  write_file(scratch() / "empty.txt", "");
  Result r = run_layout({"--text-file", (scratch() / "empty.txt").string(), "--width", "100"});
  expect_success(r);
  Output o = parse_output(r);
  EXPECT_TRUE(o.line_texts.empty());
  EXPECT_EQ(o.json["missing_glyphs"], 0);
}

TEST(LayoutCli, HelpExitsZero) {
  Result r = run_layout({"--help"});
  expect_success(r);
  EXPECT_NE(r.out.find("--width"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Refusals

struct BadUtf8 {
  const char* name;
  std::string bytes;
};

TEST(LayoutCli, InvalidUtf8InTextFileIsRefused) {
  for (const BadUtf8& bad :
       {BadUtf8{"lone-ff", "\xff\xfe"}, BadUtf8{"truncated", std::string("中\xe4\xb8")},
        BadUtf8{"overlong",
                "a\xc0\xaf"
                "b"},
        BadUtf8{"surrogate", "\xed\xa0\x80"}, BadUtf8{"beyond-10ffff", "\xf4\x90\x80\x80"},
        BadUtf8{"latin1", "Caf\xe9 \xe0 Paris"}, BadUtf8{"nul", std::string("a\0b", 3)}}) {
    SCOPED_TRACE(bad.name);
    const fs::path file = scratch() / (std::string(bad.name) + ".txt");
    write_file(file, bad.bytes);
    Result r = run_layout({"--text-file", file.string(), "--width", "400"});
    expect_refusal(r, file.filename().string());
  }
}

TEST(LayoutCli, InvalidUtf8InTextArgumentIsRefused) {
  Result r = run_layout({"--text", "abc\xff", "--width", "400"});
  expect_refusal(r, "UTF-8");
}

TEST(LayoutCli, MissingFileIsRefused) {
  const fs::path file = scratch() / "does-not-exist.txt";
  Result r = run_layout({"--text-file", file.string(), "--width", "400"});
  expect_refusal(r, "does-not-exist.txt");
}

TEST(LayoutCli, DirectoryAsTextFileIsRefused) {
  // Opening a directory for reading succeeds on Linux and reading it fails; that must not
  // pass for an empty paragraph.
  Result r = run_layout({"--text-file", scratch().string(), "--width", "400"});
  expect_refusal(r, scratch().filename().string());
}

TEST(LayoutCli, BadWidthIsRefused) {
  for (const char* width :
       {"0", "-5", "abc", "", "nan", "inf", "-inf", "1e999", "12px", " 12", "0x10", "-0"}) {
    SCOPED_TRACE(std::string("--width '") + width + "'");
    Result r = run_layout({"--text", "中文", "--width", width});
    expect_refusal(r, "--width");
  }
}

TEST(LayoutCli, MissingWidthIsRefused) {
  expect_refusal(run_layout({"--text", "中文"}), "--width");
  expect_refusal(run_layout({"--text", "中文", "--width"}), "--width");
}

TEST(LayoutCli, TextAndTextFileTogetherAreRefused) {
  write_file(scratch() / "both.txt", "中文");
  Result r = run_layout(
      {"--text", "中文", "--text-file", (scratch() / "both.txt").string(), "--width", "400"});
  expect_refusal(r, "--text");
}

TEST(LayoutCli, NoTextIsRefused) {
  expect_refusal(run_layout({"--width", "400"}), "--text");
  expect_refusal(run_layout({"--width", "400", "--text"}), "--text");
}

TEST(LayoutCli, BadFontSizeAndUnknownOptionsAreRefused) {
  expect_refusal(run_layout({"--text", "中文", "--width", "400", "--font-size", "0"}),
                 "--font-size");
  expect_refusal(run_layout({"--text", "中文", "--width", "400", "--font-size", "big"}),
                 "--font-size");
  expect_refusal(run_layout({"--text", "中文", "--width", "400", "--colour", "red"}), "--colour");
}

TEST(LayoutCli, UnwritablePngIsAnErrorNotACrash) {
  const fs::path png = scratch() / "no-such-dir" / "out.png";
  Result r = run_layout({"--text", "中文", "--width", "400", "--png", png.string()});
  EXPECT_TRUE(r.exited) << r.describe();
  EXPECT_NE(r.code, 0) << r.describe();
  EXPECT_NE(r.err.find("out.png"), std::string::npos) << r.describe();
}

TEST(LayoutCli, PngTooLargeToAllocateIsRefusedNotACrash) {
  // 1,000 characters at 1,000 px on a 1,000,000 px line, and 700 forced breaks: the image would
  // be about 1,000,000 x 1,000,000 px (4 TB of RGBA). No machine has that; a Pi has 512 MB.
  // The command must say so and exit, not die of std::bad_alloc (SIGABRT) or the OOM killer.
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "永";
  for (int i = 0; i < 700; ++i) text += "\n字";
  const fs::path png = scratch() / "huge.png";
  Result r = run_layout(
      {"--text", text, "--width", "1000000", "--font-size", "1000", "--png", png.string()});
  EXPECT_TRUE(r.exited) << "crashed\n" << r.describe();
  EXPECT_NE(r.code, 0) << r.describe();
  EXPECT_NE(r.err.find("signage-player layout: "), std::string::npos) << r.describe();
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.describe();
  EXPECT_FALSE(fs::exists(png));
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--player" && i + 1 < argc) {
      g_player = argv[++i];
    } else if (arg == "--emulator" && i + 1 < argc) {
      g_emulator.push_back(argv[++i]);
    } else {
      std::fprintf(stderr, "layout_cli_test: unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }
  if (g_player.empty()) {
    std::fprintf(stderr, "usage: layout_cli_test --player PATH [--emulator PART]...\n");
    return 2;
  }
  int result = RUN_ALL_TESTS();
  std::error_code ignored;
  fs::remove_all(scratch(), ignored);
  return result;
}
