#include "fonts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unicode/locid.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <sstream>

namespace signage::text {
namespace {

std::string trim(std::string_view s) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

bool same_family(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// fontconfig's FC_FAMILY may hold several names (localized ones too); any may match.
bool pattern_has_family(FcPattern* pattern, const std::string& family) {
  FcChar8* name = nullptr;
  for (int i = 0; FcPatternGetString(pattern, FC_FAMILY, i, &name) == FcResultMatch; ++i) {
    if (same_family(reinterpret_cast<const char*>(name), family)) return true;
  }
  return false;
}

std::string first_family(FcPattern* pattern) {
  FcChar8* name = nullptr;
  if (FcPatternGetString(pattern, FC_FAMILY, 0, &name) == FcResultMatch) {
    return reinterpret_cast<const char*>(name);
  }
  return "?";
}

}  // namespace

std::optional<FallbackChains> parse_fallback_chains(std::string_view text, std::string* error) {
  FallbackChains chains;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    if (trim(line).empty()) continue;
    auto eq = line.find('=');
    std::string tag = trim(std::string_view(line).substr(0, eq));
    if (eq == std::string::npos || tag.empty()) {
      *error = "line " + std::to_string(number) + ": expected 'tag = Family, Family, ...'";
      return std::nullopt;
    }
    std::vector<std::string> families;
    std::istringstream list(line.substr(eq + 1));
    for (std::string family; std::getline(list, family, ',');) {
      if (auto name = trim(family); !name.empty()) families.push_back(name);
    }
    if (families.empty()) {
      *error = "line " + std::to_string(number) + ": '" + tag + "' names no family";
      return std::nullopt;
    }
    chains.families[tag] = std::move(families);
  }
  if (!chains.families.count("default")) {
    *error = "no 'default' chain";
    return std::nullopt;
  }
  return chains;
}

namespace {
// ICU knows that zh-TW is written in Hant and plain zh in Hans.
icu::Locale likely_locale(std::string_view lang) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale locale =
      icu::Locale::forLanguageTag(icu::StringPiece(lang.data(), int32_t(lang.size())), status);
  locale.addLikelySubtags(status);
  return U_FAILURE(status) ? icu::Locale::getRoot() : locale;
}
}  // namespace

std::string likely_script(std::string_view lang) {
  return likely_locale(lang).getScript();
}

std::string chain_key_for(std::string_view lang, const FallbackChains& chains) {
  if (chains.families.count(std::string(lang))) return std::string(lang);
  icu::Locale locale = likely_locale(lang);
  std::string language = locale.getLanguage();
  std::string with_script = language + "-" + locale.getScript();
  if (chains.families.count(with_script)) return with_script;
  if (chains.families.count(language)) return language;
  return "default";
}

FontLibrary::FontLibrary(FallbackChains chains, std::vector<std::string>* warnings)
    : chains_(std::move(chains)), warnings_(warnings), fc_(FcInitLoadConfigAndFonts()) {
  FT_Library library = nullptr;
  if (FT_Init_FreeType(&library) == 0) ft_.reset(library);
}

bool FontLibrary::usable() {
  return fc_ && ft_ && !chain("und", 400).empty();
}

std::optional<FaceIndex> FontLibrary::load(const std::string& file, int index_in_file,
                                           const std::string& family) {
  auto key = std::make_pair(file, index_in_file);
  if (auto found = by_file_.find(key); found != by_file_.end()) return found->second;

  auto& font_file = files_[file];
  if (!font_file) {
    font_file = std::make_unique<FontFile>();
    font_file->fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (font_file->fd >= 0) font_file->blob.reset(hb_blob_create_from_file_or_fail(file.c_str()));
  }
  if (!font_file->blob) {
    warnings_->push_back("cannot read font file " + file);
    files_.erase(file);
    return std::nullopt;
  }
  hb_blob_t* blob = font_file->blob.get();
  auto loaded = std::make_unique<LoadedFace>();
  loaded->info = {family, file, index_in_file, false};
  loaded->file = font_file.get();
  loaded->hb_face.reset(hb_face_create(blob, static_cast<unsigned>(index_in_file)));
  loaded->units_per_em = static_cast<int>(hb_face_get_upem(loaded->hb_face.get()));
  if (hb_face_get_glyph_count(loaded->hb_face.get()) == 0 || loaded->units_per_em <= 0) {
    warnings_->push_back("font file " + file + " has no usable face " +
                         std::to_string(index_in_file));
    return std::nullopt;
  }
  loaded->hb_font.reset(hb_font_create(loaded->hb_face.get()));
  hb_font_set_scale(loaded->hb_font.get(), loaded->units_per_em, loaded->units_per_em);
  hb_font_extents_t extents{};
  if (hb_font_get_h_extents(loaded->hb_font.get(), &extents)) {
    loaded->ascender = float(extents.ascender) / float(loaded->units_per_em);
    loaded->descender = -float(extents.descender) / float(loaded->units_per_em);
  }
  hb_face_t* face = loaded->hb_face.get();
  loaded->info.color = hb_ot_color_has_png(face) || hb_ot_color_has_layers(face);
  if (faces_.size() >= 0xffff) return std::nullopt;
  auto index = static_cast<FaceIndex>(faces_.size());
  faces_.push_back(std::move(loaded));
  by_file_[key] = index;
  return index;
}

