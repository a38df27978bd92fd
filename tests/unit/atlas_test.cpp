// The glyph atlas: bounded pages, LRU eviction, counters, and glyphs that survive eviction.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "support/engine.h"
#include "support/unicode.h"
#include "text/text.h"

namespace signage::text {
namespace {

using test_support::engine;

Layout lay(const std::string& text, float size = 40, float width = 4000) {
  LayoutOptions options;
  options.width = width;
  options.font_size = size;
  return lay_out(engine(), text, options);
}

constexpr std::uint16_t size_64(float px) {
  return std::uint16_t(px * 64);
}

// Keys for the glyphs of `text` laid out at `px`, in order, as draw_layout would ask for them
// (sub-pixel phase 0: Han advances are whole pixels at 40 px).
std::vector<GlyphKey> keys_for(const std::string& text, float px) {
  Layout layout = lay(text, px);
  EXPECT_EQ(layout.missing_glyphs, 0);
  std::vector<GlyphKey> keys;
  for (const auto& line : layout.lines) {
    for (const auto& g : line.glyphs) keys.push_back({g.face, g.glyph, size_64(px), 0, false});
  }
  return keys;
}

// 10,000 distinct Han characters from U+4E00 (every one is assigned and in Noto Sans CJK SC).
const std::vector<GlyphKey>& ten_thousand_han() {
  static const std::vector<GlyphKey> keys = [] {
    std::string text;
    for (char32_t c = 0x4E00; c < 0x4E00 + 10000; ++c) text += test_support::utf8(c);
    return keys_for(text, 40);
  }();
  return keys;
}

// A copy of a slot's pixels.
std::vector<std::uint8_t> pixels_of(const GlyphCache& cache, const AtlasSlot& slot) {
  std::vector<std::uint8_t> out;
  const AtlasPage& page = cache.pages().at(slot.page);
  for (int y = 0; y < slot.height; ++y) {
    const std::uint8_t* row = page.at(slot.x, slot.y + y);
    out.insert(out.end(), row, row + slot.width * page.channels());
  }
  return out;
}

void expect_pages_within_limits(const GlyphCache& cache, const AtlasLimits& limits) {
  int coverage_pages = 0;
  for (const auto& page : cache.pages()) {
    coverage_pages += !page.color;
    EXPECT_EQ(page.size, limits.page_size);
    // Text (no colour glyph here) is one byte of coverage per pixel.
    EXPECT_FALSE(page.color);
    EXPECT_EQ(page.pixels.size(), std::size_t(limits.page_size) * limits.page_size);
  }
  EXPECT_LE(coverage_pages, limits.max_pages);
}

// Every glyph resident on the pages sits inside its page, overlaps no other, and has a blank
// 1-pixel border so that a renderer's filtering never bleeds a neighbour in.
void expect_resident_slots_disjoint_and_padded(GlyphCache& cache) {
  struct Rect {
    int x0, y0, x1, y1;
  };
  std::vector<std::vector<GlyphKey>> keys_by_page;
  for (const auto& page : cache.pages()) keys_by_page.push_back(page.keys);
  for (std::size_t p = 0; p < keys_by_page.size(); ++p) {
    std::vector<Rect> rects;
    for (const auto& key : keys_by_page[p]) {
      auto slot = cache.get(key);  // resident: a hit that changes nothing
      ASSERT_TRUE(slot.has_value());
      ASSERT_EQ(slot->page, p);
      ASSERT_GT(slot->width, 0);
      const AtlasPage& page = cache.pages()[p];
      const int alpha = page.channels() - 1;
      ASSERT_GE(slot->x, 1);
      ASSERT_GE(slot->y, 1);
      ASSERT_LT(slot->x + slot->width, page.size);
      ASSERT_LT(slot->y + slot->height, page.size);
      for (int x = slot->x - 1; x <= slot->x + slot->width; ++x) {
        EXPECT_EQ(page.at(x, slot->y - 1)[alpha], 0) << "top border at " << x;
        EXPECT_EQ(page.at(x, slot->y + slot->height)[alpha], 0) << "bottom border at " << x;
      }
      for (int y = slot->y - 1; y <= slot->y + slot->height; ++y) {
        EXPECT_EQ(page.at(slot->x - 1, y)[alpha], 0) << "left border at " << y;
        EXPECT_EQ(page.at(slot->x + slot->width, y)[alpha], 0) << "right border at " << y;
      }
      rects.push_back(
          {slot->x - 1, slot->y - 1, slot->x + slot->width + 1, slot->y + slot->height + 1});
    }
    for (std::size_t i = 0; i < rects.size(); ++i) {
      for (std::size_t j = i + 1; j < rects.size(); ++j) {
        const Rect &a = rects[i], &b = rects[j];
        // Padded boxes may share their border pixels but not a glyph pixel.
        bool apart = a.x1 - 1 <= b.x0 || b.x1 - 1 <= a.x0 || a.y1 - 1 <= b.y0 || b.y1 - 1 <= a.y0;
        ASSERT_TRUE(apart) << "page " << p << ": slots " << i << " and " << j << " overlap";
      }
    }
  }
}

TEST(Atlas, TenThousandHanCharactersThroughTwoPagesOf2048) {
  const auto& keys = ten_thousand_han();
  ASSERT_EQ(keys.size(), 10000u);
  std::set<std::uint32_t> distinct;
  for (const auto& k : keys) distinct.insert(k.glyph);
  EXPECT_GT(distinct.size(), 9900u) << "the characters should be distinct glyphs";

  const AtlasLimits limits{2048, 2};
  GlyphCache cache(engine().fonts(), limits);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto slot = cache.get(keys[i]);
    ASSERT_TRUE(slot.has_value()) << "glyph " << i;
    ASSERT_GT(slot->width, 0) << "glyph " << i;
    ASSERT_LT(slot->page, limits.max_pages);
    ASSERT_LE(slot->x + slot->width, limits.page_size);
    ASSERT_LE(slot->y + slot->height, limits.page_size);
    if (i % 1000 == 0) expect_pages_within_limits(cache, limits);
  }
  expect_pages_within_limits(cache, limits);
  const AtlasCounters counters = cache.counters();
  EXPECT_EQ(counters.misses, distinct.size());
  EXPECT_EQ(counters.rasterizations, distinct.size());
  EXPECT_EQ(counters.hits, keys.size() - distinct.size());
  EXPECT_GT(counters.evictions, 0u);
  EXPECT_LT(counters.evictions, distinct.size());
  EXPECT_EQ(counters.oversized, 0u);
  // Bounded: the resident glyphs are what two pages hold, not all 10,000.
  std::size_t resident = 0;
  for (const auto& page : cache.pages()) resident += page.keys.size();
  EXPECT_EQ(resident + counters.evictions, distinct.size());
  EXPECT_LT(resident, distinct.size());
  expect_resident_slots_disjoint_and_padded(cache);
}

TEST(Atlas, HitsAreCountedOnReuse) {
  const auto& keys = ten_thousand_han();
  GlyphCache cache(engine().fonts(), AtlasLimits{2048, 2});
  auto first = cache.get(keys[0]);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(cache.counters().hits, 0u);
  EXPECT_EQ(cache.counters().misses, 1u);
  for (int i = 0; i < 5; ++i) {
    auto again = cache.get(keys[0]);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->page, first->page);
    EXPECT_EQ(again->x, first->x);
    EXPECT_EQ(again->y, first->y);
  }
  EXPECT_EQ(cache.counters().hits, 5u);
  EXPECT_EQ(cache.counters().misses, 1u);
  EXPECT_EQ(cache.counters().rasterizations, 1u);
  // Another size, sub-pixel phase or orientation is another glyph.
  GlyphKey other = keys[0];
  other.subpixel = 2;
  ASSERT_TRUE(cache.get(other).has_value());
  other = keys[0];
  other.size_64 = size_64(41);
  ASSERT_TRUE(cache.get(other).has_value());
  other = keys[0];
  other.sideways = true;
  ASSERT_TRUE(cache.get(other).has_value());
  EXPECT_EQ(cache.counters().misses, 4u);
  EXPECT_EQ(cache.counters().hits, 5u);
}

