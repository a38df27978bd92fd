// The renderer: the only module that talks to SDL's renderer.
//
//   auto renderer = Renderer::open(options, &error);   // a window, the Pi console, or headless
//   renderer->upload(image);                           // optional: before the image is first drawn
//   renderer->draw(draw_list);                         // the frame, at scene_size()
//   renderer->read_frame();                            // optional: the frame as RGBA (PNG output)
//   renderer->present();                               // waits for vsync when paced by the display
//
// Two ways to put a frame on a screen (RendererChoice):
//   gpu       SDL's accelerated renderer (OpenGL or OpenGLES2; on a Pi console KMSDRM + GLES2 on
//             V3D/VC4). Every frame is drawn whole and flipped: the GPU composes textures.
//   software  SDL's software renderer drawing into a frame that keeps its pixels (headless: an
//             offscreen surface; a window: X11's shared-memory window surface, with SDL's
//             framebuffer acceleration turned off so no GL library is ever loaded). Only the
//             rectangles whose draw commands changed are repainted and sent to the screen, so a
//             ticker frame costs the ticker band, not the screen.
// `automatic` takes gpu when the machine has a GPU (a DRM render node of a hardware driver, or
// SDL's KMSDRM console) and software otherwise (no GPU: Mesa's llvmpipe would draw every pixel
// on the CPU and map 60 MB of LLVM to do it).
//
// Textures are cached by scene::Image::id: uploaded on first use (or by upload()), freed by
// retain_only() once no prepared content refers to the image any more. With a rotation the scene
// is drawn at the rotated size (e.g. 1080x1920 on a 1920x1080 output): on a GPU into a target
// texture turned whole onto the output; in software into a surface that keeps its pixels, of
// which only the damaged rectangles are turned onto the output (exactly, pixel for pixel).
//
// A Renderer belongs to the thread that opened it (SDL's renderer is single-threaded).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "picture/picture.h"
#include "scene/scene.h"
#include "text/text.h"

struct SDL_Surface;

