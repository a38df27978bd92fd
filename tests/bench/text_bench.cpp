// text_bench: the text engine against SDL2_ttf 2.20 on the seed article, in one run.
//
// Same text, same face (Noto Sans CJK SC Regular from NotoSansCJK-Regular.ttc), 40 px, lines of
// 1000 px:
//   ours/...     lay_out() alone, and lay_out() + draw_layout() into an RgbaImage of
//                layout_extent(), with a warm glyph cache (one GlyphCache kept across iterations,
//                the player's steady state) and a cold one (a fresh GlyphCache per iteration, so
//                every glyph is rasterized again).
//   sdl2_ttf/... TTF_RenderUTF8_Blended_Wrapped(font, text, black, 1000): measures, wraps and
//                draws into a new ARGB surface. On the whole article it takes seconds, so that
//                case is only registered with --sdl_article.
// Texts: "paragraph" is the seed paragraph whose length is closest to 156 characters (the first
// one on a tie); "article" is every non-blank line of the seed joined with "\n".
//
// Extra flags, after Google Benchmark's own:
//   --article=PATH    the seed article (default: SIGNAGE_BENCH_ARTICLE from CMake)
//   --sdl_font=PATH   the collection SDL2_ttf opens (default: SIGNAGE_BENCH_CJK_FONT)
//   --sdl_face=N      the face index of Noto Sans CJK SC in it (default: 2)
//   --sdl_article     also run SDL2_ttf on the whole article (one iteration per repetition)
#include <SDL.h>
#include <SDL_ttf.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "text/text.h"

