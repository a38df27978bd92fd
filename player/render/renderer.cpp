#include <SDL.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "render.h"
#include "sdl.h"

namespace signage::render {

namespace {

// SDL's software renderer reports no limit; larger images than this are split by the scene.
constexpr int kUnlimitedTextureSize = 16384;
constexpr double kDefaultRefreshHz = 60;
// Draw lists longer than this are always drawn whole (remembering them would allocate).
constexpr std::size_t kMaxRememberedCommands = 2048;

struct CachedTexture {
  std::uint64_t id = 0;  // scene::Image::id
  TexturePtr texture;
  int rows_done = 0;    // uploaded so far (a large image may take a few frames)
  bool opaque = false;  // every pixel has alpha 255: drawn without blending when not faded
  Uint32 format = SDL_PIXELFORMAT_ARGB8888;  // XRGB8888 (SDL's RGB888) when opaque
  int width = 0, height = 0;
};

scene::Size rotated(scene::Size s, int rotate) {
  if (rotate == 90 || rotate == 270) return {s.height, s.width};
  return s;
}

void set_draw_color(SDL_Renderer* r, content::Rgba c) {
  SDL_SetRenderDrawColor(r, Uint8(c >> 24), Uint8(c >> 16), Uint8(c >> 8), Uint8(c));
}

}  // namespace

struct Renderer::State {
  // Video (window, fullscreen) or only events (headless: SIGINT/SIGTERM arrive as SDL_QUIT).
  std::unique_ptr<SdlSubsystem> subsystem;
  WindowPtr window;
  SurfacePtr surface;  // headless: what the software renderer draws into
  RendererPtr renderer;
  TexturePtr target;  // rotation: the scene is drawn here, then turned onto the output
  scene::Size output;
  scene::Size scene;
  int rotate = 0;
  int max_texture_size = kUnlimitedTextureSize;
  double refresh_hz = kDefaultRefreshHz;
  bool vsync = false;
  bool accelerated = false;
  std::int64_t presented_pixels = 0;
  // The rotation step of the frame last drawn is on the output (read_output() did it before
  // present()): present() does not draw it again.
  bool composed = false;
  std::string driver;
  // A flat list: a frame holds a few dozen images, so a linear search is cheap, and with the
  // capacity reserved up front caching a texture does not allocate.
  std::vector<CachedTexture> textures;
  // Textures no longer referenced, kept for the next image of the same size and format: cards
  // and the ticker come in blocks of a few sizes (scene/cards.cpp), so a retired card's blocks
  // become the next card's without freeing and allocating (SDL zeroes a new texture: page
  // faults on the frame loop). Larger textures are freed. Only a few: the worker draws the
  // next card while these wait, so every spare is memory held beside a card's worth of new
  // pixels (64 spares, 8 MB, were 3-5 MB of the peak RSS over the demo loop).
  std::vector<CachedTexture> spares;
  static constexpr std::size_t kMaxSpares = 16;
  static constexpr std::size_t kMaxSpareBytes = 256 * 256 * 4;
  std::uint64_t uploads = 0;
  bool reported_oversize = false;
  // Headless, the surface keeps its pixels between frames: draw() repaints only where the draw
  // list differs from the last one (the ticker band, a counter, the clock), not the whole
  // screen. A display's back buffer is undefined after a flip, so windows repaint everything.
  bool retains_frame = false;
  bool keep_textures = true;
  bool last_valid = false;
  scene::DrawList last;  // the commands last drawn, with their images' ids
  std::vector<std::uint64_t> last_ids;

