#include <unicode/utf8.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "engine_state.h"

namespace signage::text {

TextEngine::TextEngine(std::unique_ptr<State> state) : state_(std::move(state)) {}
TextEngine::~TextEngine() = default;

FontLibrary& TextEngine::fonts() {
  return *state_->fonts;
}
const std::vector<std::string>& TextEngine::warnings() const {
  return state_->warnings;
}
TextEngine::State& TextEngine::state() {
  return *state_;
}

std::unique_ptr<TextEngine> TextEngine::create(const std::filesystem::path& fonts_dir,
                                               std::string* error) {
  auto chains_file = fonts_dir / "fallback-chains.conf";
  std::ifstream in(chains_file);
  if (!in) {
    *error = chains_file.string() + ": cannot read the font fallback chains";
    return nullptr;
  }
  std::stringstream contents;
  contents << in.rdbuf();
  std::string parse_error;
  auto chains = parse_fallback_chains(contents.str(), &parse_error);
  if (!chains) {
    *error = chains_file.string() + ": " + parse_error;
    return nullptr;
  }
  auto state = std::make_unique<State>();
  state->fonts = std::make_unique<FontLibrary>(std::move(*chains), &state->warnings);
  if (!state->fonts->usable()) {
    *error = "none of the fonts in " + chains_file.string() +
             " is installed (on Debian: apt-get install fonts-noto-cjk fonts-noto-core)";
    return nullptr;
  }
  state->buffer.reset(hb_buffer_create());
  UErrorCode status = U_ZERO_ERROR;
  state->graphemes.reset(
      icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !hb_buffer_allocation_successful(state->buffer.get())) {
    *error = std::string("cannot set up text shaping: ") + u_errorName(status);
    return nullptr;
  }
  return std::unique_ptr<TextEngine>(new TextEngine(std::move(state)));
}

std::filesystem::path default_fonts_dir() {
  if (const char* env = std::getenv("SIGNAGE_FONTS_DIR"); env && *env) return env;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share" / "signage-player" / "fonts";
    if (std::filesystem::exists(installed / "fallback-chains.conf", ec)) return installed;
  }
  return SIGNAGE_SOURCE_FONTS_DIR;
}

std::string check_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  auto length = static_cast<std::int32_t>(text.size());
  if (text.size() > 0x7fffffff) return "text is longer than 2 GiB";
  for (std::int32_t i = 0; i < length;) {
    std::int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) return "invalid UTF-8 at byte " + std::to_string(start);
    if (c == 0) return "NUL character at byte " + std::to_string(start);
  }
  return {};
}

const FaceInfo& face_info(TextEngine& engine, FaceIndex face) {
  return engine.fonts().face(face).info;
}

}  // namespace signage::text
