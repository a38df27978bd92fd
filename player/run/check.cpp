// Text-fit warnings and the loop report: the parts of `check` the studio shows too.
#include "run/check.h"

#include <algorithm>

namespace signage::run {
namespace {

struct Screen {
  const char* name;
  scene::Size size;
};
constexpr Screen kScreens[] = {{"landscape", {1920, 1080}}, {"portrait", {1080, 1920}}};

}  // namespace

std::vector<content::Diagnostic> text_fit_warnings(const content::Playlist& playlist,
                                                   const std::string& file,
                                                   const std::string& json) {
  std::string error;
  auto engine = text::TextEngine::create(text::default_fonts_dir(), &error);
  if (!engine) {
    return {{content::Severity::warning, file, 0, 0, "", "cannot check that texts fit: " + error}};
  }
  return text_fit_warnings(*engine, playlist, file, json);
}

std::vector<content::Diagnostic> text_fit_warnings(text::TextEngine& engine,
                                                   const content::Playlist& playlist,
                                                   const std::string& file,
                                                   const std::string& json) {
  text::GlyphCache glyphs(engine.fonts(), {});
  scene::Preparer preparer{engine, glyphs, {}};
  struct Cut {
    std::string pointer;
    std::size_t characters = 0;
    std::string shown;  // "38 ... in landscape (1920x1080)", one per screen
  };
  std::vector<Cut> cuts;
  for (const Screen& screen : kScreens) {
    std::vector<scene::TextOverflow> overflows;
    if (playlist.items.empty() && !playlist.title.empty())
      overflows = scene::text_overflows(preparer, playlist, std::nullopt, screen.size);
    for (std::size_t i = 0; i < playlist.items.size(); ++i) {
      auto more = scene::text_overflows(preparer, playlist, i, screen.size);
      overflows.insert(overflows.end(), more.begin(), more.end());
    }
    for (const auto& o : overflows) {
      auto cut = std::find_if(cuts.begin(), cuts.end(),
                              [&](const Cut& c) { return c.pointer == o.pointer; });
      if (cut == cuts.end()) cut = cuts.insert(cuts.end(), Cut{o.pointer, o.characters, ""});
      std::string where = std::string(screen.name) + " (" + std::to_string(screen.size.width) +
                          "x" + std::to_string(screen.size.height) + ")";
      cut->shown += cut->shown.empty()
                        ? std::to_string(o.shown_characters) + " of " +
                              std::to_string(o.characters) + " characters at the minimum size in " +
                              where
                        : " and " + std::to_string(o.shown_characters) + " in " + where;
    }
  }
  std::vector<content::Diagnostic> warnings;
  for (const Cut& cut : cuts) {
    auto at = content::locate_pointer(json, cut.pointer).value_or(content::TextPosition{});
    warnings.push_back({content::Severity::warning, file, at.line, at.column, cut.pointer,
                        "too long to fit: shows " + cut.shown +
                            ", then \"……\" (shorten it; see \"Text that does not fit\" in "
                            "playlists/README.md)"});
  }
  return warnings;
}

const char* type_name(content::ItemType type) {
  switch (type) {
    case content::ItemType::headline: return "headline";
    case content::ItemType::statistic: return "statistic";
    case content::ItemType::statistic_group: return "statistic_group";
    case content::ItemType::notice: return "notice";
    case content::ItemType::image: return "image";
    case content::ItemType::alert: return "alert";
  }
  return "item";
}

LoopReport describe_loop(const std::shared_ptr<const content::Playlist>& playlist,
                         std::int64_t clock) {
  const std::size_t n = playlist->items.size();
  const scene::LoopRound round = scene::first_round(playlist, clock, 2 * n + 2);
  LoopReport report;
  report.length = round.length;
  std::vector<bool> shown(n, false);
  for (const scene::Slot& slot : round.slots) {
    report.slots.push_back({slot.item, slot.start, slot.end - slot.start, slot.alert});
    if (slot.item) shown[*slot.item] = true;
  }
  const bool alerts = std::any_of(round.slots.begin(), round.slots.end(),
                                  [](const scene::Slot& slot) { return slot.alert; });
  for (std::size_t i = 0; i < n; ++i) {
    if (shown[i]) continue;
    const AbsentReason why = !content::is_eligible(playlist->items[i], clock, playlist->timezone)
                                 ? AbsentReason::outside_schedule
                             : alerts ? AbsentReason::alert_instead
                                      : AbsentReason::schedule_ends_before_turn;
    report.absent.push_back({i, why});
  }
  return report;
}

using json = nlohmann::json;

nlohmann::json diagnostics_json(const std::vector<content::Diagnostic>& diagnostics) {
  json out = json::array();
  for (const auto& d : diagnostics) {
    out.push_back({{"severity", d.severity == content::Severity::error ? "error" : "warning"},
                   {"pointer", d.pointer},
                   {"message", d.message},
                   {"line", d.line},
                   {"column", d.column}});
  }
  return out;
}

namespace {
const char* absent_reason(AbsentReason reason) {
  switch (reason) {
    case AbsentReason::outside_schedule: return "outside_schedule";
    case AbsentReason::alert_instead: return "alert_instead";
    case AbsentReason::schedule_ends_before_turn: return "schedule_ends_before_turn";
  }
  return "";
}
}  // namespace

json loop_json(const std::shared_ptr<const content::Playlist>& playlist, std::int64_t at) {
  json out = {{"at", content::format_instant(at, playlist ? playlist->timezone : "")},
              {"length_s", nullptr},
              {"slots", json::array()},
              {"absent", json::array()}};
  if (!playlist) return out;
  const LoopReport report = describe_loop(playlist, at);
  const auto seconds = [](scene::Nanos t) { return double(t) / 1e9; };
  if (report.length) out["length_s"] = seconds(*report.length);
  for (const LoopSlot& slot : report.slots) {
    json s = {{"start_s", seconds(slot.start)},
              {"duration_s", seconds(slot.duration)},
              {"alert", slot.alert}};
    if (slot.item) {
      const content::Item& item = playlist->items[*slot.item];
      s.update({{"index", *slot.item},
                {"id", item.id},
                {"type", type_name(item.type)},
                {"title", item.title}});
    } else {
      s.update(
          {{"index", nullptr}, {"id", nullptr}, {"type", "fallback"}, {"title", playlist->title}});
    }
    out["slots"].push_back(std::move(s));
  }
  for (const LoopAbsent& absent : report.absent) {
    out["absent"].push_back({{"index", absent.item},
                             {"id", playlist->items[absent.item].id},
                             {"reason", absent_reason(absent.reason)}});
  }
  return out;
}

}  // namespace signage::run
