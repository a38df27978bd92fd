// Per-thread counts of the work the frame loop must never do: laying out text, rasterizing
// glyphs and reading files. The worker adds to them around everything it prepares; a test (or the
// stats) reads the render thread's counts to show it did none.
//
// These thread_local counters are the one piece of mutable state outside an object that the
// project allows: they are per thread (no sharing, no locks), only ever incremented where the
// work happens, and read by the same thread through work_counters().
#pragma once

#include <cstdint>

namespace signage::run {

struct WorkCounters {
  std::uint64_t text_layouts = 0;          // scene::prepare_* calls (each lays out text)
  std::uint64_t glyph_rasterizations = 0;  // glyphs rasterized by a GlyphCache on this thread
  std::uint64_t file_reads = 0;            // playlist and image files read on this thread
};

// This thread's counters.
WorkCounters& work_counters();

}  // namespace signage::run
