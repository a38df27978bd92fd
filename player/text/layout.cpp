// Paragraph layout: grapheme clusters -> bidi levels, scripts, fonts -> shaped runs ->
// punctuation compression -> greedy lines at break opportunities -> positioned glyphs.
// Every step is linear in the text: it is shaped once, never per line.
#include <unicode/ubidi.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "engine_state.h"
#include "text_internal.h"

namespace signage::text {
namespace {

enum class Punct : std::uint8_t { none, opening, closing };

// Full-width punctuation whose glyph fills half its em box; the other half is the space that
// GB/T 15834 lets a line end drop and that clreq collapses between neighbours.
Punct punct_class(char32_t c, bool traditional) {
  constexpr std::u32string_view opening = U"（「『《“‘【〔〖〈［｛";
  constexpr std::u32string_view closing = U"）」』》”’】〕〗〉］｝";
  // Pause and stop marks sit in the first half of the em box in Simplified Chinese and Japanese,
  // centred in Traditional Chinese. Whether a mark has a blank half at all is the font's say: its
  // `halt` form (see compress_punctuation).
  constexpr std::u32string_view stops = U"，。、：；！？";
  if (opening.find(c) != std::u32string_view::npos) return Punct::opening;
  if (closing.find(c) != std::u32string_view::npos) return Punct::closing;
  if (!traditional && stops.find(c) != std::u32string_view::npos) return Punct::closing;
  return Punct::none;
}

bool is_wide(char32_t c) {
  auto width = u_getIntPropertyValue(UChar32(c), UCHAR_EAST_ASIAN_WIDTH);
  return width == U_EA_WIDE || width == U_EA_FULLWIDTH;
}

// Curly quotes have ambiguous width but are full width inside Chinese text.
bool is_wide_or_quote(char32_t c) {
  return is_wide(c) || (c >= 0x2018 && c <= 0x201D);
}

UScriptCode script_of(char32_t c) {
  UErrorCode status = U_ZERO_ERROR;
  return uscript_getScript(UChar32(c), &status);
}

bool is_han_like(char32_t c) {
  auto script = script_of(c);
  return script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA;
}

bool is_latin_or_digit(char32_t c) {
  if (c >= '0' && c <= '9') return true;
  auto script = script_of(c);
  return u_isalpha(UChar32(c)) &&
         (script == USCRIPT_LATIN || script == USCRIPT_GREEK || script == USCRIPT_CYRILLIC);
}

bool is_newline(char32_t c) {
  auto lb = u_getIntPropertyValue(UChar32(c), UCHAR_LINE_BREAK);
  return lb == U_LB_MANDATORY_BREAK || lb == U_LB_CARRIAGE_RETURN || lb == U_LB_LINE_FEED ||
         lb == U_LB_NEXT_LINE;
}

bool is_collapsible_space(char32_t c) {
  return c == '\t' || u_getIntPropertyValue(UChar32(c), UCHAR_LINE_BREAK) == U_LB_SPACE;
}

struct Cluster {
  std::uint32_t begin = 0, end = 0;  // bytes
  char32_t first = 0;
  FaceIndex face = 0;
  UBiDiLevel level = 0;
  UScriptCode script = USCRIPT_COMMON;
  bool sideways = false;
  bool space = false;
  bool newline = false;
  Punct punct = Punct::none;
  std::uint32_t glyph_begin = 0, glyph_end = 0;  // in Shaped::glyphs; empty for merged clusters
  float advance = 0;                             // px along the line
  float trim = 0;                                // px dropped when the cluster ends a line
  float lead =
      0;  // px an opening mark drops when it starts a line (LayoutOptions::trim_line_start)
  HalfWidthForm half;     // that mark's `halt` form, in px
  float space_after = 0;  // autospace px, dropped when the cluster ends a line
  float kern_after = 0;   // px of kerning with the next cluster's glyph, dropped at a line end
};

struct ShapedGlyph {
  FaceIndex face = 0;
  std::uint32_t id = 0;
  std::uint32_t cluster = 0;         // index into clusters
  float advance = 0;                 // px along the line
  float x_offset = 0, y_offset = 0;  // px, HarfBuzz's y-up convention
};

struct ShapedRun {
  std::uint32_t cluster_begin = 0, cluster_end = 0;
  UBiDiLevel level = 0;
};

struct Paragraph {
  std::string_view text;
  const LayoutOptions* options = nullptr;
  const std::vector<FaceIndex>* chain = nullptr;  // the language's fallback faces, never empty
  std::vector<Cluster> clusters;
  std::vector<ShapedGlyph> glyphs;
  std::vector<ShapedRun> runs;
  int missing = 0;
};

struct UbidiCloser {
  void operator()(UBiDi* b) const { ubidi_close(b); }
};

void split_clusters(TextEngine::State& state, Paragraph& p) {
  UtextPtr utext = open_utf8(p.text);
  UErrorCode status = U_ZERO_ERROR;
  state.graphemes->setText(utext.get(), status);
  std::int32_t previous = 0;
  for (auto at = state.graphemes->next(); at != icu::BreakIterator::DONE;
       at = state.graphemes->next()) {
    Cluster c;
    c.begin = std::uint32_t(previous);
    c.end = std::uint32_t(at);
    c.first = code_point_at(p.text, c.begin);
    c.newline = is_newline(c.first);
    c.space = is_collapsible_space(c.first);
    p.clusters.push_back(c);
    previous = at;
  }
  state.graphemes->setText(icu::UnicodeString());
}

// UAX #9 levels from ICU, one per cluster.
void assign_bidi_levels(Paragraph& p) {
  std::u16string utf16;
  std::vector<std::int32_t> utf16_index_of_cluster;
  utf16.reserve(p.text.size());
  bool any_rtl = false;
  for (const auto& cluster : p.clusters) {
    utf16_index_of_cluster.push_back(std::int32_t(utf16.size()));
    for (auto i = std::int32_t(cluster.begin); i < std::int32_t(cluster.end);) {
      UChar32 c = 0;
      U8_NEXT(reinterpret_cast<const std::uint8_t*>(p.text.data()), i, std::int32_t(p.text.size()),
              c);
      auto direction = u_charDirection(c);
      any_rtl = any_rtl || direction == U_RIGHT_TO_LEFT || direction == U_RIGHT_TO_LEFT_ARABIC ||
                direction == U_RIGHT_TO_LEFT_EMBEDDING || direction == U_RIGHT_TO_LEFT_OVERRIDE ||
                direction == U_RIGHT_TO_LEFT_ISOLATE;
      UChar units[2];
      std::int32_t n = 0;
      U16_APPEND_UNSAFE(units, n, c < 0 ? 0xFFFD : c);
      utf16.append(units, units + n);
    }
  }
  if (!any_rtl) return;  // every level stays 0
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UBiDi, UbidiCloser> bidi(ubidi_openSized(std::int32_t(utf16.size()), 0, &status));
  ubidi_setPara(bidi.get(), utf16.data(), std::int32_t(utf16.size()), UBIDI_DEFAULT_LTR, nullptr,
                &status);
  const UBiDiLevel* levels = ubidi_getLevels(bidi.get(), &status);
  if (U_FAILURE(status)) return;
  for (std::size_t i = 0; i < p.clusters.size(); ++i) {
    p.clusters[i].level = levels[utf16_index_of_cluster[i]];
  }
}

// Common and Inherited characters (punctuation, digits, marks) take the script around them.
void assign_scripts(Paragraph& p) {
  std::optional<UScriptCode> last;
  for (auto& c : p.clusters) {
    auto script = script_of(c.first);
    if (script != USCRIPT_COMMON && script != USCRIPT_INHERITED && script != USCRIPT_UNKNOWN) {
      last = script;
    }
    c.script = last.value_or(USCRIPT_COMMON);
  }
  std::optional<UScriptCode> next;
  for (auto it = p.clusters.rbegin(); it != p.clusters.rend(); ++it) {
    if (it->script != USCRIPT_COMMON)
      next = it->script;
    else if (next)
      it->script = *next;
  }
}

bool wants_emoji_presentation(std::string_view cluster) {
  bool emoji = u_hasBinaryProperty(UChar32(code_point_at(cluster, 0)), UCHAR_EMOJI_PRESENTATION);
  for (std::size_t i = 0; i < cluster.size();) {
    char32_t c = code_point_at(cluster, i);
    if (c == 0xFE0F) emoji = true;
    if (c == 0xFE0E) return false;
    i += U8_LENGTH(c);
  }
  return emoji;
}

// The first code point of the cluster that `face` cannot draw, or 0.
char32_t first_uncovered(const FontLibrary& fonts, FaceIndex face, std::string_view cluster) {
  for (std::size_t i = 0; i < cluster.size();) {
    char32_t c = code_point_at(cluster, i);
    i += U8_LENGTH(c);
    if (u_hasBinaryProperty(UChar32(c), UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) continue;
    if (!fonts.has_glyph(face, c)) return c;
  }
  return 0;
}

// Per cluster, the first face of the language's chain that has every character of it; then
// whatever fontconfig finds; else the chain's first face draws .notdef and it counts as missing.
void assign_faces(FontLibrary& fonts, Paragraph& p) {
  const auto& options = *p.options;
  const auto& chain = *p.chain;
  // Most clusters are one character: remember the choice (nullopt: no font has it).
  std::unordered_map<char32_t, std::optional<FaceIndex>> single_code_point;
  for (std::size_t i = 0; i < p.clusters.size(); ++i) {
    auto& c = p.clusters[i];
    std::string_view chars = p.text.substr(c.begin, c.end - c.begin);
    c.face = chain.front();
    if (c.newline) continue;
    FaceIndex previous = i > 0 ? p.clusters[i - 1].face : c.face;
    if (c.space && !fonts.face(previous).info.color && !first_uncovered(fonts, previous, chars)) {
      c.face = previous;  // keep a space inside its neighbour's shaping run
      continue;
    }
    bool single = chars.size() == std::size_t(U8_LENGTH(c.first));
    if (single) {
      if (auto found = single_code_point.find(c.first); found != single_code_point.end()) {
        if (!found->second) ++p.missing;
        c.face = found->second.value_or(chain.front());
        continue;
      }
    }
    bool emoji = wants_emoji_presentation(chars);
    auto first_covering = [&](bool color) -> std::optional<FaceIndex> {
      for (FaceIndex face : chain) {
        if (fonts.face(face).info.color == color && !first_uncovered(fonts, face, chars))
          return face;
      }
      return std::nullopt;
    };
    // Emoji presentation prefers colour faces; everything else tries them last.
    std::optional<FaceIndex> chosen = first_covering(emoji);
    if (!chosen) chosen = first_covering(!emoji);
    if (!chosen) {
      char32_t missing = first_uncovered(fonts, chain.front(), chars);
      auto fallback = fonts.system_fallback(missing, options.lang, options.weight);
      if (fallback && !first_uncovered(fonts, *fallback, chars)) chosen = fallback;
    }
    if (!chosen) ++p.missing;
    c.face = chosen.value_or(chain.front());
    if (single) single_code_point[c.first] = chosen;
  }
}

hb_direction_t direction_of(const Cluster& c, bool vertical) {
  if (vertical && !c.sideways) return HB_DIRECTION_TTB;
  return (c.level & 1) ? HB_DIRECTION_RTL : HB_DIRECTION_LTR;
}

float px_per_unit(const FontLibrary& fonts, FaceIndex face, float font_size) {
  return font_size / float(fonts.face(face).units_per_em);
}

// Shapes maximal runs of clusters that share face, bidi level, script and orientation.
void shape(TextEngine::State& state, Paragraph& p) {
  FontLibrary& fonts = *state.fonts;
  const auto& options = *p.options;
  hb_buffer_t* buffer = state.buffer.get();
  hb_language_t language = hb_language_from_string(options.lang.c_str(), -1);
  auto same_run = [](const Cluster& a, const Cluster& b) {
    return a.face == b.face && a.level == b.level && a.script == b.script &&
           a.sideways == b.sideways && !a.newline && !b.newline;
  };
  std::vector<std::int32_t> cluster_of_byte(p.text.size() + 1, 0);
  for (std::size_t i = 0; i < p.clusters.size(); ++i) {
    for (auto b = p.clusters[i].begin; b < p.clusters[i].end; ++b)
      cluster_of_byte[b] = std::int32_t(i);
  }
  for (std::size_t begin = 0, end = 0; begin < p.clusters.size(); begin = end) {
    end = begin + 1;
    while (end < p.clusters.size() && same_run(p.clusters[begin], p.clusters[end])) ++end;
    const Cluster& first = p.clusters[begin];
    p.runs.push_back({std::uint32_t(begin), std::uint32_t(end), first.level});
    if (first.newline) continue;

    hb_buffer_clear_contents(buffer);
    // The whole text goes in as context so that joining and kerning see the neighbours.
    hb_buffer_add_utf8(buffer, p.text.data(), int(p.text.size()), first.begin,
                       int(p.clusters[end - 1].end - first.begin));
    hb_direction_t direction = direction_of(first, options.vertical);
    hb_buffer_set_direction(buffer, direction);
    hb_buffer_set_script(buffer, hb_script_from_string(uscript_getShortName(first.script), -1));
    hb_buffer_set_language(buffer, language);
    hb_font_t* font = fonts.face(first.face).hb_font.get();
    hb_shape(font, buffer, nullptr, 0);

    unsigned count = 0;
    const hb_glyph_info_t* infos = hb_buffer_get_glyph_infos(buffer, &count);
    const hb_glyph_position_t* positions = hb_buffer_get_glyph_positions(buffer, &count);
    float scale = px_per_unit(fonts, first.face, options.font_size);
    bool along_y = direction == HB_DIRECTION_TTB;
    for (unsigned g = 0; g < count; ++g) {
      auto index = std::uint32_t(cluster_of_byte[infos[g].cluster]);
      auto glyph_index = std::uint32_t(p.glyphs.size());
      Cluster& c = p.clusters[index];
      if (c.glyph_end == c.glyph_begin) c.glyph_begin = glyph_index;
      c.glyph_begin = std::min(c.glyph_begin, glyph_index);
      c.glyph_end = std::max(c.glyph_end, glyph_index + 1);
      float advance = along_y ? -float(positions[g].y_advance) : float(positions[g].x_advance);
      c.advance += advance * scale;
      // Kerning (GPOS pair adjustment) with the next cluster lives in this glyph's advance; a
      // line that ends here must not count it.
      if (direction == HB_DIRECTION_LTR && g + 1 < count &&
          cluster_of_byte[infos[g + 1].cluster] != cluster_of_byte[infos[g].cluster]) {
        float nominal = float(hb_font_get_glyph_h_advance(font, infos[g].codepoint));
        c.kern_after = (advance - nominal) * scale;
      }
      p.glyphs.push_back({first.face, infos[g].codepoint, index, advance * scale,
                          float(positions[g].x_offset) * scale,
                          float(positions[g].y_offset) * scale});
    }
  }
}

const HalfWidthForm& half_width_form(TextEngine::State& state, FaceIndex face, char32_t c,
                                     bool vertical, const std::string& lang) {
  auto key = std::make_tuple(face, c, vertical);
  if (auto found = state.half_width_forms.find(key); found != state.half_width_forms.end()) {
    return found->second;
  }
  hb_buffer_t* buffer = state.buffer.get();
  hb_buffer_clear_contents(buffer);
  auto unit = std::uint32_t(c);
  hb_buffer_add_utf32(buffer, &unit, 1, 0, 1);
  hb_buffer_set_direction(buffer, vertical ? HB_DIRECTION_TTB : HB_DIRECTION_LTR);
  hb_buffer_set_script(buffer, HB_SCRIPT_HAN);
  hb_buffer_set_language(buffer, hb_language_from_string(lang.c_str(), -1));
  hb_feature_t feature{vertical ? HB_TAG('v', 'h', 'a', 'l') : HB_TAG('h', 'a', 'l', 't'), 1,
                       HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END};
  hb_shape(state.fonts->face(face).hb_font.get(), buffer, &feature, 1);
  unsigned count = 0;
  const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buffer, &count);
  const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buffer, &count);
  HalfWidthForm form;
  if (count == 1) {
    form.glyph = info[0].codepoint;
    form.advance = vertical ? -float(pos[0].y_advance) : float(pos[0].x_advance);
    form.x_offset = float(pos[0].x_offset);
    form.y_offset = float(pos[0].y_offset);
    hb_glyph_extents_t ink{};
    if (!vertical &&
        hb_font_get_glyph_extents(state.fonts->face(face).hb_font.get(), form.glyph, &ink)) {
      form.ink_left = std::max(0.0f, float(ink.x_bearing) + form.x_offset);
    }
  }
  return state.half_width_forms[key] = form;
}

// clreq / CSS text-spacing-trim: a closing mark before another closing mark, and an opening mark
// after any mark, lose their blank half. A closing mark at a line end may drop it too (trim).
void compress_punctuation(TextEngine::State& state, Paragraph& p) {
  const auto& options = *p.options;
  bool traditional = likely_script(options.lang) == "Hant";
  for (auto& c : p.clusters) c.punct = c.sideways ? Punct::none : punct_class(c.first, traditional);
  for (std::size_t i = 0; i < p.clusters.size(); ++i) {
    Cluster& c = p.clusters[i];
    if (c.punct == Punct::none || c.glyph_end != c.glyph_begin + 1) continue;
    const HalfWidthForm& half =
        half_width_form(state, c.face, c.first, options.vertical, options.lang);
    float scale = px_per_unit(*state.fonts, c.face, options.font_size);
    float saved = c.advance - half.advance * scale;
    if (half.glyph == 0 || saved <= 0.01f) continue;  // the font has no half-width form
    bool before_closing = i + 1 < p.clusters.size() && p.clusters[i + 1].punct == Punct::closing;
    bool after_mark = i > 0 && p.clusters[i - 1].punct != Punct::none;
    bool compress = c.punct == Punct::closing ? before_closing : after_mark;
    if (compress) {
      ShapedGlyph& g = p.glyphs[c.glyph_begin];
      g.id = half.glyph;
      g.advance = half.advance * scale;
      g.x_offset = half.x_offset * scale;
      g.y_offset = half.y_offset * scale;
      c.advance = g.advance;
      c.kern_after = 0;
    } else if (c.punct == Punct::closing) {
      c.trim = saved;
    } else {
      // At a line start the mark's ink, not its half box, meets the line's edge.
      float ink = std::min(half.ink_left, half.advance) * scale;
      c.lead = saved + ink;
      c.half = {half.glyph, half.advance * scale - ink, half.x_offset * scale - ink,
                half.y_offset * scale, 0};
    }
  }
}

void add_autospace(Paragraph& p) {
  float space = p.options->font_size / 4;
  for (std::size_t i = 0; i + 1 < p.clusters.size(); ++i) {
    char32_t a = p.clusters[i].first, b = p.clusters[i + 1].first;
    if ((is_han_like(a) && is_latin_or_digit(b)) || (is_latin_or_digit(a) && is_han_like(b))) {
      p.clusters[i].space_after = space;
    }
  }
}

class LineBuilder {
 public:
  LineBuilder(TextEngine::State& state, const Paragraph& p) : state_(state), p_(p) {
    position_.reserve(p.clusters.size() + 1);
    position_.push_back(0);
    for (const auto& c : p.clusters)
      position_.push_back(position_.back() + c.advance + c.space_after);
  }

