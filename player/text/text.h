// The text engine: UTF-8 in, lines of positioned glyphs out, and glyphs rasterized into an atlas.
//
// Call order:
//   auto engine = TextEngine::create(fonts_dir, &error);     // fontconfig resolves the chains once
//   Layout layout = lay_out(*engine, text, options);          // itemize, shape, break, position
//   GlyphCache cache(engine->fonts(), atlas_limits);          // rasterized glyphs in atlas pages
//   draw_layout(layout, cache, image, x, y, color);           // or a renderer reads cache pages
//
// One TextEngine and its GlyphCache belong to one thread at a time; they hold no global state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace signage::text {

// ---------------------------------------------------------------------------------------------
// Fonts

// Index of a face in FontLibrary::faces(). Stable for the library's lifetime.
using FaceIndex = std::uint16_t;

struct FaceInfo {
  std::string family;  // as fontconfig names it, e.g. "Noto Sans CJK SC"
  std::string file;
  int index_in_file = 0;  // the face inside a .ttc collection
  bool color = false;     // bitmap or layered colour glyphs (emoji)
};

class FontLibrary;  // defined in fonts.h: faces, fallback chains, HarfBuzz and FreeType objects

// ---------------------------------------------------------------------------------------------
// Line breaking (ICU's UAX #14 for the language, plus the clreq rules UAX #14 leaves out)

struct BreakOpportunity {
  std::size_t offset = 0;  // byte offset in the UTF-8 text: a line may start here
  bool mandatory = false;  // after a newline or other hard break
};

// ---------------------------------------------------------------------------------------------
// Layout

// How lines are filled. `greedy`: each line takes as much as fits. `pretty` (CSS text-wrap:
// pretty): greedy, but the last line of a paragraph is never one character alone (孤字), with or
// without its punctuation: a break opportunity is pulled back from the line before. `balance`
// (text-wrap: balance, for titles): the same number of lines as greedy, as even as possible, and
// no lone last character either.
enum class Wrap : std::uint8_t { greedy, pretty, balance };

struct LayoutOptions {
  float width = 1000;    // line length in px (column height when vertical); must be > 0
  float font_size = 40;  // em size in px
  std::string lang = "zh-Hans";
  bool vertical = false;               // top-to-bottom columns, right to left
  bool autospace = false;              // quarter-em between Han and Latin letters or digits
  bool normalize_punctuation = false;  // ASCII ,.;:?! between Han characters become full width
  int weight = 400;                    // CSS weight: 400 regular, 700 bold
  Wrap wrap = Wrap::greedy;
  // An opening bracket or quote that starts a line loses its blank left half (the font's `halt`
  // form), so the line's ink starts at its edge, as a closing mark's blank half goes at a line end.
  bool trim_line_start = false;
  // 0: no limit. Else at most this many lines: a longer text is cut at a break opportunity of the
  // last line, its trailing punctuation dropped, and "……" ("…" outside CJK) ends it.
  int max_lines = 0;
};

struct PositionedGlyph {
  FaceIndex face = 0;
  std::uint32_t glyph = 0;    // glyph id in that face
  std::uint32_t cluster = 0;  // byte offset into Layout::text of the characters it draws
  float x = 0;                // origin relative to the line's origin, y grows downwards;
  float y = 0;                // horizontal: origin on the baseline; vertical: column centre
  bool sideways = false;      // drawn rotated 90 degrees clockwise (Latin in vertical text)
};

struct Run {
  std::size_t begin = 0;  // byte range in Layout::text, logical order
  std::size_t end = 0;
  FaceIndex face = 0;
};

struct Line {
  std::size_t begin = 0;  // byte range in Layout::text without the whitespace dropped at the break
  std::size_t end = 0;
  float width = 0;    // advance in px after punctuation compression and end-of-line trimming
  float ascent = 0;   // above the baseline (horizontal) or left of the column centre (vertical)
  float descent = 0;  // below the baseline, or right of the centre; both positive
  std::vector<PositionedGlyph> glyphs;  // visual order
  std::vector<Run> runs;                // logical order, adjacent runs of one face merged
};