std::optional<FaceIndex> FontLibrary::resolve_family(const std::string& family, int weight) {
  if (!fc_) return std::nullopt;
  FcPatternPtr pattern(FcPatternCreate());
  FcPatternAddString(pattern.get(), FC_FAMILY, reinterpret_cast<const FcChar8*>(family.c_str()));
  FcPatternAddDouble(pattern.get(), FC_WEIGHT, FcWeightFromOpenTypeDouble(weight));
  FcConfigSubstitute(fc_.get(), pattern.get(), FcMatchPattern);
  FcDefaultSubstitute(pattern.get());
  FcResult result = FcResultNoMatch;
  FcPatternPtr match(FcFontMatch(fc_.get(), pattern.get(), &result));
  FcChar8* file = nullptr;
  int index = 0;
  if (!match || !pattern_has_family(match.get(), family) ||
      FcPatternGetString(match.get(), FC_FILE, 0, &file) != FcResultMatch) {
    return std::nullopt;
  }
  FcPatternGetInteger(match.get(), FC_INDEX, 0, &index);
  return load(reinterpret_cast<const char*>(file), index, family);
}

const std::vector<FaceIndex>& FontLibrary::chain(std::string_view lang, int weight) {
  std::string key = chain_key_for(lang, chains_);
  auto& resolved = chains_by_key_weight_[{key, weight}];
  if (!resolved.empty()) return resolved;
  for (const auto& family : chains_.families.at(key)) {
    if (auto face = resolve_family(family, weight)) {
      if (std::find(resolved.begin(), resolved.end(), *face) == resolved.end()) {
        resolved.push_back(*face);
      }
    } else if (weight == 400) {
      warnings_->push_back("font family '" + family + "' (fallback chain " + key +
                           ") is not installed; skipped");
    }
  }
  if (resolved.empty() && key != "default") resolved = chain("default", weight);
  return resolved;
}

std::optional<FaceIndex> FontLibrary::system_fallback(char32_t c, std::string_view lang,
                                                      int weight) {
  auto key = std::make_pair(c, weight);
  if (auto found = system_fallbacks_.find(key); found != system_fallbacks_.end()) {
    return found->second;
  }
  std::optional<FaceIndex> face;
  FcPatternPtr pattern(FcPatternCreate());
  FcCharSetPtr charset(FcCharSetCreate());
  FcCharSetAddChar(charset.get(), c);
  FcPatternAddCharSet(pattern.get(), FC_CHARSET, charset.get());
  FcPatternAddString(pattern.get(), FC_LANG,
                     reinterpret_cast<const FcChar8*>(std::string(lang).c_str()));
  FcPatternAddDouble(pattern.get(), FC_WEIGHT, FcWeightFromOpenTypeDouble(weight));
  FcConfigSubstitute(fc_.get(), pattern.get(), FcMatchPattern);
  FcDefaultSubstitute(pattern.get());
  FcResult result = FcResultNoMatch;
  FcPatternPtr match(FcFontMatch(fc_.get(), pattern.get(), &result));
  FcCharSet* has = nullptr;
  FcChar8* file = nullptr;
  int index = 0;
  if (match && FcPatternGetCharSet(match.get(), FC_CHARSET, 0, &has) == FcResultMatch &&
      FcCharSetHasChar(has, c) &&
      FcPatternGetString(match.get(), FC_FILE, 0, &file) == FcResultMatch) {
    FcPatternGetInteger(match.get(), FC_INDEX, 0, &index);
    face = load(reinterpret_cast<const char*>(file), index, first_family(match.get()));
    if (face && !has_glyph(*face, c)) face.reset();
  }
  system_fallbacks_[key] = face;
  return face;
}

