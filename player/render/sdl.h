// RAII owners for the SDL objects the renderer uses. Every SDL resource in the program is held by
// one of these, so an early return or an exception never leaks a window, renderer or texture.
#pragma once

#include <SDL.h>

#include <memory>
#include <string>

namespace signage::render {

struct SdlDeleter {
  void operator()(SDL_Window* p) const noexcept { SDL_DestroyWindow(p); }
  void operator()(SDL_Renderer* p) const noexcept { SDL_DestroyRenderer(p); }
  void operator()(SDL_Texture* p) const noexcept { SDL_DestroyTexture(p); }
  void operator()(SDL_Surface* p) const noexcept { SDL_FreeSurface(p); }
};

using WindowPtr = std::unique_ptr<SDL_Window, SdlDeleter>;
using RendererPtr = std::unique_ptr<SDL_Renderer, SdlDeleter>;
using TexturePtr = std::unique_ptr<SDL_Texture, SdlDeleter>;
using SurfacePtr = std::unique_ptr<SDL_Surface, SdlDeleter>;

// One reference to an SDL subsystem (SDL counts them): initialized by the constructor, released
// by the destructor. ok() says whether the initialization worked; error() says why not.
class SdlSubsystem {
 public:
  explicit SdlSubsystem(Uint32 flags) : flags_(flags) {
    if (SDL_InitSubSystem(flags) == 0) {
      ok_ = true;
    } else {
      error_ = SDL_GetError();
    }
  }
  ~SdlSubsystem() {
    if (ok_) SDL_QuitSubSystem(flags_);
  }
  SdlSubsystem(const SdlSubsystem&) = delete;
  SdlSubsystem& operator=(const SdlSubsystem&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

 private:
  Uint32 flags_;
  bool ok_ = false;
  std::string error_;
};

}  // namespace signage::render