TEST(Atlas, GlyphRasterizedAgainAfterEvictionHasTheSamePixels) {
  for (int page_size : {2048, 256}) {
    SCOPED_TRACE(page_size);
    const auto& keys = ten_thousand_han();
    GlyphCache cache(engine().fonts(), AtlasLimits{page_size, 2});
    auto first = cache.get(keys[0]);
    ASSERT_TRUE(first.has_value());
    const auto original = pixels_of(cache, *first);
    ASSERT_FALSE(original.empty());
    // Push enough others through to evict it.
    std::size_t n = 1;
    while (cache.counters().evictions == 0 || n < 3) {
      ASSERT_LT(n, keys.size()) << "never evicted";
      ASSERT_TRUE(cache.get(keys[n++]).has_value());
    }
    for (std::size_t more = 0; more < 3 * std::size_t(page_size / 40) * (page_size / 40); ++more) {
      ASSERT_TRUE(cache.get(keys[n++ % keys.size()]).has_value());
    }
    const auto misses = cache.counters().misses;
    auto again = cache.get(keys[0]);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(cache.counters().misses, misses + 1) << "keys[0] should have been evicted";
    EXPECT_EQ(again->width, first->width);
    EXPECT_EQ(again->height, first->height);
    EXPECT_EQ(again->left, first->left);
    EXPECT_EQ(again->top, first->top);
    EXPECT_EQ(pixels_of(cache, *again), original);
  }
}