  // Clusters [begin, end) without the whitespace and newlines at its end.
  std::size_t visible_end(std::size_t begin, std::size_t end) const {
    while (end > begin && (p_.clusters[end - 1].space || p_.clusters[end - 1].newline)) --end;
    return end;
  }

  float width(std::size_t begin, std::size_t end) const {
    end = visible_end(begin, end);
    if (end == begin) return 0;
    const Cluster& last = p_.clusters[end - 1];
    return float(position_[end] - position_[begin]) - last.space_after - last.trim -
           last.kern_after - lead(begin);
  }

  // What the line's first cluster drops at the line start.
  float lead(std::size_t begin) const {
    if (!p_.options->trim_line_start || begin >= p_.clusters.size()) return 0;
    return p_.clusters[begin].lead;
  }

  Line build(std::size_t begin, std::size_t end) const;

 private:
  TextEngine::State& state_;
  const Paragraph& p_;
  std::vector<double> position_;  // double: sums over a whole article must not drift
};

Line LineBuilder::build(std::size_t begin, std::size_t end) const {
  const auto& options = *p_.options;
  FontLibrary& fonts = *state_.fonts;
  end = visible_end(begin, end);
  Line line;
  line.begin = begin < p_.clusters.size() ? p_.clusters[begin].begin : p_.text.size();
  line.end = end > begin ? p_.clusters[end - 1].end : line.begin;

  // Pieces of shaped runs on this line, reordered visually (UAX #9 L2) by ICU.
  struct Piece {
    std::uint32_t glyph_begin, glyph_end;
  };
  std::vector<Piece> pieces;
  std::vector<UBiDiLevel> levels;
  for (const auto& run : p_.runs) {
    std::size_t from = std::max<std::size_t>(run.cluster_begin, begin);
    std::size_t to = std::min<std::size_t>(run.cluster_end, end);
    if (from >= to) continue;
    Piece piece{UINT32_MAX, 0};
    for (std::size_t c = from; c < to; ++c) {
      const Cluster& cluster = p_.clusters[c];
      if (cluster.glyph_end == cluster.glyph_begin) continue;
      piece.glyph_begin = std::min(piece.glyph_begin, cluster.glyph_begin);
      piece.glyph_end = std::max(piece.glyph_end, cluster.glyph_end);
    }
    if (piece.glyph_begin >= piece.glyph_end) continue;
    pieces.push_back(piece);
    levels.push_back(run.level);
  }
  std::vector<std::int32_t> visual(pieces.size());
  if (!pieces.empty())
    ubidi_reorderVisual(levels.data(), std::int32_t(levels.size()), visual.data());

  float pen = 0;
  for (auto logical : visual) {
    const Piece& piece = pieces[std::size_t(logical)];
    for (auto g = piece.glyph_begin; g < piece.glyph_end; ++g) {
      const ShapedGlyph& glyph = p_.glyphs[g];
      const Cluster& cluster = p_.clusters[glyph.cluster];
      bool last_glyph_of_cluster = g + 1 == cluster.glyph_end;
      bool ends_line = glyph.cluster + 1 == end;
      ShapedGlyph shown = glyph;
      if (glyph.cluster == begin && lead(begin) > 0) {
        shown.id = cluster.half.glyph;
        shown.advance = cluster.half.advance;
        shown.x_offset = cluster.half.x_offset;
        shown.y_offset = cluster.half.y_offset;
      }
      float advance = shown.advance;
      if (ends_line && cluster.glyph_end == cluster.glyph_begin + 1) advance -= cluster.trim;
      if (ends_line && last_glyph_of_cluster) advance -= cluster.kern_after;
      PositionedGlyph out{glyph.face, shown.id, cluster.begin, 0, 0, cluster.sideways};
      if (!options.vertical) {
        out.x = pen + shown.x_offset;
        out.y = -shown.y_offset;
      } else if (!cluster.sideways) {
        out.x = shown.x_offset;
        out.y = pen - shown.y_offset;
      } else {
        // Rotated clockwise: the em box of the horizontal line is centred on the column.
        const LoadedFace& face = fonts.face(glyph.face);
        float centre = (face.ascender - face.descender) / 2 * options.font_size;
        out.x = -centre + glyph.y_offset;
        out.y = pen + glyph.x_offset;
      }
      line.glyphs.push_back(out);
      pen += advance;
      if (last_glyph_of_cluster && !ends_line) pen += cluster.space_after;
    }
  }
  line.width = pen;

  const LoadedFace& primary = fonts.face(p_.chain->front());
  line.ascent = primary.ascender * options.font_size;
  line.descent = primary.descender * options.font_size;
  for (std::size_t c = begin; c < end; ++c) {
    const Cluster& cluster = p_.clusters[c];
    if (!options.vertical) {
      line.ascent = std::max(line.ascent, fonts.face(cluster.face).ascender * options.font_size);
      line.descent = std::max(line.descent, fonts.face(cluster.face).descender * options.font_size);
    }
    if (!line.runs.empty() && line.runs.back().face == cluster.face) {
      line.runs.back().end = cluster.end;
    } else {
      line.runs.push_back({cluster.begin, cluster.end, cluster.face});
    }
  }
  if (options.vertical) line.ascent = line.descent = options.font_size / 2;
  return line;
}

using Span = std::pair<std::size_t, std::size_t>;  // clusters [begin, end) of a line

// A break opportunity as the cluster a line may start at.
struct Stop {
  std::size_t cluster = 0;
  bool mandatory = false;
};

// By byte offset: the cluster that starts there (the end of the text: one past the last), else -1.
std::vector<std::int32_t> clusters_by_offset(const Paragraph& p) {
  std::vector<std::int32_t> cluster_starting_at(p.text.size() + 1, -1);
  for (std::size_t i = 0; i < p.clusters.size(); ++i)
    cluster_starting_at[p.clusters[i].begin] = std::int32_t(i);
  cluster_starting_at[p.text.size()] = std::int32_t(p.clusters.size());
  return cluster_starting_at;
}

// The opportunities as clusters; the end of the text is last and mandatory.
std::vector<Stop> stops_of(const Paragraph& p, const std::vector<BreakOpportunity>& breaks) {
  const std::vector<std::int32_t> cluster_starting_at = clusters_by_offset(p);
  std::vector<Stop> stops;
  for (const auto& b : breaks) {
    std::int32_t at = cluster_starting_at[b.offset];
    if (at > 0) stops.push_back({std::size_t(at), b.mandatory});
  }
  if (stops.empty() || stops.back().cluster != p.clusters.size())
    stops.push_back({p.clusters.size(), true});
  stops.back().mandatory = true;
  return stops;
}

struct Fill {
  std::vector<Span> spans;
  bool cut = false;  // a token longer than the line was cut between clusters
};

// Greedy fill of one paragraph segment from cluster `begin` with the stops [first, last]
// (`last` ends the segment): each line ends at the last opportunity that fits; a token longer
// than the line is cut between grapheme clusters rather than overflowing.
Fill greedy(const LineBuilder& builder, const Stop* first, const Stop* last, std::size_t begin,
            float limit) {
  Fill fill;
  std::size_t start = begin, fit = begin;
  for (const Stop* s = first; s <= last;) {
    std::size_t end = s->cluster;
    if (end <= start) {
      ++s;
    } else if (builder.width(start, end) <= limit) {
      fit = end;
      if (s == last) {
        fill.spans.emplace_back(start, end);
        start = end;
      }
      ++s;
    } else if (fit > start) {
      fill.spans.emplace_back(start, fit);
      start = fit;
    } else {
      std::size_t cut = start + 1;
      while (cut < end && builder.width(start, cut + 1) <= limit) ++cut;
      fill.spans.emplace_back(start, cut);
      start = cut;
      fill.cut = true;
    }
  }
  return fill;
}

bool is_punctuation(char32_t c) {
  return u_ispunct(UChar32(c));
}

// One character alone, with or without punctuation: 孤字.
bool is_lone(const Paragraph& p, Span line) {
  int characters = 0;
  for (std::size_t c = line.first; c < line.second; ++c) {
    const Cluster& cluster = p.clusters[c];
    if (!cluster.space && !cluster.newline && !is_punctuation(cluster.first)) ++characters;
  }
  return characters == 1;
}

// The lines of a segment as even as possible: the narrowest width that gives no more lines.
std::vector<Span> balance(const LineBuilder& builder, const Stop* first, const Stop* last,
                          std::size_t begin, float limit, Fill fill) {
  if (fill.spans.size() < 2 || fill.cut) return std::move(fill.spans);
  const std::size_t lines = fill.spans.size();
  float low = 0, high = limit;
  for (int i = 0; i < 20 && high - low > 0.5f; ++i) {
    float middle = (low + high) / 2;
    Fill narrower = greedy(builder, first, last, begin, middle);
    if (!narrower.cut && narrower.spans.size() <= lines) {
      high = middle;
      fill = std::move(narrower);
    } else {
      low = middle;
    }
  }
  return std::move(fill.spans);
}

// The clusters [begin, last->cluster) in exactly `lines` lines that fit, the last one not lone,
// with the fewest lone lines above it and those as full as possible (least sum of squared slack):
// dynamic programming over the stops [first, last]. Empty when there is no such breaking.
std::vector<Span> exact_lines(const Paragraph& p, const LineBuilder& builder, const Stop* first,
                              const Stop* last, std::size_t begin, std::size_t lines, float limit) {
  const std::size_t n = std::size_t(last - first) + 1;
  auto at = [&](std::size_t k) { return k == 0 ? begin : first[k - 1].cluster; };  // k in 0..n
  constexpr double kNone = 1e300;
  const double kLonePenalty = 1e6 * double(limit) * double(limit);  // above any slack
  // cost[l][k]: the best l lines ending at stop k (k = 0 is the start); from[l][k]: where the
  // last of them starts.
  std::vector<std::vector<double>> cost(lines + 1, std::vector<double>(n + 1, kNone));
  std::vector<std::vector<std::size_t>> from(lines + 1, std::vector<std::size_t>(n + 1, 0));
  cost[0][0] = 0;
  for (std::size_t l = 1; l <= lines; ++l) {
    for (std::size_t k = 1; k <= n; ++k) {
      if (first[k - 1].mandatory && k != n) continue;
      for (std::size_t j = k; j-- > 0;) {
        if (cost[l - 1][j] >= kNone) continue;
        float w = builder.width(at(j), at(k));
        if (w > limit) break;  // starting earlier only widens the line
        const bool lone = is_lone(p, {at(j), at(k)});
        if (lone && k == n) continue;
        double slack = k == n ? 0 : double(limit - w);
        double c = cost[l - 1][j] + slack * slack + (lone ? kLonePenalty : 0);
        if (c < cost[l][k]) cost[l][k] = c, from[l][k] = j;
      }
    }
  }
  if (cost[lines][n] >= kNone) return {};
  std::vector<Span> spans(lines);
  for (std::size_t l = lines, k = n; l > 0; --l) {
    spans[l - 1] = {at(from[l][k]), at(k)};
    k = from[l][k];
  }
  return spans;
}

// A lone last line takes the last opportunity of the line before that leaves neither line lone
// and fits; failing that, the last lines (two, then more, up to six) are set again, as evenly as
// greedy filling allows or else by exact_lines.
void avoid_lone_last_line(const Paragraph& p, const LineBuilder& builder, const Stop* first,
                          const Stop* last, float limit, std::vector<Span>& spans) {
  if (spans.size() < 2 || !is_lone(p, spans.back())) return;
  Span& before = spans[spans.size() - 2];
  const std::size_t end = spans.back().second;
  for (std::ptrdiff_t k = last - first; k >= 0; --k) {
    const Stop* s = first + k;
    if (s->cluster >= before.second || s->mandatory) continue;
    if (s->cluster <= before.first || builder.width(s->cluster, end) > limit) break;
    if (is_lone(p, {s->cluster, end}) || is_lone(p, {before.first, s->cluster})) continue;
    before.second = s->cluster;
    spans.back().first = s->cluster;
    return;
  }
  // Else the tail of the last lines that ends best: its last line not lone, then the fewest lone
  // lines in it, then the shortest tail (balanced where that ends well, else exact_lines).
  auto lone_lines = [&](const std::vector<Span>& lines) {
    return std::count_if(lines.begin(), lines.end(), [&](Span line) { return is_lone(p, line); });
  };
  std::vector<Span> best;
  std::ptrdiff_t best_lone = 0;
  for (std::size_t tail = 2; tail <= std::min<std::size_t>(6, spans.size()); ++tail) {
    const std::size_t begin = spans[spans.size() - tail].first;
    const Stop* from = first;
    while (from <= last && from->cluster <= begin) ++from;
    auto lines =
        balance(builder, from, last, begin, limit, greedy(builder, from, last, begin, limit));
    if (lines.size() != tail || is_lone(p, lines.back())) lines.clear();
    auto exact = exact_lines(p, builder, from, last, begin, tail, limit);
    if (!exact.empty() && (lines.empty() || lone_lines(exact) < lone_lines(lines))) lines = exact;
    if (lines.empty()) continue;
    // Lone lines of the new tail against those above it that it would replace.
    std::ptrdiff_t lone =
        lone_lines(lines) - lone_lines({spans.end() - std::ptrdiff_t(tail), spans.end() - 1});
    if (best.empty() || lone < best_lone) best = std::move(lines), best_lone = lone;
    if (best_lone <= 0 && !best.empty()) break;
  }
  if (best.empty()) return;
  spans.resize(spans.size() - best.size());
  spans.insert(spans.end(), best.begin(), best.end());
}

// The stops [first, last] of the segment from cluster `begin` without those inside a short
// bracketed or quoted term (up to eight characters between its marks).
std::vector<Stop> stops_outside_short_quotes(const Paragraph& p, std::size_t begin,
                                             const Stop* first, const Stop* last) {
  std::vector<bool> inside(p.clusters.size() + 1, false);
  for (std::size_t i = begin; i < last->cluster; ++i) {
    auto type = u_charType(UChar32(p.clusters[i].first));
    if (type != U_START_PUNCTUATION && type != U_INITIAL_PUNCTUATION) continue;
    for (std::size_t j = i + 1; j < last->cluster && j <= i + 9; ++j) {
      auto t = u_charType(UChar32(p.clusters[j].first));
      if (t == U_START_PUNCTUATION || t == U_INITIAL_PUNCTUATION) break;
      if (t == U_END_PUNCTUATION || t == U_FINAL_PUNCTUATION) {
        std::fill(inside.begin() + std::ptrdiff_t(i) + 1, inside.begin() + std::ptrdiff_t(j) + 1,
                  true);
        break;
      }
    }
  }
  std::vector<Stop> kept;
  for (const Stop* s = first; s <= last; ++s) {
    if (s == last || !inside[s->cluster]) kept.push_back(*s);
  }
  return kept;
}

// The stops among [first, last] where a word starts (`word_start` by cluster); `last` stays.
std::vector<Stop> stops_at_word_starts(const std::vector<Stop>& stops,
                                       const std::vector<bool>& word_start) {
  std::vector<Stop> kept;
  for (std::size_t i = 0; i < stops.size(); ++i) {
    if (i + 1 == stops.size() || word_start[stops[i].cluster]) kept.push_back(stops[i]);
  }
  return kept;
}

// The widest line's width less the narrowest's.
float raggedness(const LineBuilder& builder, const std::vector<Span>& lines) {
  float widest = 0, narrowest = std::numeric_limits<float>::max();
  for (auto [begin, end] : lines) {
    const float w = builder.width(begin, end);
    widest = std::max(widest, w);
    narrowest = std::min(narrowest, w);
  }
  return lines.empty() ? 0 : widest - narrowest;
}

// Balanced lines of a segment with `lines` greedy lines, breaking only at `stops` when that keeps
// the line count; empty when it does not.
std::vector<Span> balance_at(const LineBuilder& builder, const std::vector<Stop>& stops,
                             std::size_t begin, float limit, std::size_t lines) {
  Fill fill = greedy(builder, stops.data(), &stops.back(), begin, limit);
  if (fill.cut || fill.spans.size() != lines) return {};
  return balance(builder, stops.data(), &stops.back(), begin, limit, std::move(fill));
}

// The lines of the paragraph: segments between forced breaks, each filled as options.wrap says.
// `word_start` (by cluster, balance only): where a word starts.
std::vector<Span> fill_lines(const Paragraph& p, const LineBuilder& builder,
                             const std::vector<Stop>& stops, const std::vector<bool>& word_start) {
  const float limit = p.options->width + 1.0f / 64;  // HarfBuzz positions are 1/64 px exact
  const Wrap wrap = p.options->wrap;
  std::vector<Span> spans;
  std::size_t begin = 0;
  for (std::size_t first = 0; first < stops.size();) {
    std::size_t last = first;
    while (!stops[last].mandatory) ++last;
    const Stop* a = &stops[first];
    const Stop* b = &stops[last];
    Fill fill = greedy(builder, a, b, begin, limit);
    std::vector<Span> lines = std::move(fill.spans);
    if (wrap == Wrap::balance && lines.size() > 1) {
      // Words and short quoted terms stay whole when that keeps the line count: 经济 and
      // “四个高地”, not 经 / 济 and “四个高 / 地”; failing that the quoted terms, then anywhere.
      // Words only where the lines come out no more ragged than greedy filling leaves them.
      const std::vector<Stop> whole = stops_outside_short_quotes(p, begin, a, b);
      const std::size_t count = lines.size();
      auto balanced =
          balance_at(builder, stops_at_word_starts(whole, word_start), begin, limit, count);
      if (raggedness(builder, balanced) > raggedness(builder, lines) + 0.01f) balanced.clear();
      if (balanced.empty()) balanced = balance_at(builder, whole, begin, limit, count);
      lines = balanced.empty()
                  ? balance(builder, a, b, begin, limit, greedy(builder, a, b, begin, limit))
                  : std::move(balanced);
    }
    if (wrap != Wrap::greedy) avoid_lone_last_line(p, builder, a, b, limit, lines);
    spans.insert(spans.end(), lines.begin(), lines.end());
    begin = stops[last].cluster;
    first = last + 1;
  }
  return spans;
}

}  // namespace