  CachedTexture* find(std::uint64_t id);
  // Uploads up to `max_rows` more rows of `image`; the entry, complete or not; null when it
  // cannot have a texture.
  CachedTexture* upload_rows(const scene::Image& image, int max_rows);
  std::uint64_t uploads_in_draw = 0;
  void free_texture(CachedTexture* t) {  // not kept as a spare
    std::swap(*t, textures.back());
    textures.pop_back();
  }
  CachedTexture* find_or_upload(const scene::Image& image) {
    CachedTexture* t = find(image.id);
    if (t && t->rows_done == t->height) return t;
    ++uploads_in_draw;
    t = upload_rows(image, std::numeric_limits<int>::max());
    return t && t->rows_done == t->height ? t : nullptr;
  }
};

std::optional<RendererChoice> parse_renderer_choice(std::string_view text) {
  if (text == "auto") return RendererChoice::automatic;
  if (text == "gpu") return RendererChoice::gpu;
  if (text == "software") return RendererChoice::software;
  return std::nullopt;
}

std::string no_display_message(const std::string& sdl_error) {
  return "cannot open a display (" + sdl_error +
         ").\nNo screen is available here. To play without one use --headless (e.g. "
         "`signage-player run --headless --duration 10`), or draw one frame to a PNG with "
         "`signage-player render PATH --at SECONDS -o OUT.png`.";
}

std::unique_ptr<Renderer> Renderer::open(const RendererOptions& options, std::string* error) {
  if (options.rotate != 0 && options.rotate != 90 && options.rotate != 180 &&
      options.rotate != 270) {
    *error = "rotation must be 0, 90, 180 or 270";
    return nullptr;
  }
  auto s = std::make_unique<State>();
  s->rotate = options.rotate;
  if (options.output == Output::headless) {
    if (options.size.width <= 0 || options.size.height <= 0 || options.size.width > 16384 ||
        options.size.height > 16384) {
      *error = "the size must be between 1x1 and 16384x16384";
      return nullptr;
    }
    // XRGB8888: opaque cards in the same format are copied row by row, faded ones take SDL's
    // fast constant-alpha blitter, and images with alpha its per-pixel ARGB-on-XRGB blitter.
    s->surface.reset(SDL_CreateRGBSurfaceWithFormat(0, options.size.width, options.size.height, 32,
                                                    SDL_PIXELFORMAT_RGB888));
    if (!s->surface) {
      *error = std::string("cannot create the offscreen surface: ") + SDL_GetError();
      return nullptr;
    }
    s->renderer.reset(SDL_CreateSoftwareRenderer(s->surface.get()));
    if (!s->renderer) {
      *error = std::string("cannot create the software renderer: ") + SDL_GetError();
      return nullptr;
    }
    s->output = options.size;
    s->driver = "headless/software";
    s->subsystem = std::make_unique<SdlSubsystem>(SDL_INIT_EVENTS);
  } else {
    s->subsystem = std::make_unique<SdlSubsystem>(SDL_INIT_VIDEO);
    if (!s->subsystem->ok()) {
      *error = no_display_message(s->subsystem->error());
      return nullptr;
    }
    // Without X11, Wayland or KMSDRM, SDL falls back to its invisible offscreen or dummy driver:
    // that is no display for a window, unless asked for by name.
    const std::string driver = SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "";
    const char* requested = std::getenv("SDL_VIDEODRIVER");
    if ((driver == "offscreen" || driver == "dummy" || driver == "evdev") &&
        !(requested && driver == requested)) {
      *error = no_display_message("no X11, Wayland or KMSDRM display; SDL found only its \"" +
                                  driver + "\" driver");
      return nullptr;
    }
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (options.output == Output::fullscreen) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    s->window.reset(SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED,
                                     SDL_WINDOWPOS_CENTERED, options.size.width,
                                     options.size.height, flags));
    if (!s->window) {
      *error = no_display_message(SDL_GetError());
      return nullptr;
    }
    Uint32 renderer_flags = SDL_RENDERER_ACCELERATED | SDL_RENDERER_TARGETTEXTURE;
    if (options.vsync) renderer_flags |= SDL_RENDERER_PRESENTVSYNC;
    s->renderer.reset(SDL_CreateRenderer(s->window.get(), -1, renderer_flags));
    if (!s->renderer) {
      s->renderer.reset(SDL_CreateRenderer(s->window.get(), -1, SDL_RENDERER_SOFTWARE));
    }
    if (!s->renderer) {
      *error = std::string("cannot create a renderer for the window: ") + SDL_GetError();
      return nullptr;
    }
    SDL_ShowCursor(SDL_DISABLE);
    SDL_DisableScreenSaver();
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(s->renderer.get(), &w, &h);
    s->output = {w, h};
    SDL_DisplayMode mode{};
    if (SDL_GetWindowDisplayMode(s->window.get(), &mode) == 0 && mode.refresh_rate > 0) {
      s->refresh_hz = mode.refresh_rate;
    }
    s->driver = SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "?";
  }
  SDL_RendererInfo info{};
  if (SDL_GetRendererInfo(s->renderer.get(), &info) == 0) {
    int limit = std::min(info.max_texture_width, info.max_texture_height);
    if (limit > 0) s->max_texture_size = limit;
    if (options.output != Output::headless) s->driver += std::string("/") + info.name;
    s->accelerated = (info.flags & SDL_RENDERER_ACCELERATED) != 0;
    // Headless has no display to wait for: the frame loop paces itself.
    s->vsync = options.vsync && options.output != Output::headless &&
               (info.flags & SDL_RENDERER_PRESENTVSYNC) != 0;
  }
  if (options.max_texture_size > 0) {
    s->max_texture_size = std::min(s->max_texture_size, options.max_texture_size);
  }
  s->scene = rotated(s->output, s->rotate);
  if (s->rotate != 0) {
    if (s->scene.width > s->max_texture_size || s->scene.height > s->max_texture_size) {
      *error = "the screen is larger than the renderer's largest texture (" +
               std::to_string(s->max_texture_size) + " px); cannot rotate it";
      return nullptr;
    }
    s->target.reset(SDL_CreateTexture(s->renderer.get(), SDL_PIXELFORMAT_RGB888,
                                      SDL_TEXTUREACCESS_TARGET, s->scene.width, s->scene.height));
    if (!s->target) {
      *error = std::string("cannot create the rotation target: ") + SDL_GetError();
      return nullptr;
    }
  }
  s->textures.reserve(256);
  s->spares.reserve(State::kMaxSpares);
  s->retains_frame = options.output == Output::headless && !options.repaint_everything;
  s->keep_textures = options.keep_textures;
  s->last.commands.reserve(kMaxRememberedCommands);
  s->last_ids.reserve(kMaxRememberedCommands);
  return std::unique_ptr<Renderer>(new Renderer(std::move(s)));
}

