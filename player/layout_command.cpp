// signage-player layout: the text engine from the command line.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "commands.h"
#include "files/files.h"
#include "render/render.h"
#include "text/text.h"

namespace signage {
namespace {

constexpr const char* kLayoutUsage =
    R"(usage: signage-player layout (--text TEXT | --text-file FILE) --width PX
                            [--font-size PX] [--lang TAG] [--vertical] [--png OUT.png]
                            [--autospace] [--normalize-punctuation] [--weight 100-900]
                            [--wrap greedy|pretty|balance] [--trim-line-start] [--max-lines N]

Lays out one paragraph ("\n" forces a line break) and prints the lines as JSON:
  {"lines":[{"text":..., "width":..., "runs":[{"text":..., "font":...}]}], "missing_glyphs":N}
--width is the line length in pixels (the column height with --vertical); --font-size defaults
to 40 and --lang to zh-Hans. --png also draws the lines, black on white.
--wrap pretty never leaves one character alone on the last line (孤字); --wrap balance also makes
the lines as even as possible (for titles); the default greedy fills each line. --trim-line-start
drops the blank half of an opening bracket or quote that starts a line. --max-lines N cuts a
longer text at a break opportunity and ends it with "……" ("truncated": true in the output).
)";

constexpr std::size_t kMaxTextBytes = 16 << 20;
// The whole seed article at 1000 px is about 1,040 x 18,000 px; a Pi has 512 MB.
constexpr int kMaxPngSide = 65535;
constexpr double kMaxPngPixels = 64e6;

std::optional<float> parse_number(std::string_view s, float min, float max) {
  float value = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error != std::errc() || end != s.data() + s.size() || !std::isfinite(value) || value < min ||
      value > max) {
    return std::nullopt;
  }
  return value;
}

int fail(const std::string& message) {
  std::cerr << "signage-player layout: " << message << "\n";
  return 1;
}

int usage_error(const std::string& message) {
  std::cerr << "signage-player layout: " << message << "\n\n" << kLayoutUsage;
  return 2;
}

double round2(float v) {
  return std::round(double(v) * 100) / 100;
}

}  // namespace

int layout_command(const std::vector<std::string_view>& args) {
  std::optional<std::string> text, text_file, png;
  std::optional<float> width;
  text::LayoutOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kLayoutUsage;
      return 0;
    } else if (arg == "--vertical") {
      options.vertical = true;
    } else if (arg == "--autospace") {
      options.autospace = true;
    } else if (arg == "--normalize-punctuation") {
      options.normalize_punctuation = true;
    } else if (arg == "--trim-line-start") {
      options.trim_line_start = true;
    } else if (arg == "--wrap") {
      auto v = value();
      if (v == "greedy") {
        options.wrap = text::Wrap::greedy;
      } else if (v == "pretty") {
        options.wrap = text::Wrap::pretty;
      } else if (v == "balance") {
        options.wrap = text::Wrap::balance;
      } else {
        return usage_error("--wrap must be greedy, pretty or balance");
      }
    } else if (arg == "--max-lines") {
      auto v = value();
      auto lines = v ? parse_number(*v, 1, 100000) : std::nullopt;
      if (!lines || *lines != std::floor(*lines))
        return usage_error("--max-lines must be a whole number of lines, 1 or more");
      options.max_lines = int(*lines);
    } else if (arg == "--text" || arg == "--text-file" || arg == "--width" ||
               arg == "--font-size" || arg == "--lang" || arg == "--png" || arg == "--weight") {
      auto v = value();
      if (!v) return usage_error(std::string(arg) + " needs a value");
      if (arg == "--text") {
        text = std::string(*v);
      } else if (arg == "--text-file") {
        text_file = std::string(*v);
      } else if (arg == "--png") {
        png = std::string(*v);
      } else if (arg == "--lang") {
        options.lang = std::string(*v);
      } else if (arg == "--width") {
        width = parse_number(*v, 0, 1e6f);
        if (!width || *width <= 0) {
          return usage_error("--width must be a number of pixels greater than 0, not '" +
                             std::string(*v) + "'");
        }
      } else if (arg == "--font-size") {
        auto size = parse_number(*v, 1, 1000);
        if (!size)
          return usage_error("--font-size must be between 1 and 1000 px, not '" + std::string(*v) +
                             "'");
        options.font_size = *size;
      } else {
        auto weight = parse_number(*v, 1, 1000);
        if (!weight)
          return usage_error("--weight must be between 1 and 1000, not '" + std::string(*v) + "'");
        options.weight = int(*weight);
      }
    } else {
      return usage_error("unknown option '" + std::string(arg) + "'");
    }
  }
  if (text.has_value() == text_file.has_value()) {
    return usage_error("give exactly one of --text or --text-file");
  }
  if (!width) return usage_error("--width is required");
  options.width = *width;

  if (text_file) {
    std::error_code ec;
    if (std::filesystem::is_directory(*text_file, ec)) {
      return fail(*text_file + ": is a directory, not a text file");
    }
    std::string why;
    text = files::read_file(*text_file, kMaxTextBytes, &why);
    if (!text) return fail(why);
  }
  if (auto problem = text::check_utf8(*text); !problem.empty()) {
    return fail((text_file ? *text_file : std::string("--text")) + ": " + problem);
  }

  std::string error;
  auto engine = text::TextEngine::create(text::default_fonts_dir(), &error);
  if (!engine) return fail(error);
  for (const auto& warning : engine->warnings()) std::cerr << "warning: " << warning << "\n";

  text::Layout layout = text::lay_out(*engine, *text, options);

  nlohmann::ordered_json out;
  out["lines"] = nlohmann::ordered_json::array();
  for (const auto& line : layout.lines) {
    nlohmann::ordered_json runs = nlohmann::ordered_json::array();
    for (const auto& run : line.runs) {
      runs.push_back({{"text", layout.text.substr(run.begin, run.end - run.begin)},
                      {"font", text::face_info(*engine, run.face).family}});
    }
    out["lines"].push_back({{"text", layout.text.substr(line.begin, line.end - line.begin)},
                            {"width", round2(line.width)},
                            {"runs", std::move(runs)}});
  }
  out["missing_glyphs"] = layout.missing_glyphs;
  if (layout.truncated) out["truncated"] = true;
  std::cout << out.dump() << "\n";

  if (png) {
    auto extent = text::layout_extent(layout);
    int margin = int(std::ceil(options.font_size / 2));
    double width = double(extent.width) + 2 * margin, height = double(extent.height) + 2 * margin;
    if (width > kMaxPngSide || height > kMaxPngSide || width * height > kMaxPngPixels) {
      return fail("the picture would be " + std::to_string(int64_t(width)) + " x " +
                  std::to_string(int64_t(height)) + " px; --png draws at most " +
                  std::to_string(kMaxPngSide) + " px a side and " +
                  std::to_string(kMaxPngPixels / 1000000) + " megapixels");
    }
    text::RgbaImage image{int(width), int(height)};
    std::fill(image.pixels.begin(), image.pixels.end(), 255);
    text::GlyphCache cache(engine->fonts(), {});
    float x = options.vertical ? float(image.width - margin) : float(margin);
    text::draw_layout(layout, cache, image, x, float(margin), {0, 0, 0, 255});
    if (auto problem = render::save_png(image, *png); !problem.empty()) return fail(problem);
  }
  return 0;
}

}  // namespace signage