namespace {

namespace text = signage::text;

constexpr float kWidth = 1000;
constexpr float kFontSize = 40;
constexpr std::size_t kParagraphChars = 156;

struct Config {
  std::string article_path = SIGNAGE_BENCH_ARTICLE;
  std::string sdl_font_path = SIGNAGE_BENCH_CJK_FONT;
  long sdl_face = SIGNAGE_BENCH_CJK_FACE_INDEX;
  bool sdl_article = false;
};

struct Texts {
  std::string paragraph;
  std::size_t paragraph_line = 0;   // 1-based line number in the seed file
  std::size_t paragraph_index = 0;  // 0-based among the non-blank lines
  std::string article;
};

text::TextEngine* g_engine = nullptr;
TTF_Font* g_sdl_font = nullptr;

std::size_t count_chars(std::string_view utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// Non-blank lines are paragraphs. The paragraph is the one closest to kParagraphChars.
bool load_texts(const std::string& path, Texts* texts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string line;
  std::size_t line_number = 0, index = 0, best_distance = SIZE_MAX;
  while (std::getline(in, line)) {
    ++line_number;
    if (is_blank(line)) continue;
    if (!texts->article.empty()) texts->article += '\n';
    texts->article += line;
    std::size_t chars = count_chars(line);
    std::size_t distance =
        chars > kParagraphChars ? chars - kParagraphChars : kParagraphChars - chars;
    if (distance < best_distance) {
      best_distance = distance;
      texts->paragraph = line;
      texts->paragraph_line = line_number;
      texts->paragraph_index = index;
    }
    ++index;
  }
  return !texts->paragraph.empty();
}

text::LayoutOptions layout_options() {
  text::LayoutOptions options;
  options.width = kWidth;
  options.font_size = kFontSize;
  options.lang = "zh-Hans";
  return options;
}

text::RgbaImage draw(const text::Layout& layout, text::GlyphCache& cache) {
  text::Extent extent = text::layout_extent(layout);
  text::RgbaImage image(extent.width, extent.height);
  text::draw_layout(layout, cache, image, 0, 0, {0, 0, 0, 255});
  return image;
}

void set_counters(benchmark::State& state, const std::string& text, std::size_t lines) {
  state.counters["chars/s"] =
      benchmark::Counter(double(count_chars(text)), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["lines"] = double(lines);
}

void ours_layout(benchmark::State& state, const std::string* text) {
  const text::LayoutOptions options = layout_options();
  std::size_t lines = 0;
  for (auto _ : state) {
    text::Layout layout = text::lay_out(*g_engine, *text, options);
    lines = layout.lines.size();
    benchmark::DoNotOptimize(layout.lines.data());
  }
  set_counters(state, *text, lines);
}

enum class CacheMode { warm, cold };

void ours_layout_draw(benchmark::State& state, const std::string* text, CacheMode mode) {
  const text::LayoutOptions options = layout_options();
  // The steady state: the player keeps one cache, so it already holds this text's glyphs.
  text::GlyphCache warm(g_engine->fonts(), text::AtlasLimits{});
  draw(text::lay_out(*g_engine, *text, options), warm);
  const text::AtlasCounters warm_before = warm.counters();

  std::size_t lines = 0;
  std::uint64_t rasterizations = 0, evictions = 0;
  for (auto _ : state) {
    text::Layout layout = text::lay_out(*g_engine, *text, options);
    lines = layout.lines.size();
    if (mode == CacheMode::warm) {
      text::RgbaImage image = draw(layout, warm);
      benchmark::DoNotOptimize(image.pixels.data());
    } else {
      text::GlyphCache cold(g_engine->fonts(), text::AtlasLimits{});
      text::RgbaImage image = draw(layout, cold);
      benchmark::DoNotOptimize(image.pixels.data());
      rasterizations += cold.counters().rasterizations;
      evictions += cold.counters().evictions;
    }
  }
  if (mode == CacheMode::warm) {
    rasterizations = warm.counters().rasterizations - warm_before.rasterizations;
    evictions = warm.counters().evictions - warm_before.evictions;
  }
  set_counters(state, *text, lines);
  // Glyphs rasterized and evicted per iteration: 0 when the warm cache holds the whole text.
  state.counters["raster"] =
      benchmark::Counter(double(rasterizations), benchmark::Counter::kAvgIterations);
  state.counters["evict"] =
      benchmark::Counter(double(evictions), benchmark::Counter::kAvgIterations);
}

// The steady state of a player that draws into a surface it keeps: the image is allocated once and
// cleared each iteration, so page faults on fresh memory are not counted.
void ours_layout_draw_reused_image(benchmark::State& state, const std::string* text) {
  const text::LayoutOptions options = layout_options();
  text::GlyphCache warm(g_engine->fonts(), text::AtlasLimits{});
  text::RgbaImage image = draw(text::lay_out(*g_engine, *text, options), warm);
  std::size_t lines = 0;
  for (auto _ : state) {
    text::Layout layout = text::lay_out(*g_engine, *text, options);
    lines = layout.lines.size();
    std::fill(image.pixels.begin(), image.pixels.end(), 0);
    text::draw_layout(layout, warm, image, 0, 0, {0, 0, 0, 255});
    benchmark::DoNotOptimize(image.pixels.data());
  }
  set_counters(state, *text, lines);
}

// Not text work: what allocating the zeroed RgbaImage of layout_extent() costs by itself, the
// floor under every layout_draw case above (SDL2_ttf allocates a surface of the same size).
void image_alloc_only(benchmark::State& state, const std::string* text) {
  const text::Extent extent =
      text::layout_extent(text::lay_out(*g_engine, *text, layout_options()));
  for (auto _ : state) {
    text::RgbaImage image(extent.width, extent.height);
    benchmark::DoNotOptimize(image.pixels.data());
  }
  state.counters["MB"] = double(extent.width) * extent.height * 4 / 1e6;
}

void sdl_render_wrapped(benchmark::State& state, const std::string* text) {
  const SDL_Color black{0, 0, 0, 255};
  std::size_t lines = 0;
  for (auto _ : state) {
    SDL_Surface* surface =
        TTF_RenderUTF8_Blended_Wrapped(g_sdl_font, text->c_str(), black, Uint32(kWidth));
    if (!surface) {
      state.SkipWithError(TTF_GetError());
      break;
    }
    // SDL2_ttf makes the surface (lines - 1) * line skip + font height tall.
    lines =
        std::size_t((surface->h - TTF_FontHeight(g_sdl_font)) / TTF_FontLineSkip(g_sdl_font) + 1);
    benchmark::DoNotOptimize(surface->pixels);
    SDL_FreeSurface(surface);
  }
  set_counters(state, *text, lines);
}

// Both sides must draw with Noto Sans CJK SC from the same file and face index.
std::string check_faces(const Texts& texts, const Config& config) {
  std::string problems;
  for (const std::string* t : {&texts.paragraph, &texts.article}) {
    text::Layout layout = text::lay_out(*g_engine, *t, layout_options());
    if (layout.missing_glyphs) problems += "missing glyphs; ";
    for (const auto& line : layout.lines) {
      for (const auto& run : line.runs) {
        const text::FaceInfo& info = text::face_info(*g_engine, run.face);
        std::error_code error;
        if (info.family != "Noto Sans CJK SC" || info.index_in_file != config.sdl_face ||
            !std::filesystem::equivalent(info.file, config.sdl_font_path, error)) {
          problems += "a run is drawn with " + info.family + " (" + info.file + " #" +
                      std::to_string(info.index_in_file) + "); ";
        }
      }
    }
  }
  if (const char* family = TTF_FontFaceFamilyName(g_sdl_font);
      !family || std::string_view(family) != "Noto Sans CJK SC") {
    problems += std::string("SDL2_ttf opened ") + (family ? family : "?") + "; ";
  }
  return problems;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "text_bench: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  Config config;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value_of = [&](std::string_view flag) -> const char* {
      return arg.starts_with(flag) ? argv[i] + flag.size() : nullptr;
    };
    if (const char* v = value_of("--article=")) {
      config.article_path = v;
    } else if (const char* v = value_of("--sdl_font=")) {
      config.sdl_font_path = v;
    } else if (const char* v = value_of("--sdl_face=")) {
      config.sdl_face = std::strtol(v, nullptr, 10);
    } else if (arg == "--sdl_article") {
      config.sdl_article = true;
    } else {
      return fail("unknown argument '" + std::string(arg) + "' (see the top of text_bench.cpp)");
    }
  }

  static Texts texts;
  if (!load_texts(config.article_path, &texts)) {
    return fail(config.article_path + ": cannot read the seed article (give --article=PATH)");
  }
  std::string error;
  static std::unique_ptr<text::TextEngine> engine =
      text::TextEngine::create(text::default_fonts_dir(), &error);
  if (!engine) return fail(error);
  g_engine = engine.get();

  if (TTF_Init() != 0) return fail(std::string("TTF_Init: ") + TTF_GetError());
  g_sdl_font = TTF_OpenFontIndex(config.sdl_font_path.c_str(), int(kFontSize), config.sdl_face);
  if (!g_sdl_font) return fail(config.sdl_font_path + ": " + TTF_GetError());

  if (std::string problems = check_faces(texts, config); !problems.empty()) {
    return fail("the two sides would not draw the same face: " + problems);
  }

  const SDL_version* ttf = TTF_Linked_Version();
  benchmark::AddCustomContext("sdl2_ttf", std::to_string(ttf->major) + "." +
                                              std::to_string(ttf->minor) + "." +
                                              std::to_string(ttf->patch));
  benchmark::AddCustomContext("face", config.sdl_font_path + " #" +
                                          std::to_string(config.sdl_face) +
                                          " (Noto Sans CJK SC), 40 px, 1000 px lines");
  benchmark::AddCustomContext(
      "paragraph", "line " + std::to_string(texts.paragraph_line) + " of " + config.article_path +
                       " (paragraph " + std::to_string(texts.paragraph_index + 1) + "), " +
                       std::to_string(count_chars(texts.paragraph)) + " chars, " +
                       std::to_string(texts.paragraph.size()) +
                       " bytes: " + texts.paragraph.substr(0, texts.paragraph.find(',')) + "...");
  benchmark::AddCustomContext("article", std::to_string(count_chars(texts.article)) +
                                             " chars (non-blank lines joined with \\n), " +
                                             std::to_string(texts.article.size()) + " bytes");

  struct Case {
    const char* name;
    const std::string* text;
  };
  for (const Case& c : {Case{"paragraph", &texts.paragraph}, Case{"article", &texts.article}}) {
    std::string n = c.name;
    benchmark::RegisterBenchmark(("ours/" + n + "/layout").c_str(), ours_layout, c.text)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("ours/" + n + "/layout_draw/warm_cache").c_str(),
                                 ours_layout_draw, c.text, CacheMode::warm)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("ours/" + n + "/layout_draw/cold_cache").c_str(),
                                 ours_layout_draw, c.text, CacheMode::cold)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("ours/" + n + "/layout_draw/warm_cache/reused_image").c_str(),
                                 ours_layout_draw_reused_image, c.text)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("reference/" + n + "/rgba_image_alloc").c_str(), image_alloc_only,
                                 c.text)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("sdl2_ttf/paragraph/render_wrapped", sdl_render_wrapped,
                               &texts.paragraph)
      ->Unit(benchmark::kMicrosecond);
  if (config.sdl_article) {
    // About 18 s per call: one iteration per repetition.
    benchmark::RegisterBenchmark("sdl2_ttf/article/render_wrapped", sdl_render_wrapped,
                                 &texts.article)
        ->Unit(benchmark::kMicrosecond)
        ->Iterations(1);
  }

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  TTF_CloseFont(g_sdl_font);
  TTF_Quit();
  return 0;
}