Renderer::Renderer(std::unique_ptr<State> state) : state_(std::move(state)) {}

Renderer::~Renderer() {
  // Textures before the renderer, the renderer before the window or surface, the video
  // subsystem last: the members' declaration order in State does it, except the cache.
  state_->textures.clear();
  state_->spares.clear();
  state_->target.reset();
}

scene::Size Renderer::scene_size() const {
  return state_->scene;
}
scene::Size Renderer::output_size() const {
  return state_->output;
}
int Renderer::rotate() const {
  return state_->rotate;
}
int Renderer::max_texture_size() const {
  return state_->max_texture_size;
}
double Renderer::refresh_hz() const {
  return state_->refresh_hz;
}
bool Renderer::vsync() const {
  return state_->vsync;
}
std::string Renderer::driver() const {
  return state_->driver;
}
bool Renderer::accelerated() const {
  return state_->accelerated;
}
std::uint64_t Renderer::texture_bytes() const {
  std::uint64_t bytes = 0;
  for (const auto* list : {&state_->textures, &state_->spares}) {
    for (const CachedTexture& t : *list)
      bytes += std::uint64_t(t.width) * std::uint64_t(t.height) * 4;
  }
  if (state_->target) {
    bytes += std::uint64_t(state_->scene.width) * std::uint64_t(state_->scene.height) * 4;
  }
  return bytes;
}
std::int64_t Renderer::presented_pixels() const {
  return state_->presented_pixels;
}
std::size_t Renderer::cached_textures() const {
  return state_->textures.size();
}
std::uint64_t Renderer::uploads() const {
  return state_->uploads;
}
std::uint64_t Renderer::uploads_in_draw() const {
  return state_->uploads_in_draw;
}

