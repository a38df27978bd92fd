// The HTTP routes of the workspace (docs/studio-api.md: "The draft", "Publishing", alerts):
// thin wrappers that read the JSON body, call the Workspace and write its answer.
#include <algorithm>
#include <charconv>

#include "studio/workspace.h"

namespace signage::studio {
namespace {
using nlohmann::json;

// The playlist may be as large as the checker takes (4 MB), plus the request's other members.
constexpr std::size_t kPlaylistBody = (4 << 20) + (64 << 10);

Response answer(const Request& request, Outcome outcome) {
  if (outcome.ok()) return json_response(outcome.body.dump(), outcome.status);
  outcome.body["error"] = outcome.error.in(request.lang);
  return json_response(outcome.body.dump(), outcome.status);
}

Response bad_request(const Request& request, const char* en, const char* zh) {
  return answer(request, {400, json::object(), {en, zh}});
}

std::optional<json> body_object(const Request& request) {
  json body = parse_json_body(request.body);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

std::string user_name(const Request& request) {
  return request.user ? request.user->name : "";
}

std::optional<std::int64_t> parse_at(const json& value) {
  if (!value.is_string()) return std::nullopt;
  return content::parse_instant(value.get<std::string>());
}

}  // namespace

std::vector<Route> workspace_routes(Workspace& ws) {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/draft", Permission::signed_in, 0,
                    [&ws](const Request&) { return json_response(ws.draft_json().dump()); }});
  routes.push_back({"PUT", "/api/draft", Permission::edit, kPlaylistBody, [&ws](const Request& r) {
                      auto body = body_object(r);
                      if (!body || !(*body)["base"].is_string() || !(*body)["playlist"].is_object())
                        return bad_request(r, "Expected {\"base\", \"playlist\"}",
                                           "请求应为 {\"base\", \"playlist\"}");
                      return answer(r, ws.save_draft((*body)["base"].get<std::string>(),
                                                     (*body)["playlist"].dump(), user_name(r)));
                    }});
  routes.push_back(
      {"POST", "/api/check", Permission::signed_in, kPlaylistBody, [&ws](const Request& r) {
         auto body = body_object(r);
         if (!body || !(*body)["playlist"].is_object())
           return bad_request(r, "Expected {\"playlist\"}", "请求应为 {\"playlist\"}");
         json out = {{"diagnostics", ws.check((*body)["playlist"].dump())}};
         return json_response(out.dump());
       }});
  routes.push_back({"GET", "/api/loop", Permission::signed_in, 0, [&ws](const Request& r) {
                      std::optional<std::int64_t> at;
                      if (auto q = r.query.find("at"); q != r.query.end()) {
                        at = content::parse_instant(q->second);
                        if (!at)
                          return bad_request(
                              r, "at: expected a time such as 2025-03-03T09:30:00+08:00",
                              "at:时间格式应为 2025-03-03T09:30:00+08:00");
                      }
                      return json_response(ws.loop(at).dump());
                    }});
  routes.push_back({"POST", "/api/publish", Permission::edit, 64 << 10, [&ws](const Request& r) {
                      auto body = body_object(r);
                      if (!body || !(*body)["base"].is_string())
                        return bad_request(r, "Expected {\"base\", \"note\", \"at\"?}",
                                           "请求应为 {\"base\", \"note\", \"at\"?}");
                      Workspace::PublishRequest request;
                      request.base = (*body)["base"].get<std::string>();
                      if ((*body)["note"].is_string())
                        request.note = (*body)["note"].get<std::string>();
                      if (body->contains("at") && !(*body)["at"].is_null()) {
                        request.at = parse_at((*body)["at"]);
                        if (!request.at)
                          return bad_request(
                              r, "at: expected a time such as 2025-03-03T09:30:00+08:00",
                              "at:时间格式应为 2025-03-03T09:30:00+08:00");
                      }
                      request.user = user_name(r);
                      request.role = r.user ? r.user->role : Role::editor;
                      return answer(r, ws.publish(request));
                    }});
  routes.push_back({"GET", "/api/revisions", Permission::signed_in, 0,
                    [&ws](const Request&) { return json_response(ws.revisions().dump()); }});
  routes.push_back(
      {"POST", "/api/revisions/{n}/restore", Permission::edit, 64 << 10, [&ws](const Request& r) {
         const std::string& text = r.params.at("n");
         std::int64_t n = 0;
         auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
         if (ec != std::errc() || end != text.data() + text.size())
           return bad_request(r, "Expected a revision number", "版本号应为数字");
         return answer(r, ws.restore(n, user_name(r), r.user ? r.user->role : Role::editor));
       }});
  routes.push_back({"GET", "/api/pending", Permission::signed_in, 0,
                    [&ws](const Request&) { return json_response(ws.pending().dump()); }});
  routes.push_back(
      {"POST", "/api/pending/{id}/approve", Permission::approve, 64 << 10,
       [&ws](const Request& r) { return answer(r, ws.approve(r.params.at("id"), user_name(r))); }});
  routes.push_back(
      {"POST", "/api/pending/{id}/reject", Permission::approve, 64 << 10,
       [&ws](const Request& r) { return answer(r, ws.reject(r.params.at("id"), user_name(r))); }});
  routes.push_back({"GET", "/api/scheduled", Permission::signed_in, 0,
                    [&ws](const Request&) { return json_response(ws.scheduled().dump()); }});
  routes.push_back({"DELETE", "/api/scheduled/{id}", Permission::edit, 0, [&ws](const Request& r) {
                      return answer(r, ws.unschedule(r.params.at("id"), user_name(r)));
                    }});
  routes.push_back({"GET", "/api/history", Permission::signed_in, 0,
                    [&ws](const Request&) { return json_response(ws.history().dump()); }});
  routes.push_back(
      {"POST", "/api/alerts", Permission::send_alerts, 64 << 10, [&ws](const Request& r) {
         auto body = body_object(r);
         if (!body || !(*body)["title"].is_string() || !(*body)["minutes"].is_number_integer())
           return bad_request(r, "Expected {\"title\", \"body\", \"minutes\"}",
                              "请求应为 {\"title\", \"body\", \"minutes\"}");
         std::string text = (*body)["body"].is_string() ? (*body)["body"].get<std::string>() : "";
         const auto minutes = (*body)["minutes"].get<std::int64_t>();
         // Absent: an emergency (sent alerts are urgent); not a whole number: refused as 0.
         const json& level = (*body)["priority"];
         const std::int64_t priority =
             level.is_null() ? content::kMaxAlertPriority
                             : (level.is_number_integer() ? level.get<std::int64_t>() : 0);
         return answer(
             r, ws.send_alert((*body)["title"].get<std::string>(), text,
                              int(std::clamp<std::int64_t>(minutes, -1, 1 << 20)), user_name(r),
                              int(std::clamp<std::int64_t>(priority, 0, 4))));
       }});
  routes.push_back(
      {"DELETE", "/api/alerts/{id}", Permission::send_alerts, 0, [&ws](const Request& r) {
         return answer(r, ws.remove_alert(r.params.at("id"), user_name(r)));
       }});
  return routes;
}

}  // namespace signage::studio
