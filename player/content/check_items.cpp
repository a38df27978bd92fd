// The Checker on the cards: each item by its type, statistics, and the items list as a whole
// (unique ids, generated ones for the rest).
#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "content/checker.h"
#include "content/diagnostics.h"

namespace signage::content::detail {
namespace {

struct ItemKindInfo {
  const char* name;
  ItemType type;
  std::vector<const char*> fields;  // besides the common ones
};

const std::vector<ItemKindInfo>& item_kinds() {
  static const std::vector<ItemKindInfo> kinds = {
      {"headline", ItemType::headline, {"title", "subtitle", "body", "image", "fit", "focus"}},
      {"statistic",
       ItemType::statistic,
       {"value", "unit", "label", "comparison", "series", "source"}},
      {"statistic_group", ItemType::statistic_group, {"title", "statistics"}},
      {"notice", ItemType::notice, {"title", "body"}},
      {"image", ItemType::image, {"image", "fit", "focus", "caption"}},
      {"alert", ItemType::alert, {"title", "body", "priority"}},
  };
  return kinds;
}

const ItemKindInfo& kind_of(ItemType type) {
  const auto& kinds = item_kinds();
  return *std::find_if(kinds.begin(), kinds.end(),
                       [&](const ItemKindInfo& kind) { return kind.type == type; });
}

const std::vector<const char*> kCommonItemFields = {"type", "id", "duration", "transition",
                                                    "schedule"};

}  // namespace

// "fit": "contain" | "cover" and "focus": [x, y], each 0..1 from the picture's left and top.
void Checker::check_fit_and_focus(const JsonValue& item, const std::string& pointer, Item& out) {
  if (const JsonValue* fit = find(item, "fit")) {
    ImageFit chosen = ImageFit::contain;
    if (choice<ImageFit>(*fit, child(pointer, "fit"),
                         {{"contain", ImageFit::contain}, {"cover", ImageFit::cover}}, chosen)) {
      out.fit = chosen;
    }
  }
  const JsonValue* focus = find(item, "focus");
  if (!focus) return;
  const std::string focus_pointer = child(pointer, "focus");
  const std::string what =
      "a point of the picture [x, y], each 0 to 1 from its left and top, e.g. [0.5, 0.3]";
  if (focus->kind != Kind::array) {
    expected(*focus, focus_pointer, what);
    return;
  }
  if (focus->children.size() != 2) {
    const std::size_t n = focus->children.size();
    error(focus->offset, focus_pointer,
          "expected " + what + ", got an array of " + std::to_string(n) +
              (n == 1 ? " value" : " values"));
    return;
  }
  number(focus->children[0], child(focus_pointer, 0), 0, 1, false,
         "x, from the picture's left edge (0) to its right edge (1),", out.focus_x);
  number(focus->children[1], child(focus_pointer, 1), 0, 1, false,
         "y, from the picture's top edge (0) to its bottom edge (1),", out.focus_y);
}

// "priority": 1 (information), 2 (warning, the default) or 3 (emergency).
void Checker::check_alert_priority(const JsonValue& item, const std::string& pointer, Item& out) {
  const JsonValue* priority = find(item, "priority");
  if (!priority) return;
  // Positive whole numbers parse as unsigned; anything else (2.5, "3", -1) is refused.
  const std::uint64_t value =
      priority->kind == Kind::unsigned_integer ? priority->unsigned_integer : 0;
  if (value < kMinAlertPriority || value > kMaxAlertPriority) {
    expected(*priority, child(pointer, "priority"),
             "the alert's priority: 1 (information), 2 (warning) or 3 (emergency)");
    return;
  }
  out.priority = int(value);
}

bool Checker::check_statistic(const JsonValue& object, const std::string& pointer,
                              StatisticValue& out) {
  std::size_t errors_before = errors_;
  if (const JsonValue* value = find(object, "value"); value && value->is_number()) {
    // A common slip: the value written as a JSON number. It is a string so that "1.30" or
    // "690万余" keep their exact form.
    error(value->offset, child(pointer, "value"),
          "expected the value as a string, exactly as it should show (\"" + describe(*value) +
              "\"), got the number " + describe(*value));
  } else {
    required_text(object, pointer, "value", out.value, false,
                  "the number as written, such as \"690万余\"");
  }
  required_text(object, pointer, "label", out.label, false, "what the number counts");
  optional_text(object, pointer, "unit", out.unit, false);
  optional_text(object, pointer, "comparison", out.comparison, false);
  if (const JsonValue* series = find(object, "series")) {
    check_series(*series, child(pointer, "series"), out.series);
  }
  if (const JsonValue* source = find(object, "source")) {
    ValueSource live;
    check_value_source(*source, child(pointer, "source"), live);
    out.source = std::move(live);
  }
  return errors_ == errors_before;
}

// "series": [{"label": "2023", "value": 600}, ...], the bars of a small chart.
void Checker::check_series(const JsonValue& series, const std::string& pointer,
                           std::vector<StatisticValue::Point>& out) {
  if (series.kind != Kind::array) {
    expected(series, pointer, "an array of bars such as [{\"label\": \"2023\", \"value\": 600}]");
    return;
  }
  if (series.children.empty() || series.children.size() > kMaxSeriesPoints) {
    error(series.offset, pointer,
          "expected 1 to " + std::to_string(kMaxSeriesPoints) + " bars, got " +
              std::to_string(series.children.size()));
    return;
  }
  for (std::size_t i = 0; i < series.children.size(); ++i) {
    const JsonValue& bar = series.children[i];
    std::string bar_pointer = child(pointer, i);
    if (!require_object(bar, bar_pointer, "a bar {\"label\": ..., \"value\": ...}")) continue;
    StatisticValue::Point point;
    required_text(bar, bar_pointer, "label", point.label, false, "the bar's caption");
    if (const JsonValue* value = find(bar, "value")) {
      number(*value, child(bar_pointer, "value"), -kMaxSeriesValue, kMaxSeriesValue, false,
             "a number", point.value);
    } else {
      error(bar.offset, child(bar_pointer, "value"),
            "missing required field \"value\" (the bar's height, a number)");
    }
    unknown_fields(bar, bar_pointer, {"label", "value"}, "a bar");
    out.push_back(std::move(point));
  }
}

// "type": one of the kinds; sets item.type. False when there is no known type to go on with.
bool Checker::check_item_type(const JsonValue& v, const std::string& pointer, Item& item) {
  const JsonValue* type = find(v, "type");
  std::string type_names;
  for (const auto& kind : item_kinds()) {
    if (!type_names.empty()) type_names += ", ";
    type_names += "\"" + std::string(kind.name) + "\"";
  }
  if (!type) {
    error(v.offset, child(pointer, "type"),
          "missing required field \"type\" (one of " + type_names + ")");
    return false;
  }
  for (const auto& kind : item_kinds()) {
    if (type->kind == Kind::string && type->string == kind.name) {
      item.type = kind.type;
      return true;
    }
  }
  expected(*type, child(pointer, "type"), "one of " + type_names);
  return false;
}

// The fields every type has: "id", "duration", "transition", "schedule".
void Checker::check_item_common(const JsonValue& v, const std::string& pointer, Item& item) {
  if (const JsonValue* id = find(v, "id")) {
    if (id->kind != Kind::string || !is_safe_id(id->string)) {
      expected(*id, child(pointer, "id"),
               "an id of 1 to 64 letters, digits, '-', '_' or '.' (such as \"stat-visitors\")");
    } else {
      item.id = id->string;
    }
  }
  if (const JsonValue* duration = find(v, "duration")) {
    if (number(*duration, child(pointer, "duration"), 0, kMaxDurationS, true,
               "a duration in seconds", item.duration_s) &&
        item.duration_s < 1) {
      warning(duration->offset, child(pointer, "duration"),
              "a card shown for less than a second cannot be read");
    }
  }
  if (const JsonValue* transition = find(v, "transition")) {
    choice<Transition>(
        *transition, child(pointer, "transition"),
        {{"fade", Transition::fade}, {"slide", Transition::slide}, {"cut", Transition::cut}},
        item.transition);
  }
  if (const JsonValue* schedule = find(v, "schedule")) {
    check_schedule(*schedule, child(pointer, "schedule"), item.schedule);
  }
}

// "statistics": 2 to 6 statistics side by side.
void Checker::check_statistic_group(const JsonValue& v, const std::string& pointer, Item& item) {
  const JsonValue* statistics = find(v, "statistics");
  std::string statistics_pointer = child(pointer, "statistics");
  if (!statistics) {
    error(v.offset, statistics_pointer,
          "missing required field \"statistics\" (2 to 6 statistics)");
    return;
  }
  if (statistics->kind != Kind::array) {
    expected(*statistics, statistics_pointer, "an array of 2 to 6 statistics");
    return;
  }
  if (statistics->children.size() < 2 || statistics->children.size() > 6) {
    error(statistics->offset, statistics_pointer,
          "expected 2 to 6 statistics, got " + std::to_string(statistics->children.size()));
    return;
  }
  for (std::size_t i = 0; i < statistics->children.size(); ++i) {
    const JsonValue& s = statistics->children[i];
    std::string s_pointer = child(statistics_pointer, i);
    if (!require_object(s, s_pointer,
                        "a statistic {\"value\": ..., \"unit\": ..., \"label\": ...}")) {
      continue;
    }
    StatisticValue statistic;
    check_statistic(s, s_pointer, statistic);
    unknown_fields(s, s_pointer, {"value", "unit", "label", "comparison", "series", "source"},
                   "a statistic");
    item.statistics.push_back(std::move(statistic));
  }
}

// The fields of item.type.
void Checker::check_item_fields(const JsonValue& v, const std::string& pointer, Item& item) {
  switch (item.type) {
    case ItemType::headline:
      required_text(v, pointer, "title", item.title, true, "a headline needs a title");
      optional_text(v, pointer, "subtitle", item.subtitle, true);
      optional_text(v, pointer, "body", item.body, true);
      if (const JsonValue* image = find(v, "image")) {
        check_asset(*image, child(pointer, "image"), item.image);
      }
      check_fit_and_focus(v, pointer, item);
      break;
    case ItemType::statistic: {
      StatisticValue statistic;
      check_statistic(v, pointer, statistic);
      item.statistics.push_back(std::move(statistic));
      break;
    }
    case ItemType::statistic_group:
      optional_text(v, pointer, "title", item.title, true);
      check_statistic_group(v, pointer, item);
      break;
    case ItemType::notice:
      optional_text(v, pointer, "title", item.title, true);
      required_text(v, pointer, "body", item.body, true, "a notice needs a body");
      break;
    case ItemType::image:
      if (const JsonValue* image = find(v, "image")) {
        check_asset(*image, child(pointer, "image"), item.image);
      } else {
        error(v.offset, child(pointer, "image"),
              "missing required field \"image\" (a PNG or JPEG file in the bundle)");
      }
      check_fit_and_focus(v, pointer, item);
      optional_text(v, pointer, "caption", item.title, false);
      break;
    case ItemType::alert:
      required_text(v, pointer, "title", item.title, true, "an alert needs a title");
      optional_text(v, pointer, "body", item.body, true);
      check_alert_priority(v, pointer, item);
      if (!find(v, "schedule")) {
        warning(v.offset, pointer,
                "an alert without a schedule pre-empts the loop all the time; give it "
                "\"schedule\": {\"valid_from\": ..., \"valid_until\": ...}");
      }
      break;
  }
}

// Fields of no type are unknown; those of another type are "not used by" this one.
void Checker::unknown_item_fields(const JsonValue& v, const std::string& pointer, ItemType type) {
  const ItemKindInfo& info = kind_of(type);
  std::vector<const char*> known = kCommonItemFields;
  known.insert(known.end(), info.fields.begin(), info.fields.end());
  std::vector<const char*> elsewhere;
  for (const auto& kind : item_kinds()) {
    for (const char* field : kind.fields) {
      if (std::find_if(known.begin(), known.end(), [&](const char* k) {
            return std::string_view(k) == field;
          }) == known.end()) {
        elsewhere.push_back(field);
      }
    }
  }
  unknown_fields(v, pointer, known, std::string(info.name) + " items", elsewhere);
}

bool Checker::check_item(const JsonValue& v, const std::string& pointer, Item& item) {
  if (!require_object(v, pointer, "an item object with a \"type\"")) return false;
  if (!check_item_type(v, pointer, item)) return false;
  std::size_t errors_before = errors_;
  check_item_common(v, pointer, item);
  check_item_fields(v, pointer, item);
  unknown_item_fields(v, pointer, item.type);
  return errors_ == errors_before;
}

void Checker::check_items(const JsonValue& v, const std::string& pointer, Playlist& playlist,
                          double default_duration, Transition default_transition) {
  if (v.kind != Kind::array) {
    expected(v, pointer, "an array of items");
    return;
  }
  if (v.children.size() > limits_.max_items) {
    error(v.offset, pointer,
          "expected at most " + std::to_string(limits_.max_items) + " items, got " +
              std::to_string(v.children.size()));
    return;
  }
  std::unordered_map<std::string, std::size_t> id_offsets;
  for (std::size_t i = 0; i < v.children.size(); ++i) {
    const JsonValue& element = v.children[i];
    Item item;
    item.duration_s = default_duration;
    item.transition = default_transition;
    std::string item_pointer = child(pointer, i);
    check_item(element, item_pointer, item);
    if (!item.id.empty()) {
      auto [it, inserted] = id_offsets.emplace(item.id, element.offset);
      if (!inserted) {
        const JsonValue* id = find(element, "id");
        error(id ? id->offset : element.offset, child(item_pointer, "id"),
              "duplicate item id " + quote_text(item.id) + " (first at " + where(it->second) + ")");
      }
    }
    playlist.items.push_back(std::move(item));
  }
  // Generated ids: "item-N" after the item's index, made unique against the written ones.
  for (std::size_t i = 0; i < playlist.items.size(); ++i) {
    Item& item = playlist.items[i];
    if (!item.id.empty()) continue;
    std::string id = "item-" + std::to_string(i);
    while (id_offsets.count(id)) id += "_";
    id_offsets.emplace(id, 0);
    item.id = id;
  }
  if (v.children.empty()) {
    warning(v.offset, pointer, "no items: the screen shows only the fallback (title and clock)");
  }
}

}  // namespace signage::content::detail