TEST(Atlas, SmallPagesEvictAndStayWithinLimits) {
  const auto& keys = ten_thousand_han();
  const AtlasLimits limits{256, 2};
  GlyphCache cache(engine().fonts(), limits);
  for (std::size_t i = 0; i < 2000; ++i) {
    auto slot = cache.get(keys[i]);
    ASSERT_TRUE(slot.has_value()) << "glyph " << i;
    ASSERT_LE(slot->x + slot->width, limits.page_size);
    ASSERT_LE(slot->y + slot->height, limits.page_size);
  }
  expect_pages_within_limits(cache, limits);
  // A 256 px page holds at most (256 / 41)^2 = 36 glyphs of a 40 px font with padding.
  EXPECT_GT(cache.counters().evictions, 2000u - 2 * 36);
  EXPECT_EQ(cache.counters().oversized, 0u);
  expect_resident_slots_disjoint_and_padded(cache);
}

TEST(Atlas, AGlyphInUseStaysResidentWhileOthersAreEvicted) {
  // LRU: a glyph needed on every frame (the ticker's "的") is never the one thrown out when
  // there is a second page to empty instead.
  const auto& keys = ten_thousand_han();
  GlyphCache cache(engine().fonts(), AtlasLimits{256, 2});
  const GlyphKey hot = keys.back();
  ASSERT_TRUE(cache.get(hot).has_value());
  for (std::size_t i = 0; i < 500; ++i) {
    ASSERT_TRUE(cache.get(keys[i]).has_value());
    ASSERT_TRUE(cache.get(hot).has_value());
  }
  EXPECT_GT(cache.counters().evictions, 0u);
  EXPECT_EQ(cache.counters().misses, 501u) << "the hot glyph was rasterized more than once";
  EXPECT_EQ(cache.counters().hits, 500u);
}

TEST(Atlas, DrawingThroughAThrashingAtlasGivesTheSameImage) {
  // 120 distinct characters on one line through a single page that holds 36: the atlas is
  // emptied in the middle of the line, and every glyph must still be drawn right.
  std::string text;
  for (char32_t c = 0x6C00; c < 0x6C00 + 120; ++c) text += test_support::utf8(c);
  Layout layout = lay(text, 40, 1200);
  ASSERT_EQ(layout.missing_glyphs, 0);
  auto extent = layout_extent(layout);
  auto draw = [&](AtlasLimits limits, AtlasCounters* counters) {
    RgbaImage image(extent.width + 20, extent.height + 20);
    std::fill(image.pixels.begin(), image.pixels.end(), 255);
    GlyphCache cache(engine().fonts(), limits);
    draw_layout(layout, cache, image, 10, 10, Color{0, 0, 0, 255});
    if (counters) *counters = cache.counters();
    return image;
  };
  AtlasCounters roomy_counters, tight_counters;
  RgbaImage roomy = draw(AtlasLimits{2048, 1}, &roomy_counters);
  RgbaImage tight = draw(AtlasLimits{256, 1}, &tight_counters);
  EXPECT_EQ(roomy_counters.evictions, 0u);
  EXPECT_GT(tight_counters.evictions, 0u);
  ASSERT_EQ(roomy.pixels.size(), tight.pixels.size());
  EXPECT_TRUE(roomy.pixels == tight.pixels) << "eviction changed what was drawn";
  std::size_t ink = 0;
  for (std::size_t i = 0; i < roomy.pixels.size(); i += 4) ink += roomy.pixels[i] < 128;
  EXPECT_GT(ink, 120u * 50) << "the line was not drawn";
}