CachedTexture* Renderer::State::find(std::uint64_t id) {
  for (CachedTexture& t : textures) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

CachedTexture* Renderer::State::upload_rows(const scene::Image& image, int max_rows) {
  const text::RgbaImage& px = image.pixels;
  CachedTexture* t = find(image.id);
  if (!t) {
    if (px.width <= 0 || px.height <= 0) return nullptr;
    // The frame loop released the pixels after an earlier upload: nothing to make it from.
    if (px.pixels.size() < std::size_t(px.width) * std::size_t(px.height) * 4) return nullptr;
    if (px.width > max_texture_size || px.height > max_texture_size) {
      if (!reported_oversize) {
        std::fprintf(stderr,
                     "signage-player: an image of %dx%d is larger than the renderer's %d px "
                     "textures; not drawn\n",
                     px.width, px.height, max_texture_size);
        reported_oversize = true;
      }
      return nullptr;
    }
    // Opaque images (cards) get a texture without alpha: cheaper to copy and to fade.
    bool opaque = true;
    for (std::size_t i = 3; i < px.pixels.size() && opaque; i += 4) opaque = px.pixels[i] == 255;
    const Uint32 format = opaque ? SDL_PIXELFORMAT_RGB888 : SDL_PIXELFORMAT_ARGB8888;
    TexturePtr texture;
    for (CachedTexture& spare : spares) {
      if (spare.width == px.width && spare.height == px.height && spare.format == format) {
        texture = std::move(spare.texture);
        std::swap(spare, spares.back());
        spares.pop_back();
        break;
      }
    }
    if (!texture) {
      texture.reset(SDL_CreateTexture(renderer.get(), format, SDL_TEXTUREACCESS_STREAMING, px.width,
                                      px.height));
    }
    if (!texture) return nullptr;
    ++uploads;
    textures.push_back(
        CachedTexture{image.id, std::move(texture), 0, opaque, format, px.width, px.height});
    t = &textures.back();
  }
  if (t->rows_done >= t->height) return t;
  const int rows = std::min(max_rows, t->height - t->rows_done);
  const SDL_Rect rect{0, t->rows_done, t->width, rows};
  void* pixels = nullptr;
  int pitch = 0;
  if (SDL_LockTexture(t->texture.get(), &rect, &pixels, &pitch) != 0) return nullptr;
  const std::uint8_t* src = px.at(0, t->rows_done);
  SDL_ConvertPixels(t->width, rows, SDL_PIXELFORMAT_RGBA32, src, t->width * 4, t->format, pixels,
                    pitch);
  SDL_UnlockTexture(t->texture.get());
  t->rows_done += rows;
  if (t->rows_done == t->height) {
    SDL_SetTextureBlendMode(t->texture.get(), t->opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
  }
  return t;
}

bool Renderer::upload(const scene::Image& image, int max_rows) {
  CachedTexture* t = state_->upload_rows(image, std::max(1, max_rows));
  return t && t->rows_done == t->height;
}

bool Renderer::has_texture(const scene::Image& image) const {
  for (const CachedTexture& t : state_->textures) {
    if (t.id == image.id) return t.rows_done == t.height;
  }
  return false;
}

void Renderer::retain_only(std::span<const std::uint64_t> live) {
  auto& textures = state_->textures;
  for (std::size_t i = 0; i < textures.size();) {
    if (std::find(live.begin(), live.end(), textures[i].id) == live.end()) {
      std::swap(textures[i], textures.back());
      auto& spares = state_->spares;
      const CachedTexture& t = textures.back();
      if (std::size_t(t.width) * std::size_t(t.height) * 4 <= State::kMaxSpareBytes) {
        if (spares.size() >= State::kMaxSpares) spares.erase(spares.begin());  // the oldest
        spares.push_back(std::move(textures.back()));
      }
      textures.pop_back();
    } else {
      ++i;
    }
  }
}

namespace {

// Up to four rectangles of the screen to repaint; more are merged into the last one.
struct Damage {
  std::array<SDL_Rect, 4> rects{};
  int count = 0;
  bool everything = false;

  void add(const scene::RectF& r, int width, int height) {
    SDL_Rect a{int(std::floor(r.x)), int(std::floor(r.y)), 0, 0};
    a.w = int(std::ceil(r.x + r.w)) - a.x;
    a.h = int(std::ceil(r.y + r.h)) - a.y;
    const SDL_Rect screen{0, 0, width, height};
    if (!SDL_IntersectRect(&a, &screen, &a)) return;
    for (int i = 0; i < count; ++i) {
      if (SDL_HasIntersection(&a, &rects[i])) {
        SDL_UnionRect(&a, &rects[i], &a);
        rects[i] = rects[--count];  // merged: take it out and add the union again
        add(scene::RectF{float(a.x), float(a.y), float(a.w), float(a.h)}, width, height);
        return;
      }
    }
    if (count == int(rects.size())) {
      SDL_UnionRect(&a, &rects[count - 1], &rects[count - 1]);
      return;
    }
    rects[count++] = a;
  }
};

bool same(const scene::DrawCommand& a, std::uint64_t a_id, const scene::DrawCommand& b,
          std::uint64_t b_id) {
  return a.kind == b.kind && a_id == b_id && a.color == b.color && a.source.x == b.source.x &&
         a.source.y == b.source.y && a.source.w == b.source.w && a.source.h == b.source.h &&
         a.target.x == b.target.x && a.target.y == b.target.y && a.target.w == b.target.w &&
         a.target.h == b.target.h;
}

std::uint64_t id_of(const scene::DrawCommand& c) {
  return c.kind == scene::DrawCommand::Kind::image && c.image ? c.image->id : 0;
}

// Whether a command after commands[i] draws the same image.
bool drawn_again(const std::vector<scene::DrawCommand>& commands, std::size_t i) {
  const std::uint64_t id = id_of(commands[i]);
  return std::any_of(commands.begin() + std::ptrdiff_t(i) + 1, commands.end(),
                     [id](const scene::DrawCommand& c) { return id_of(c) == id; });
}

}  // namespace

void Renderer::draw(const scene::DrawList& list) {
  State& s = *state_;
  SDL_Renderer* r = s.renderer.get();
  if (s.target) SDL_SetRenderTarget(r, s.target.get());
  const auto W = float(s.scene.width), H = float(s.scene.height);
  auto covers = [&](const scene::RectF& t) {
    return t.x <= 0 && t.y <= 0 && t.x + t.w >= W && t.y + t.h >= H;
  };
  // Skip the clear when the commands paint every pixel opaquely (a card), or the first one does.
  bool covered = list.covers_screen;
  if (!covered && !list.commands.empty()) {
    const scene::DrawCommand& first = list.commands.front();
    if (covers(first.target) && (first.color & 0xff) == 0xff) {
      if (first.kind == scene::DrawCommand::Kind::fill) {
        covered = true;
      } else if (first.image) {
        CachedTexture* t = s.find_or_upload(*first.image);
        covered = t && t->opaque && first.source.x == 0 && first.source.y == 0 &&
                  first.source.w == t->width && first.source.h == t->height;
      }
    }
  }

  // What changed since the last frame: commands that differ at the same position, and the
  // ones only one of the two lists has. Every other pixel is painted by the same commands in
  // the same order as last time, so it is already right.
  Damage damage;
  const auto& now = list.commands;
  const auto& before = s.last.commands;
  damage.everything = !s.retains_frame || !s.last_valid || s.last.clear != list.clear ||
                      now.size() > kMaxRememberedCommands;
  if (!damage.everything) {
    const std::size_t common = std::min(now.size(), before.size());
    for (std::size_t i = 0; i < common; ++i) {
      if (!same(now[i], id_of(now[i]), before[i], s.last_ids[i])) {
        damage.add(before[i].target, s.scene.width, s.scene.height);
        damage.add(now[i].target, s.scene.width, s.scene.height);
      }
    }
    for (std::size_t i = common; i < before.size(); ++i) {
      damage.add(before[i].target, s.scene.width, s.scene.height);
    }
    for (std::size_t i = common; i < now.size(); ++i) {
      damage.add(now[i].target, s.scene.width, s.scene.height);
    }
  }
  if (s.retains_frame) {
    s.last_valid = now.size() <= kMaxRememberedCommands;
    if (s.last_valid) {
      s.last.clear = list.clear;
      s.last.commands.assign(now.begin(), now.end());  // within the reserved capacity
      s.last_ids.clear();
      for (const scene::DrawCommand& c : now) s.last_ids.push_back(id_of(c));
    }
  }
  if (damage.everything) {
    damage.count = 1;
    damage.rects[0] = SDL_Rect{0, 0, s.scene.width, s.scene.height};
  }

  for (int d = 0; d < damage.count; ++d) {
    const SDL_Rect& area = damage.rects[d];
    const bool whole = damage.everything;
    // An opaque fill over the whole area hides the clear and everything drawn before it (the
    // ticker band's fill, when only the ticker moved): start there.
    std::size_t begin = 0;
    for (std::size_t i = list.commands.size(); i-- > 0;) {
      const scene::DrawCommand& c = list.commands[i];
      if (c.kind == scene::DrawCommand::Kind::fill && (c.color & 0xff) == 0xff &&
          c.target.x <= float(area.x) && c.target.y <= float(area.y) &&
          c.target.x + c.target.w >= float(area.x + area.w) &&
          c.target.y + c.target.h >= float(area.y + area.h)) {
        begin = i;
        break;
      }
    }
    if (!whole) SDL_RenderSetClipRect(r, &area);
    if (!covered && begin == 0) {
      set_draw_color(r, list.clear);
      if (whole) {
        SDL_RenderClear(r);
      } else {
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
        SDL_RenderFillRect(r, &area);  // SDL_RenderClear ignores the clip rectangle
      }
    }
    const SDL_FRect clip{float(area.x), float(area.y), float(area.w), float(area.h)};
    for (std::size_t i = begin; i < list.commands.size(); ++i) {
      const scene::DrawCommand& c = list.commands[i];
      const auto alpha = Uint8(c.color);
      if (alpha == 0) continue;
      const SDL_FRect dst{c.target.x, c.target.y, c.target.w, c.target.h};
      if (!whole && !SDL_HasIntersectionF(&dst, &clip)) continue;
      if (c.kind == scene::DrawCommand::Kind::fill) {
        set_draw_color(r, c.color);
        SDL_SetRenderDrawBlendMode(r, alpha == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
        SDL_RenderFillRectF(r, &dst);
        continue;
      }
      if (!c.image) continue;
      CachedTexture* t = s.find_or_upload(*c.image);
      if (!t) continue;
      SDL_Texture* tex = t->texture.get();
      SDL_SetTextureColorMod(tex, Uint8(c.color >> 24), Uint8(c.color >> 16), Uint8(c.color >> 8));
      SDL_SetTextureAlphaMod(tex, alpha);
      SDL_SetTextureBlendMode(tex,
                              t->opaque && alpha == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
      const SDL_Rect src{c.source.x, c.source.y, c.source.w, c.source.h};
      SDL_RenderCopyF(r, tex, &src, &dst);
      if (!s.keep_textures && whole && !drawn_again(list.commands, i)) s.free_texture(t);
    }
    if (!whole) SDL_RenderSetClipRect(r, nullptr);
  }
  if (s.target) SDL_SetRenderTarget(r, nullptr);
  s.composed = false;
}

namespace {

// Puts the frame last drawn on the output as the screen shows it: with a rotation the scene is
// turned onto the output's back buffer (or surface). Once per frame.
void compose(Renderer::State& s) {
  if (s.composed) return;
  s.composed = true;
  if (!s.target) return;
  SDL_Renderer* r = s.renderer.get();
  SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
  SDL_RenderClear(r);
  // Centre the scene on the output, then turn it about its centre.
  const SDL_Rect dst{(s.output.width - s.scene.width) / 2, (s.output.height - s.scene.height) / 2,
                     s.scene.width, s.scene.height};
  SDL_RenderCopyEx(r, s.target.get(), nullptr, &dst, double(s.rotate), nullptr, SDL_FLIP_NONE);
}

// Rows [y, y + rows) of the frame last drawn into `out`, straight RGBA.
void read_rows(Renderer::State& s, int y, int rows, std::uint8_t* out) {
  SDL_Renderer* r = s.renderer.get();
  if (s.target) SDL_SetRenderTarget(r, s.target.get());
  const SDL_Rect rect{0, y, s.scene.width, rows};
  if (SDL_RenderReadPixels(r, &rect, SDL_PIXELFORMAT_RGBA32, out, s.scene.width * 4) != 0) {
    std::fprintf(stderr, "signage-player: cannot read the frame back: %s\n", SDL_GetError());
  }
  if (s.target) SDL_SetRenderTarget(r, nullptr);
  // The frame is opaque whatever the renderer left in the alpha channel.
  const std::size_t size = std::size_t(s.scene.width) * rows * 4;
  for (std::size_t i = 3; i < size; i += 4) out[i] = 255;
}

}  // namespace

text::RgbaImage Renderer::read_frame() {
  State& s = *state_;
  text::RgbaImage image(s.scene.width, s.scene.height);
  read_rows(s, 0, s.scene.height, image.pixels.data());
  return image;
}

RgbaRows Renderer::frame_rows() {
  // Bands of 32 rows: 240 KB at 1920 wide, few enough calls into SDL to cost nothing.
  static constexpr int kBand = 32;
  State* s = state_.get();
  RgbaRows rows;
  rows.width = s->scene.width;
  rows.height = s->scene.height;
  rows.opaque = true;
  rows.row = [s, band = std::vector<std::uint8_t>(), first = -1,
              count = 0](int y) mutable -> const std::uint8_t* {
    const std::size_t stride = std::size_t(s->scene.width) * 4;
    if (y < first || y >= first + count) {
      first = y;
      count = std::min(kBand, s->scene.height - y);
      band.resize(stride * std::size_t(count));
      read_rows(*s, first, count, band.data());
    }
    return band.data() + stride * std::size_t(y - first);
  };
  return rows;
}

text::RgbaImage Renderer::read_output() {
  State& s = *state_;
  compose(s);
  text::RgbaImage image(s.output.width, s.output.height);
  const SDL_Rect rect{0, 0, s.output.width, s.output.height};
  if (SDL_RenderReadPixels(s.renderer.get(), &rect, SDL_PIXELFORMAT_RGBA32, image.pixels.data(),
                           image.width * 4) != 0) {
    std::fprintf(stderr, "signage-player: cannot read the output back: %s\n", SDL_GetError());
  }
  for (std::size_t i = 3; i < image.pixels.size(); i += 4) image.pixels[i] = 255;
  return image;
}

void Renderer::present() {
  State& s = *state_;
  compose(s);
  SDL_RenderPresent(s.renderer.get());
  s.composed = false;  // a GPU's back buffer is undefined after the flip
  s.presented_pixels = std::int64_t(s.output.width) * s.output.height;
}

bool Renderer::poll_quit() {
  if (!state_->subsystem || !state_->subsystem->ok()) return false;
  SDL_Event event;
  bool quit = false;
  while (SDL_PollEvent(&event)) {
    if (event.type == SDL_QUIT) quit = true;
    if (event.type == SDL_KEYDOWN &&
        (event.key.keysym.sym == SDLK_ESCAPE || event.key.keysym.sym == SDLK_q)) {
      quit = true;
    }
  }
  return quit;
}

}  // namespace signage::render
