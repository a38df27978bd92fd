// The HTTP side of uploads and table import (docs/studio-api.md, "Pictures and tables"). The
// router has checked the session, the CSRF token, the role (edit) and the body's size before a
// handler runs.
#include <charconv>
#include <nlohmann/json.hpp>

#include "studio/table_import.h"
#include "studio/uploads.h"

namespace signage::studio {

namespace {

using nlohmann::json;

Response reply(int status, const json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Response failed(const Request& request, const UploadError& error) {
  json body{{"error", error.words.in(request.lang)}};
  if (error.status == 409 || error.status == 413) body["offset"] = error.offset;
  return reply(error.status, body);
}

Response bad_request(const Request& request, const char* zh, const char* en) {
  return reply(400, json{{"error", request.lang == "en" ? en : zh}});
}

std::string user_of(const Request& request) {
  return request.user ? request.user->name : std::string();
}

std::string param(const Request& request, std::string_view name) {
  auto it = request.params.find(name);
  return it == request.params.end() ? std::string() : it->second;
}

Response begin_upload(Uploads& uploads, const Request& request) {
  const json body = parse_json_body(request.body);
  if (!body.is_object() || !body.contains("name") || !body["name"].is_string() ||
      !body.contains("size") || !body["size"].is_number_unsigned()) {
    return bad_request(request, "请求需要 name（文件名）和 size（字节数）。",
                       "The request needs \"name\" (the file's name) and \"size\" (its bytes).");
  }
  UploadError error;
  auto state = uploads.begin(body["name"].get<std::string>(), body["size"].get<std::uint64_t>(),
                             user_of(request), &error);
  if (!state) return failed(request, error);
  return reply(200, json{{"id", state->id},
                         {"offset", state->offset},
                         {"chunk_bytes", uploads.settings().chunk_bytes}});
}

Response put_chunk(Uploads& uploads, const Request& request) {
  auto it = request.query.find("offset");
  std::uint64_t offset = 0;
  const bool parsed =
      it != request.query.end() && !it->second.empty() &&
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), offset).ec ==
          std::errc() &&
      std::to_string(offset) == it->second;
  if (!parsed) {
    return bad_request(request, "请求需要 offset（这一段在文件中的位置）。",
                       "The request needs ?offset= (where this chunk starts in the file).");
  }
  UploadError error;
  auto state = uploads.append(param(request, "id"), offset, request.body, user_of(request), &error);
  if (!state) return failed(request, error);
  return reply(200, json{{"offset", state->offset}});
}

Response upload_status(Uploads& uploads, const Request& request) {
  UploadError error;
  auto state = uploads.status(param(request, "id"), user_of(request), &error);
  if (!state) return failed(request, error);
  return reply(200, json{{"offset", state->offset}, {"size", state->size}, {"name", state->name}});
}

Response finish_upload(Uploads& uploads, const Request& request) {
  json body = request.body.empty() ? json::object() : parse_json_body(request.body);
  const std::string as = body.is_object() && body.contains("as") && body["as"].is_string()
                             ? body["as"].get<std::string>()
                             : "picture";
  if (as != "picture" && as != "logo") {
    return bad_request(request, "as 只能是 picture 或 logo。",
                       "\"as\" is \"picture\" or \"logo\".");
  }
  UploadError error;
  auto picture = uploads.finish(param(request, "id"), user_of(request),
                                as == "logo" ? PictureUse::logo : PictureUse::picture, &error);
  if (!picture) return failed(request, error);
  return reply(200, json{{"path", picture->path},
                         {"width", picture->width},
                         {"height", picture->height},
                         {"bytes", picture->bytes}});
}

// JSON {"kind", "text"}, or a CSV file's bytes as they are (Content-Type text/csv or
// text/plain, ?kind=): then a file saved as GBK arrives unchanged and is recognised.
Response import_rows(const Request& request) {
  std::string kind_name, text;
  auto type = request.headers.find("content-type");
  const bool raw = type != request.headers.end() && (type->second.rfind("text/csv", 0) == 0 ||
                                                     type->second.rfind("text/plain", 0) == 0);
  if (raw) {
    auto kind = request.query.find("kind");
    kind_name = kind == request.query.end() ? "" : kind->second;
    text = request.body;
  } else {
    const json body = parse_json_body(request.body);
    if (body.is_object() && body.contains("kind") && body["kind"].is_string() &&
        body.contains("text") && body["text"].is_string()) {
      kind_name = body["kind"].get<std::string>();
      text = body["text"].get<std::string>();
    }
  }
  auto kind = parse_import_kind(kind_name);
  if (!kind) {
    return bad_request(request, "请求需要 kind（headline、statistic 或 ticker）和 text。",
                       "The request needs \"kind\" (headline, statistic or ticker) and \"text\".");
  }
  ImportResult result = import_table(text, *kind);
  if (result.refused) return reply(422, json{{"error", result.refused->in(request.lang)}});
  return reply(200, import_json(result, *kind, request.lang));
}

}  // namespace

std::vector<Route> upload_routes(std::shared_ptr<Uploads> uploads) {
  const std::size_t chunk = uploads->settings().chunk_bytes;
  auto with = [uploads](Response (*f)(Uploads&, const Request&)) {
    return [uploads, f](const Request& request) { return f(*uploads, request); };
  };
  return {
      {"POST", "/api/uploads", Permission::edit, 4 << 10, with(begin_upload)},
      {"PUT", "/api/uploads/{id}", Permission::edit, chunk, with(put_chunk)},
      {"GET", "/api/uploads/{id}", Permission::edit, 0, with(upload_status)},
      {"POST", "/api/uploads/{id}/finish", Permission::edit, 4 << 10, with(finish_upload)},
      // 500 rows of long cells; the checker's own limit on a playlist is 4 MiB.
      {"POST", "/api/import", Permission::edit, 2 << 20, import_rows},
  };
}

}  // namespace signage::studio