TEST(Atlas, OversizedGlyphIsRefusedAndCounted) {
  GlyphCache cache(engine().fonts(), AtlasLimits{256, 2});
  auto big = keys_for("永", 400);
  ASSERT_EQ(big.size(), 1u);
  EXPECT_FALSE(cache.get(big[0]).has_value());
  EXPECT_EQ(cache.counters().oversized, 1u);
  EXPECT_TRUE(cache.pages().empty()) << "nothing was stored";
  // Colour emoji are scaled bitmaps: one larger than a page is refused the same way.
  auto emoji = keys_for("😀", 400);
  ASSERT_EQ(emoji.size(), 1u);
  EXPECT_FALSE(cache.get(emoji[0]).has_value());
  EXPECT_EQ(cache.counters().oversized, 2u);
  // The cache still works for glyphs that fit, and drawing a layout that has an oversized
  // glyph draws the rest.
  auto small = keys_for("永", 40);
  EXPECT_TRUE(cache.get(small[0]).has_value());
  Layout layout = lay("永", 400);
  RgbaImage image(600, 600);
  draw_layout(layout, cache, image, 0, 0, Color{0, 0, 0, 255});
  EXPECT_EQ(cache.counters().oversized, 3u);
}

TEST(Atlas, GlyphJustUnderThePageSizeFits) {
  // A 40 px Han glyph (about 36 px of ink plus 1 px of padding on each side) fits a 64 px page.
  GlyphCache cache(engine().fonts(), AtlasLimits{64, 1});
  auto keys = keys_for("永", 40);
  auto slot = cache.get(keys[0]);
  ASSERT_TRUE(slot.has_value());
  EXPECT_GT(slot->width, 30);
  EXPECT_LE(slot->x + slot->width + 1, 64);
  EXPECT_EQ(cache.counters().oversized, 0u);
}

TEST(Atlas, BlankGlyphsHaveEmptySlotsAndUseNoPage) {
  GlyphCache cache(engine().fonts(), AtlasLimits{256, 1});
  for (const char* blank : {" ", "\u3000"}) {
    SCOPED_TRACE(blank);
    Layout layout = lay(std::string("甲") + blank + "乙");
    ASSERT_EQ(layout.lines.size(), 1u);
    ASSERT_EQ(layout.lines[0].glyphs.size(), 3u);
    const auto& g = layout.lines[0].glyphs[1];
    GlyphKey key{g.face, g.glyph, size_64(40), 0, false};
    auto slot = cache.get(key);
    ASSERT_TRUE(slot.has_value());
    EXPECT_EQ(slot->width, 0);
    EXPECT_EQ(slot->height, 0);
    auto again = cache.get(key);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->width, 0);
  }
  EXPECT_TRUE(cache.pages().empty());
  EXPECT_EQ(cache.counters().misses, 2u);
  EXPECT_EQ(cache.counters().hits, 2u);
  // Drawing them draws nothing and does not crash.
  Layout spaces = lay("   \u3000 ");
  RgbaImage image(300, 100);
  draw_layout(spaces, cache, image, 0, 0, Color{0, 0, 0, 255});
  EXPECT_TRUE(std::all_of(image.pixels.begin(), image.pixels.end(), [](auto v) { return v == 0; }));
}

}  // namespace
}  // namespace signage::text
