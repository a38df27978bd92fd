// What `check` finds beyond the checker, shared by `signage-player check` and the studio: texts
// that do not fit their place on a landscape or a portrait screen, and the loop as a player
// started at a given time plays it (from the real Sequencer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "content/content.h"
#include "scene/scene.h"
#include "text/text.h"

namespace signage::run {

// One warning per text field that is cut with "……" at the minimum size on either screen, at the
// field's place in `file`, whose text is `json`. The first form creates a text engine (slow: fonts
// are opened); the studio keeps one and passes it.
std::vector<content::Diagnostic> text_fit_warnings(const content::Playlist& playlist,
                                                   const std::string& file,
                                                   const std::string& json);
std::vector<content::Diagnostic> text_fit_warnings(text::TextEngine& engine,
                                                   const content::Playlist& playlist,
                                                   const std::string& file,
                                                   const std::string& json);

// "headline", "statistic", "statistic_group", "notice", "image", "alert".
const char* type_name(content::ItemType type);

struct LoopSlot {
  std::optional<std::size_t> item;  // nullopt: the fallback screen (title and clock)
  scene::Nanos start = 0, duration = 0;
  bool alert = false;  // an alert shown instead of the loop while valid
};
enum class AbsentReason { outside_schedule, alert_instead, schedule_ends_before_turn };
struct LoopAbsent {
  std::size_t item = 0;
  AbsentReason reason = AbsentReason::outside_schedule;
};
struct LoopReport {
  std::optional<scene::Nanos> length;  // nullopt: no repeat within the slots looked at
  std::vector<LoopSlot> slots;         // one round
  std::vector<LoopAbsent> absent;      // items not in that round, and why
};
// The loop as the player plays it when started at `clock` (Unix seconds).
LoopReport describe_loop(const std::shared_ptr<const content::Playlist>& playlist,
                         std::int64_t clock);

// The JSON forms the studio's API gives (docs/studio-api.md): diagnostics as
// [{"severity", "pointer", "message", "line", "column"}], and the loop started at `at` as
// {"at", "length_s", "slots": [{"index", "id", "type", "title", "start_s", "duration_s",
// "alert"}], "absent": [{"index", "id", "reason"}]}. A null playlist has an empty loop.
nlohmann::json diagnostics_json(const std::vector<content::Diagnostic>& diagnostics);
nlohmann::json loop_json(const std::shared_ptr<const content::Playlist>& playlist, std::int64_t at);

}  // namespace signage::run