std::string normalize_punctuation(std::string_view text) {
  // Parentheses change as a pair, when the text inside begins or ends with a wide character:
  // "(2024年)" becomes "（2024年）", never "(2024年）".
  std::unordered_map<std::size_t, bool> pair_is_wide;  // by offset of '(' and of ')'
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') {
      open.push_back(i);
    } else if (text[i] == ')' && !open.empty()) {
      std::size_t o = open.back();
      open.pop_back();
      bool wide = (o + 1 < i && is_wide_or_quote(code_point_at(text, o + 1))) ||
                  (o + 1 < i && is_wide_or_quote(code_point_before(text, i)));
      pair_is_wide[o] = pair_is_wide[i] = wide;
    }
  }
  auto paired = [&](std::size_t i, bool single_rule) {
    auto found = pair_is_wide.find(i);
    return found == pair_is_wide.end() ? single_rule : found->second;
  };
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  char32_t previous = 0;
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = code_point_at(text, i);
    std::size_t length = U8_LENGTH(c);
    char32_t next = i + length < text.size() ? code_point_at(text, i + length) : 0;
    bool after_wide = previous && is_wide_or_quote(previous);
    bool before_wide = next && is_wide_or_quote(next);
    bool touches_wide = after_wide || before_wide;
    const char* replacement = nullptr;
    switch (c) {
      case ',': replacement = touches_wide ? "，" : nullptr; break;
      case ';': replacement = touches_wide ? "；" : nullptr; break;
      case ':': replacement = after_wide ? "：" : nullptr; break;
      case '?': replacement = touches_wide ? "？" : nullptr; break;
      case '!': replacement = touches_wide ? "！" : nullptr; break;
      case ')': replacement = paired(i, after_wide) ? "）" : nullptr; break;
      case '(': replacement = paired(i, before_wide) ? "（" : nullptr; break;
      case '.': replacement = after_wide && (!next || before_wide) ? "。" : nullptr; break;
      default: break;
    }
    if (replacement) {
      out += replacement;
      previous = code_point_at(replacement, 0);
    } else {
      out.append(text.substr(i, length));
      previous = c;
    }
    i += length;
  }
  return out;
}

