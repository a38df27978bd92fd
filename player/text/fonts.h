// Fonts inside the text engine: fallback chains from fonts/, resolved by fontconfig, loaded once
// into HarfBuzz (shaping, coverage, metrics) and lazily into FreeType (rasterization).
#pragma once

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-ot.h>
#include <hb.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text.h"

namespace signage::text {

template <typename T, void (*Destroy)(T*)>
struct CDeleter {
  void operator()(T* p) const {
    if (p) Destroy(p);
  }
};
using HbBlob = std::unique_ptr<hb_blob_t, CDeleter<hb_blob_t, hb_blob_destroy>>;
using HbFace = std::unique_ptr<hb_face_t, CDeleter<hb_face_t, hb_face_destroy>>;
using HbFont = std::unique_ptr<hb_font_t, CDeleter<hb_font_t, hb_font_destroy>>;
using HbBuffer = std::unique_ptr<hb_buffer_t, CDeleter<hb_buffer_t, hb_buffer_destroy>>;
using FcConfigPtr = std::unique_ptr<FcConfig, CDeleter<FcConfig, FcConfigDestroy>>;
using FcPatternPtr = std::unique_ptr<FcPattern, CDeleter<FcPattern, FcPatternDestroy>>;
using FcCharSetPtr = std::unique_ptr<FcCharSet, CDeleter<FcCharSet, FcCharSetDestroy>>;

inline void ft_done_face(FT_FaceRec_* f) {
  FT_Done_Face(f);
}
inline void ft_done_library(FT_LibraryRec_* l) {
  FT_Done_FreeType(l);
}
using FtFace = std::unique_ptr<FT_FaceRec_, CDeleter<FT_FaceRec_, ft_done_face>>;
using FtLibrary = std::unique_ptr<FT_LibraryRec_, CDeleter<FT_LibraryRec_, ft_done_library>>;

// One font file, opened once for all its faces: HarfBuzz's mapping of it (shaping) and a
// descriptor FreeType reads it through (rasterization; see FontLibrary::ft_face). The two are
// opened together so that both see the same file even if it is replaced on disk later.
struct FontFile {
  int fd = -1;
  HbBlob blob;
  FontFile() = default;
  FontFile(const FontFile&) = delete;
  FontFile& operator=(const FontFile&) = delete;
  ~FontFile();
};

struct LoadedFace {
  FaceInfo info;
  const FontFile* file = nullptr;  // owned by FontLibrary::files_
  HbFace hb_face;
  HbFont hb_font;  // scale = units per em: positions come out in font units
  int units_per_em = 1000;
  float ascender = 0.88f;   // in em
  float descender = 0.12f;  // in em, positive
  // FreeType reads through this from FT_Open_Face until FT_Done_Face: declared before ft_face so
  // that it is destroyed after it.
  std::unique_ptr<FT_StreamRec> ft_stream;
  FtFace ft_face;      // created on first rasterization
  int ft_size_64 = 0;  // size the FT_Face is currently set to
};

// One family list per language tag, in order of preference.
struct FallbackChains {
  std::map<std::string, std::vector<std::string>> families;  // "zh-Hans" -> families
};

// Parses fallback-chains.conf: "tag = Family, Family, ..." per line, '#' comments.
std::optional<FallbackChains> parse_fallback_chains(std::string_view text, std::string* error);

// The script a language is most likely written in: "zh-TW" -> "Hant", "ja" -> "Jpan".
std::string likely_script(std::string_view lang);

// The chain key for a BCP 47 tag: "zh-TW" -> "zh-Hant", "zh" -> "zh-Hans", "ja-JP" -> "ja".
std::string chain_key_for(std::string_view lang, const FallbackChains& chains);

class FontLibrary {
 public:
  FontLibrary(FallbackChains chains, std::vector<std::string>* warnings);
  FontLibrary(const FontLibrary&) = delete;
  FontLibrary& operator=(const FontLibrary&) = delete;

  // The resolved faces for a language and weight, in fallback order (never empty when the
  // library is usable; see usable()).
  const std::vector<FaceIndex>& chain(std::string_view lang, int weight);
  bool usable();

  // A face that fontconfig finds for a character none of the chain's faces has.
  std::optional<FaceIndex> system_fallback(char32_t c, std::string_view lang, int weight);

  bool has_glyph(FaceIndex face, char32_t c) const;
  LoadedFace& face(FaceIndex index) { return *faces_[index]; }
  const LoadedFace& face(FaceIndex index) const { return *faces_[index]; }

  // The FreeType face set to `size_64` (1/64 px em), or nullptr when FreeType cannot load it.
  FT_Face ft_face(FaceIndex index, int size_64);
  // Lets go of every FreeType face (ft_face opens it again when next needed, in a few ms). A
  // CJK face holds about 2 MB of heap (its CFF charset, subroutines and offsets) that a player
  // needs only while it rasterizes glyphs, not while it draws with the glyphs it has cached.
  void close_ft_faces();

 private:
  std::optional<FaceIndex> load(const std::string& file, int index_in_file,
                                const std::string& family);
  std::optional<FaceIndex> resolve_family(const std::string& family, int weight);

  FallbackChains chains_;
  std::vector<std::string>* warnings_;
  FcConfigPtr fc_;
  FtLibrary ft_;
  std::unordered_map<std::string, std::unique_ptr<FontFile>> files_;  // outlive faces_
  std::vector<std::unique_ptr<LoadedFace>> faces_;
  std::map<std::pair<std::string, int>, FaceIndex> by_file_;
  std::map<std::pair<std::string, int>, std::vector<FaceIndex>> chains_by_key_weight_;
  std::map<std::pair<char32_t, int>, std::optional<FaceIndex>> system_fallbacks_;
};

}  // namespace signage::text