namespace signage::render {

// Writes `image` as a PNG. Returns an empty string on success, else what went wrong.
std::string save_png(const text::RgbaImage& image, const std::string& path);

// Frees what SDL keeps for the calling thread (its error message buffer): call at the end of a
// thread SDL did not create that used a Renderer, after the Renderer is gone.
void release_thread_state();

// Straight-RGBA rows of an image read top to bottom: an RgbaImage, or the frame still in the
// renderer (Renderer::frame_rows), so a frame can be encoded without a copy of it whole.
struct RgbaRows {
  int width = 0;
  int height = 0;
  bool opaque = false;  // every alpha is 255 (a frame)
  // Row y (width * 4 bytes), valid until the next call. Rows are asked for top to bottom (the
  // last one possibly again).
  std::function<const std::uint8_t*(int y)> row;
};
RgbaRows rows_of(const text::RgbaImage& image);  // refers to `image`

// `image` as PNG bytes in memory, with libpng at zlib `level` (1: fast, for previews); RGB when
// every pixel is opaque. nullopt for an empty image.
std::optional<std::string> encode_png(const text::RgbaImage& image, int level = 1);
std::optional<std::string> encode_png(const RgbaRows& rows, int level = 1);

// `image` reduced to width x height by area averaging (each source pixel weighs by how much of
// the output pixel it covers): thumbnails that keep thin text strokes.
text::RgbaImage downscale(const text::RgbaImage& image, int width, int height);
text::RgbaImage downscale(const RgbaRows& rows, int width, int height);

// Decodes a PNG or JPEG file (told apart by content, not name) with libpng or libjpeg into a
// Picture for a scene of `screen`: the header is read first and the picture decoded within
// picture::kBudgetBytes, a large JPEG reduced while decoding to the smallest size that still
// covers the screen (picture::plan_decode). Reads the disk: call it from a worker, never from the
// frame loop. nullopt and *error set when it cannot be read or decoded, or does not fit the
// budget (the message says its size, the limit and what to do). *damaged (when given): a JPEG
// cut short or with broken data, decoded as far as it goes (the player shows it; the studio
// refuses it).
std::optional<scene::Picture> load_picture(const std::filesystem::path& path, std::string* error,
                                           scene::Size screen = {picture::kLargestScreen.width,
                                                                 picture::kLargestScreen.height},
                                           bool* damaged = nullptr);

// The same at full size, converted whole to straight RGBA (golden images in tests).
std::optional<text::RgbaImage> load_image(const std::filesystem::path& path, std::string* error);

enum class Output {
  window,      // a desktop window of `size`
  fullscreen,  // the whole display at its own mode (on a Pi console: SDL's KMSDRM driver)
  headless,    // no display: SDL's software renderer drawing into a surface of `size`
};

enum class RendererChoice { automatic, gpu, software };

// "auto", "gpu", "software" (the --renderer setting); nullopt for anything else.
std::optional<RendererChoice> parse_renderer_choice(std::string_view text);

// What `automatic` looks at, found without loading GL (find_machine_graphics) ...
struct MachineGraphics {
  std::string video_driver;                      // SDL's video driver: "x11", "wayland", "KMSDRM"
  bool libgl_always_software = false;            // LIBGL_ALWAYS_SOFTWARE is set
  std::vector<std::string> render_node_drivers;  // /sys/class/drm/renderD*/device/driver
};
MachineGraphics find_machine_graphics(std::string video_driver);

// ... and what it takes: gpu for SDL's KMSDRM console or a DRM render node of a hardware driver
// (not vgem or vkms), software otherwise or when LIBGL_ALWAYS_SOFTWARE is set. `reason` says
// why for the log ("software: no GPU found (no DRM render node)").
struct RendererDecision {
  RendererChoice choice = RendererChoice::software;
  std::string reason;
};
RendererDecision decide_renderer(const MachineGraphics& machine);

struct RendererOptions {
  Output output = Output::window;
  RendererChoice renderer = RendererChoice::automatic;  // headless is always software
  scene::Size size{1920, 1080};  // the output's size (ignored for fullscreen: the display's)
  int rotate = 0;                // 0, 90, 180 or 270 degrees clockwise
  bool vsync = true;             // false: present as fast as possible (--unpaced)
  int max_texture_size = 0;      // > 0: use at most this, even if the renderer allows more
  // Headless keeps the last frame and repaints only what changed; true repaints every pixel of
  // every frame, as a display must (benchmarks compare frames of equal base cost this way).
  bool repaint_everything = false;
  // false: draw() frees each texture once it has drawn it for the last time in the frame, so an
  // image's pixels and its texture are held together for one image at a time, not for the
  // whole card (stills: the studio's peak memory). Each frame then uploads everything again.
  bool keep_textures = true;
  std::string title = "signage-player";
};

// What went wrong when no display could be opened, phrased for the person at the console.
std::string no_display_message(const std::string& sdl_error);

class Renderer {
 public:
  // nullptr and *error set when the output cannot be opened (no display, bad options).
  static std::unique_ptr<Renderer> open(const RendererOptions& options, std::string* error);
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  scene::Size scene_size() const;   // what the scene is laid out for (rotated)
  scene::Size output_size() const;  // the output in its own orientation
  int rotate() const;
  int max_texture_size() const;  // images wider or taller than this are not drawn
  double refresh_hz() const;     // the display's rate; 60 when unknown or headless
  bool vsync() const;            // whether present() waits for the display
  std::string driver() const;    // e.g. "x11/opengl", "KMSDRM/opengles2", "headless/software"
  bool accelerated() const;      // drawn by a GPU renderer (which may still be Mesa's llvmpipe)
  // Why this renderer: "software: no GPU found (no DRM render node)", "gpu: asked for ...";
  // when `automatic` found GL drawing on the CPU (llvmpipe) it says so and is software.
  std::string reason() const;
  // Bytes of pixels held in textures now: the cache, its spares and the rotation target, at 4
  // bytes a pixel (what a GPU's memory must hold; a Pi 3's budget is about 48 MB at 1080p).
  std::uint64_t texture_bytes() const;
  // Pixels the last present() sent to the screen: the damaged rectangles in software, the whole
  // output on a GPU.
  std::int64_t presented_pixels() const;

  // Texture cache. upload() gives `image` a texture, converting at most `max_rows` more rows
  // (so a full-screen card can be uploaded over a few frames before it shows); true once the
  // texture is complete. draw() completes what is missing; an image that cannot have a texture
  // (too large, out of memory) is skipped.
  bool upload(const scene::Image& image, int max_rows = 1 << 30);
  bool has_texture(const scene::Image& image) const;  // cached and complete
  // Frees every cached texture whose id is not in `live` (sorted or not); small ones are kept
  // as spares for the next image of the same size. No allocation.
  void retain_only(std::span<const std::uint64_t> live);
  std::size_t cached_textures() const;
  std::uint64_t uploads() const;  // textures created so far
  // Images draw() had to upload or finish itself because upload() had not completed them: a
  // whole card converted inside one frame. The player uploads ahead, so after the first frame
  // this stays 0 while it keeps up.
  std::uint64_t uploads_in_draw() const;

  // Draws the frame (clear colour, then the commands in order).
  void draw(const scene::DrawList& list);
  // The frame last drawn, at scene_size(), straight RGBA. Call before present().
  text::RgbaImage read_frame();
  // The same a band of rows at a time (no copy of the whole frame; the PNG of a still), valid
  // until the next draw() or present() and while the renderer lives.
  RgbaRows frame_rows();
  void present();
  // The output as the screen shows it (rotated when rotating), straight RGBA, for every output:
  // call after draw(); before present() on a GPU, whose buffer is undefined after the flip.
  text::RgbaImage read_output();

  // Handles window events; true when the user asked to quit (window closed, Escape, q).
  bool poll_quit();

  struct State;

 private:
  explicit Renderer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace signage::render
