// The revision the web source publishes: its playlist.json fetched once with libcurl (the
// project's wrapper, sync/curl_library.h), the "revision" read with nlohmann-json.
#include <memory>
#include <nlohmann/json.hpp>

#include "fleet/fleet.h"
#include "sync/curl_library.h"

namespace signage::fleet {
namespace {

constexpr std::size_t kMaxPlaylist = 4 << 20;  // as a player's max_playlist_bytes

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * count > kMaxPlaylist) return 0;  // aborts the transfer
  body->append(data, size * count);
  return size * count;
}

}  // namespace

std::optional<std::int64_t> fetch_revision(const std::string& url, const std::string& ca_file,
                                           std::string* error) {
  auto fail = [&](std::string message) -> std::optional<std::int64_t> {
    if (error) *error = "--source " + url + ": " + std::move(message);
    return std::nullopt;
  };
  const sync::CurlLibrary& curl = sync::curl_library();
  if (!curl.error.empty()) return fail(curl.error);
  std::unique_ptr<CURL, decltype(curl.easy_cleanup)> handle(curl.easy_init(), curl.easy_cleanup);
  if (!handle) return fail("cannot start a transfer");
  std::string body;
  CURL* h = handle.get();
  curl.easy_setopt(h, CURLOPT_URL, url.c_str());
  curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl.easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
  curl.easy_setopt(h, CURLOPT_TIMEOUT, 60L);
  curl.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl.easy_setopt(h, CURLOPT_WRITEDATA, &body);
  if (!ca_file.empty()) curl.easy_setopt(h, CURLOPT_CAINFO, ca_file.c_str());
  CURLcode rc = curl.easy_perform(h);
  if (rc != CURLE_OK) return fail(curl.easy_strerror(rc));
  long status = 0;
  curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return fail("the web server answered HTTP " + std::to_string(status));
  auto playlist = nlohmann::json::parse(body, nullptr, false);
  if (playlist.is_discarded() || !playlist.is_object() || !playlist.contains("revision") ||
      !playlist["revision"].is_number_integer()) {
    return fail("not a playlist.json with a \"revision\" number");
  }
  return playlist["revision"].get<std::int64_t>();
}

}  // namespace signage::fleet