struct Layout {
  std::string text;  // the laid-out text (after optional punctuation normalization)
  LayoutOptions options;
  std::vector<Line> lines;
  int missing_glyphs = 0;  // characters that no installed font could draw
  float line_height = 0;   // distance between baselines (or column centres)
  // Cut by LayoutOptions::max_lines: `text` is then the kept part plus the ellipsis, and
  // `shown_bytes` the kept part's length (what of the laid-out text the lines show).
  bool truncated = false;
  std::size_t shown_bytes = 0;
};

// ---------------------------------------------------------------------------------------------
// The engine: fonts plus reusable shaping and breaking state.

class TextEngine {
 public:
  // Reads the fallback chains from `fonts_dir`/fallback-chains.conf and resolves every family with
  // fontconfig. Families that are not installed are skipped with a warning in warnings().
  // Returns nullptr and sets *error when no usable chain remains.
  static std::unique_ptr<TextEngine> create(const std::filesystem::path& fonts_dir,
                                            std::string* error);
  ~TextEngine();
  TextEngine(const TextEngine&) = delete;
  TextEngine& operator=(const TextEngine&) = delete;

  FontLibrary& fonts();
  const std::vector<std::string>& warnings() const;

  struct State;  // shaping buffers and caches, private to the implementation
  State& state();

 private:
  explicit TextEngine(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The directory holding fallback-chains.conf: $SIGNAGE_FONTS_DIR, else next to the installed
// program (../share/signage-player/fonts), else the source tree's fonts/.
std::filesystem::path default_fonts_dir();

// Returns an empty string when `text` is valid UTF-8 without NUL bytes, else what is wrong and at
// which byte offset.
std::string check_utf8(std::string_view text);

// Every position where a line may break, in increasing order; the end of the text is always last.
// `lang` is a BCP 47 tag; Chinese and Japanese get the strict rules and the clreq tailoring.
std::vector<BreakOpportunity> break_opportunities(TextEngine& engine, std::string_view text,
                                                  std::string_view lang);

// Byte offsets where a word starts, by ICU's word iterator (a dictionary for Chinese and
// Japanese: 经济 and 工作 are words). Balanced titles prefer to break there.
std::vector<std::size_t> word_starts(TextEngine& engine, std::string_view text,
                                     std::string_view lang);

// ASCII ,;:?!(). written between Han characters (as in "会议指出,2024年以来,") become the
// full-width marks; decimal points, times and Latin text keep theirs.
std::string normalize_punctuation(std::string_view text);

// Lays out one paragraph (it may contain "\n" forced breaks). `text` must pass check_utf8.
Layout lay_out(TextEngine& engine, std::string_view text, const LayoutOptions& options);

// The family name that draws `face`.
const FaceInfo& face_info(TextEngine& engine, FaceIndex face);

// ---------------------------------------------------------------------------------------------
// Rasterization and the glyph atlas

struct RgbaImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // straight (non-premultiplied) RGBA, row-major, no padding

  RgbaImage() = default;
  RgbaImage(int w, int h) : width(w), height(h), pixels(std::size_t(w) * h * 4, 0) {}
  std::uint8_t* at(int x, int y) { return pixels.data() + (std::size_t(y) * width + x) * 4; }
  const std::uint8_t* at(int x, int y) const {
    return pixels.data() + (std::size_t(y) * width + x) * 4;
  }
};

struct Color {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;
};

struct GlyphKey {
  FaceIndex face = 0;
  std::uint32_t glyph = 0;
  std::uint16_t size_64 = 0;  // em size in 1/64 px
  std::uint8_t subpixel = 0;  // horizontal phase in quarters of a pixel
  bool sideways = false;
  bool operator==(const GlyphKey&) const = default;
};

struct GlyphKeyHash {
  std::size_t operator()(const GlyphKey& k) const noexcept;
};

// Where a rasterized glyph sits in the atlas: its coverage on a coverage page, or its own
// colours on a colour page when `color` (emoji).
struct AtlasSlot {
  std::uint16_t page = 0;
  std::uint16_t x = 0, y = 0, width = 0, height = 0;  // 0x0 for blank glyphs (spaces)
  std::int16_t left = 0;  // from the pen position to the bitmap's top-left corner, y down
  std::int16_t top = 0;
  bool color = false;
};

struct AtlasLimits {
  int page_size = 1024;  // square pages; keep at or below the renderer's maximum texture size
  // Pages of each kind (coverage, colour); past this the least recently used page of the kind
  // is emptied and reused.
  int max_pages = 4;
};

struct AtlasCounters {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t rasterizations = 0;
  std::uint64_t evictions = 0;  // glyphs dropped from the atlas to make room
  std::uint64_t oversized = 0;  // glyphs larger than a page: not drawn
};

// Glyphs of one kind: one byte of coverage per pixel (nearly all text: a quarter of the memory
// of RGBA), or straight RGBA for colour glyphs.
struct AtlasPage {
  bool color = false;
  int size = 0;                      // width and height in px
  std::vector<std::uint8_t> pixels;  // row-major, channels() bytes per pixel
  int channels() const { return color ? 4 : 1; }
  std::uint8_t* at(int x, int y) {
    return pixels.data() + (std::size_t(y) * std::size_t(size) + std::size_t(x)) * channels();
  }
  const std::uint8_t* at(int x, int y) const {
    return pixels.data() + (std::size_t(y) * std::size_t(size) + std::size_t(x)) * channels();
  }
  std::uint64_t last_used = 0;  // GlyphCache tick of the most recent lookup that hit this page
  int shelf_y = 0, shelf_height = 0, shelf_x = 0;  // shelf packing cursor
  std::vector<GlyphKey> keys;                      // what to forget when the page is emptied
};

class GlyphCache {
 public:
  GlyphCache(FontLibrary& fonts, AtlasLimits limits);
  ~GlyphCache();
  GlyphCache(const GlyphCache&) = delete;
  GlyphCache& operator=(const GlyphCache&) = delete;