static bool is_cjk_lang(std::string_view lang) {
  for (std::string_view prefix : {"zh", "ja", "ko", "yue"}) {
    if (lang.substr(0, prefix.size()) == prefix &&
        (lang.size() == prefix.size() || lang[prefix.size()] == '-'))
      return true;
  }
  return false;
}

// Marks dropped before an ellipsis: stops and pauses ("，……" reads badly), spaces, dashes and
// an earlier ellipsis; closing brackets and quotes stay.
static bool dropped_before_ellipsis(char32_t c) {
  if (is_collapsible_space(c) || is_newline(c)) return true;
  auto category = u_charType(UChar32(c));
  return is_punctuation(c) && category != U_END_PUNCTUATION && category != U_FINAL_PUNCTUATION;
}

// The text cut at the latest break opportunity of the last allowed line (bytes [line, next)) at
// which the kept part plus the ellipsis fits in options.max_lines lines.
static Layout cut_with_ellipsis(TextEngine& engine, const std::string& text,
                                const LayoutOptions& options,
                                const std::vector<BreakOpportunity>& breaks, std::size_t line,
                                std::size_t next) {
  const std::string_view ellipsis = is_cjk_lang(options.lang) ? "……" : "…";
  LayoutOptions unlimited = options;
  unlimited.max_lines = 0;
  unlimited.normalize_punctuation = false;  // already done
  // Opportunities on the last line, latest first; then, for a line with none (one long token),
  // every cluster boundary of it.
  std::vector<std::size_t> cuts;
  for (auto it = breaks.rbegin(); it != breaks.rend(); ++it) {
    if (it->offset >= line && it->offset <= next) cuts.push_back(it->offset);
  }
  for (std::size_t i = next; i > line;) {
    i -= std::size_t(U8_LENGTH(code_point_before(text, i)));
    cuts.push_back(i);
  }
  Layout best;
  for (std::size_t cut : cuts) {
    std::size_t kept = cut;
    while (kept > 0 && dropped_before_ellipsis(code_point_before(text, kept)))
      kept -= std::size_t(U8_LENGTH(code_point_before(text, kept)));
    if (kept == 0) continue;
    std::string shortened = text.substr(0, kept);
    shortened += ellipsis;
    Layout layout = lay_out(engine, shortened, unlimited);
    layout.truncated = true;
    layout.shown_bytes = kept;
    layout.options = options;
    if (layout.lines.size() <= std::size_t(options.max_lines)) return layout;
    if (best.lines.empty()) best = std::move(layout);
  }
  // Nothing fits (a width below one character): the first lines of the last try.
  best.lines.resize(std::min(best.lines.size(), std::size_t(options.max_lines)));
  best.truncated = true;
  return best;
}

