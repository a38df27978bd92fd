// The previews' routes (docs/studio-api.md, "Previews" and "Alerts and the screen").
#include <charconv>
#include <nlohmann/json.hpp>

#include "content/content.h"
#include "studio/previews.h"

namespace signage::studio {
namespace {

using Json = nlohmann::json;

// Unsaved playlists are up to a playlist file's size (content::Limits), not the 64 KB of forms.
constexpr std::size_t kPreviewBodyBytes = 4 << 20;

bool zh(const Request& request) {
  return request.lang == "zh";
}

Response error(const Request& request, int status, const std::string& zh_text,
               const std::string& en_text, Json extra = Json::object()) {
  extra["error"] = zh(request) ? zh_text : en_text;
  Response r;
  r.status = status;
  r.body = extra.dump(-1, ' ', false, Json::error_handler_t::replace);  // an item id as sent
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// The response for a result without a picture, in words a clerk understands.
Response problem_response(const Request& q, const PreviewResult& r) {
  switch (r.problem) {
    case PreviewProblem::bad_playlist:
      return error(q, 422, "节目单有错误，请先改正标出的地方。",
                   "The playlist has errors; correct the marked fields first.",
                   {{"diagnostics", Json::parse(r.diagnostics_json, nullptr, false)}});
    case PreviewProblem::no_item:
      return error(q, 404, "找不到条目“" + r.detail + "”。",
                   "There is no item \"" + r.detail + "\".");
    case PreviewProblem::not_shown:
      return error(
          q, 422, "这个条目在 " + r.detail + " 之后的24小时内不会播出（看它的播放时段）。",
          "This item does not show in the 24 hours after " + r.detail + " (see its schedule).");
    case PreviewProblem::nothing_playing:
      return error(q, 404, "本机播放器还没有报告正在播放的内容。",
                   "The local player has not said what it is playing.");
    case PreviewProblem::no_published:
      return error(q, 404, "还没有发布过内容。", "Nothing has been published yet.");
    case PreviewProblem::no_draft:
      return error(q, 500, "草稿读不出来。", "The draft cannot be read.");
    case PreviewProblem::render_failed:
    case PreviewProblem::none: break;
  }
  return error(q, 500, "预览画不出来：" + r.detail, "The preview could not be drawn: " + r.detail);
}

Response png_response(const Request& q, const PreviewResult& r) {
  if (!r.png) return problem_response(q, r);
  Response out;
  out.headers.emplace_back("ETag", r.etag);
  out.headers.emplace_back("Cache-Control", "no-cache");
  if (auto match = q.headers.find("if-none-match");
      match != q.headers.end() && match->second == r.etag) {
    out.status = 304;
    out.content_type.clear();
    return out;
  }
  out.content_type = "image/png";
  out.body = *r.png;
  return out;
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// `at` from the query: absent is fine (now); present must be a time with its offset.
bool query_time(const Request& q, std::optional<std::int64_t>* at) {
  auto it = q.query.find("at");
  if (it == q.query.end() || it->second.empty()) return true;
  *at = content::parse_instant(it->second);
  return at->has_value();
}

Response bad_time(const Request& q) {
  return error(q, 400, "时间的写法不对，例如 2025-03-03T09:30:00+08:00。",
               "The time is not in the expected form, e.g. 2025-03-03T09:30:00+08:00.");
}

Response bad_width(const Request& q) {
  return error(q, 400, "宽度应是16到1920之间的整数。",
               "The width must be a whole number, 16 to 1920.");
}

std::optional<int> query_width(const Request& q) {
  auto it = q.query.find("width");
  if (it == q.query.end()) return 320;
  auto width = parse_int(it->second);
  if (!width || *width < 16 || *width > 1920) return std::nullopt;
  return width;
}

Response thumbnail(Previews& previews, const Request& q) {
  auto item = q.query.find("item");
  if (item == q.query.end() || item->second.empty()) {
    return error(q, 400, "缺少要预览的条目（item）。", "Which item? (item is missing)");
  }
  auto width = query_width(q);
  if (!width) return bad_width(q);
  std::optional<std::int64_t> at;
  if (!query_time(q, &at)) return bad_time(q);
  auto version = q.query.find("version");
  return png_response(q, previews.thumbnail(version == q.query.end() ? "" : version->second,
                                            item->second, *width, at));
}

Response preview(Previews& previews, const Request& q) {
  Json body = parse_json_body(q.body);
  if (!body.is_object() || !body.contains("playlist") || !body["playlist"].is_object()) {
    return error(q, 400, "请求里没有节目单（playlist）。", "The request has no playlist.");
  }
  std::string item;
  const Json& which = body.value("item", Json());
  if (which.is_string()) {
    item = which.get<std::string>();
  } else if (which.is_number_unsigned()) {
    item = std::to_string(which.get<std::uint64_t>() + 1);  // an index; find_item counts from 1
  } else {
    return error(q, 400, "缺少要预览的条目（item）。", "Which item? (item is missing)");
  }
  const std::string orientation = body.value("orientation", "landscape");
  if (orientation != "landscape" && orientation != "portrait") {
    return error(q, 400, "方向只能是横屏或竖屏。", "The orientation is landscape or portrait.");
  }
  std::optional<std::int64_t> at;
  if (body.contains("at") && !body["at"].is_null()) {
    if (body["at"].is_string()) at = content::parse_instant(body["at"].get<std::string>());
    if (!at) return bad_time(q);
  }
  return png_response(
      q, previews.preview(
             body["playlist"].dump(), item,
             orientation == "portrait" ? Orientation::portrait : Orientation::landscape, at));
}

Response contact_sheet(Previews& previews, const Request& q) {
  auto width = query_width(q);
  if (!width) return bad_width(q);
  std::optional<std::int64_t> at;
  if (!query_time(q, &at)) return bad_time(q);
  PreviewResult problem;
  auto sheet = previews.contact_sheet(at, *width, &problem);
  if (!sheet) return problem_response(q, problem);
  Response r;
  r.body = std::move(*sheet);
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

Response player_status(Previews& previews, const Request& q) {
  auto status = previews.player_status();
  if (!status) {
    return error(q, 404, "本机播放器还没有写出状态（status.json）。",
                 "The local player has not written its status (status.json).");
  }
  Response r;
  r.body = std::move(*status);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

std::vector<Route> preview_routes(Previews& previews) {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/thumbnail", Permission::signed_in, 0,
                    [&previews](const Request& q) { return thumbnail(previews, q); }});
  routes.push_back({"POST", "/api/preview", Permission::edit, kPreviewBodyBytes,
                    [&previews](const Request& q) { return preview(previews, q); }});
  routes.push_back({"GET", "/api/contact-sheet", Permission::signed_in, 0,
                    [&previews](const Request& q) { return contact_sheet(previews, q); }});
  routes.push_back({"GET", "/api/player/status", Permission::signed_in, 0,
                    [&previews](const Request& q) { return player_status(previews, q); }});
  routes.push_back({"GET", "/api/player/screen.png", Permission::signed_in, 0,
                    [&previews](const Request& q) { return png_response(q, previews.screen()); }});
  return routes;
}

}  // namespace signage::studio