  // The glyph's slot, rasterizing it on a miss. nullopt when it cannot be drawn (too large).
  std::optional<AtlasSlot> get(const GlyphKey& key);

  const std::vector<AtlasPage>& pages() const { return pages_; }
  const AtlasCounters& counters() const { return counters_; }
  const AtlasLimits& limits() const { return limits_; }

 private:
  struct Rasterizer;
  std::unique_ptr<Rasterizer> rasterizer_;
  AtlasLimits limits_;
  std::vector<AtlasPage> pages_;
  std::unordered_map<GlyphKey, AtlasSlot, GlyphKeyHash> slots_;
  AtlasCounters counters_;
  std::uint64_t tick_ = 0;
  std::size_t open_page_[2] = {0, 0};  // the page new glyphs are packed into, by kind (color)
};

// The picture rows drawn glyphs cover, clipped or not: [begin, end).
struct Rows {
  int begin = 0, end = 0;
};

// Draws `layout` with its first line's top-left (horizontal) or top-right (vertical) corner at
// (x, y) of a picture, blending over what is there. `image` holds that picture's rows from
// `image_top` down (a strip of a taller picture, or all of it), and glyphs land on exactly the
// pixels the whole picture would give them. Returns the rows the glyphs cover.
Rows draw_layout(const Layout& layout, GlyphCache& cache, RgbaImage& image, float x, float y,
                 Color color, int image_top = 0);

// The size `layout` covers when drawn: width x height in px, rounded up.
struct Extent {
  int width = 0;
  int height = 0;
};
Extent layout_extent(const Layout& layout);

}  // namespace signage::text