Layout lay_out(TextEngine& engine, std::string_view text, const LayoutOptions& options) {
  TextEngine::State& state = engine.state();
  Layout layout;
  layout.options = options;
  layout.text = options.normalize_punctuation ? normalize_punctuation(text) : std::string(text);
  const auto& chain = state.fonts->chain(options.lang, options.weight);
  const auto& primary = state.fonts->face(chain.front());
  layout.line_height = (primary.ascender + primary.descender) * options.font_size;
  if (layout.text.empty()) return layout;

  Paragraph p;
  p.text = layout.text;
  p.options = &options;
  p.chain = &chain;
  split_clusters(state, p);
  assign_bidi_levels(p);
  assign_scripts(p);
  if (options.vertical) {
    for (auto& c : p.clusters) {
      c.sideways =
          u_getIntPropertyValue(UChar32(c.first), UCHAR_VERTICAL_ORIENTATION) == U_VO_ROTATED;
    }
  }
  assign_faces(*state.fonts, p);
  shape(state, p);
  compress_punctuation(state, p);
  if (options.autospace) add_autospace(p);

  LineBuilder builder(state, p);
  auto breaks = break_opportunities(engine, p.text, options.lang);
  std::vector<bool> word_start(p.clusters.size() + 1, false);
  if (options.wrap == Wrap::balance) {
    const std::vector<std::int32_t> cluster_at = clusters_by_offset(p);
    for (std::size_t offset : word_starts(engine, p.text, options.lang)) {
      if (offset < cluster_at.size() && cluster_at[offset] >= 0) {
        word_start[std::size_t(cluster_at[offset])] = true;
      }
    }
  }
  auto spans = fill_lines(p, builder, stops_of(p, breaks), word_start);
  if (options.max_lines > 0 && spans.size() > std::size_t(options.max_lines)) {
    const auto kept = std::size_t(options.max_lines);
    return cut_with_ellipsis(engine, layout.text, options, breaks,
                             p.clusters[spans[kept - 1].first].begin,
                             p.clusters[spans[kept].first].begin);
  }
  for (auto [begin, end] : spans) layout.lines.push_back(builder.build(begin, end));
  layout.missing_glyphs = p.missing;
  layout.shown_bytes = layout.text.size();
  return layout;
}

}  // namespace signage::text