bool FontLibrary::has_glyph(FaceIndex face, char32_t c) const {
  hb_codepoint_t glyph = 0;
  return hb_font_get_nominal_glyph(faces_[face]->hb_font.get(), c, &glyph) != 0;
}

FontFile::~FontFile() {
  if (fd >= 0) close(fd);
}

namespace {

unsigned long pread_all(int fd, unsigned char* buffer, unsigned long count, unsigned long offset) {
  unsigned long done = 0;
  while (done < count) {
    ssize_t n = pread(fd, buffer + done, count - done, off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<unsigned long>(n);
  }
  return done;
}

// FT_Stream's read callback; a count of 0 is a seek, which fails past the end. Single values
// (FreeType reads a glyph's metrics and its place in the CFF table as 2-4 byte values, six per
// glyph) come from the mapping: these tables are small, and a system call for each made drawing
// much slower; this way it is one per glyph. Frames (glyph programs, tables read when the face
// opens) are read from the file.
unsigned long read_font_file(FT_Stream stream, unsigned long offset, unsigned char* buffer,
                             unsigned long count) {
  if (count == 0) return offset > stream->size ? 1 : 0;
  const auto& file = *static_cast<const FontFile*>(stream->descriptor.pointer);
  if (count <= 4) {
    unsigned length = 0;
    const char* data = hb_blob_get_data(file.blob.get(), &length);
    count = offset < length ? std::min<unsigned long>(count, length - offset) : 0;
    std::copy_n(data + offset, count, buffer);
    return count;
  }
  return pread_all(file.fd, buffer, count, offset);
}

}  // namespace

void FontLibrary::close_ft_faces() {
  for (auto& f : faces_) {
    f->ft_face.reset();
    f->ft_stream.reset();
    f->ft_size_64 = 0;
  }
}

FT_Face FontLibrary::ft_face(FaceIndex index, int size_64) {
  LoadedFace& f = *faces_[index];
  if (!f.ft_face) {
    // FreeType reads glyph programs with pread() rather than from HarfBuzz's mapping. A CJK
    // collection's CFF table is 15 MB of them; the few hundred glyphs a playlist draws are
    // scattered over all of it, and reading them through the mapping left every page they
    // touched resident in the player (tests/bench/README.md has the numbers). Each glyph program
    // passes through a small buffer FreeType frees after loading the glyph; the file's pages
    // stay in the page cache, outside the player's RSS, where the kernel reclaims them first
    // when a 512 MB board runs short. The cost is one system call per rasterized glyph, and the
    // glyph cache rasterizes each glyph once.
    unsigned length = 0;
    hb_blob_get_data(f.file->blob.get(), &length);
    if (!ft_ || length == 0) return nullptr;
    auto stream = std::make_unique<FT_StreamRec>();
    *stream = {};
    stream->size = length;
    stream->descriptor.pointer = const_cast<FontFile*>(f.file);
    stream->read = read_font_file;
    FT_Open_Args args{};
    args.flags = FT_OPEN_STREAM;
    args.stream = stream.get();
    FT_Face face = nullptr;
    if (FT_Open_Face(ft_.get(), &args, f.info.index_in_file, &face)) return nullptr;
    f.ft_stream = std::move(stream);
    f.ft_face.reset(face);
    f.ft_size_64 = 0;
  }
  if (f.ft_size_64 != size_64) {
    FT_Face face = f.ft_face.get();
    if (FT_IS_SCALABLE(face)) {
      if (FT_Set_Char_Size(face, 0, size_64, 72, 72)) return nullptr;
    } else if (face->num_fixed_sizes > 0) {
      // Bitmap-only fonts (colour emoji): take the strike nearest above the size; the rasterizer
      // scales it to the requested size.
      int best = 0;
      for (int i = 0; i < face->num_fixed_sizes; ++i) {
        auto ppem = face->available_sizes[i].y_ppem;
        auto best_ppem = face->available_sizes[best].y_ppem;
        bool fits = ppem >= size_64, best_fits = best_ppem >= size_64;
        if ((fits && (!best_fits || ppem < best_ppem)) ||
            (!fits && !best_fits && ppem > best_ppem)) {
          best = i;
        }
      }
      if (FT_Select_Size(face, best)) return nullptr;
    } else {
      return nullptr;
    }
    f.ft_size_64 = size_64;
  }
  return f.ft_face.get();
}

}  // namespace signage::text
