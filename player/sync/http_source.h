// The HTTP source: one poll of a playlist URL with libcurl, and the assets it lists.
#pragma once

#include <atomic>
#include <string>

#include "sync/store.h"
#include "sync/sync.h"

namespace signage::sync {

// Validators of the last 200 response for the playlist URL, kept in STATE/http.json so a
// restarted player still sends conditional requests.
struct HttpValidators {
  std::string url;  // they belong to this URL only
  std::string etag;
  std::string last_modified;
  // The sha256 of the bundle that was current when they were taken. They are sent only while it
  // still is: after a fall back to the previous bundle (damage found), a 304 would keep the
  // damaged revision from ever being fetched again.
  std::string bundle_sha256;
};

struct PollOutcome {
  enum class Result { updated, not_modified, error };
  Result result = Result::error;
  std::string error;                    // one line (or FILE:LINE:COL lines for a bad playlist)
  std::optional<BundleInfo> installed;  // set when `updated` switched the current bundle
  std::string note;  // e.g. "revision 3 is older than the USB import (revision 5) playing"
  std::uint64_t bytes_downloaded = 0;
};

// Fetches settings.url with If-None-Match / If-Modified-Since from `validators`, and when it
// changed: its .sig (when the store needs one), the store's check, every missing asset (URL
// relative to the playlist's final URL), then commits. Updates `validators` only once the
// content is stored (or known to be superseded / already current). `stop` aborts transfers.
// `progress`, when given: the assets' bytes received and to fetch while they download (total 0
// otherwise), read by other threads (the MQTT status).
struct DownloadProgress {
  std::atomic<std::uint64_t> done{0}, total{0};
};
PollOutcome poll_http(Store& store, const HttpSettings& settings, const std::string& user_agent,
                      HttpValidators& validators, const std::atomic<bool>& stop,
                      DownloadProgress* progress = nullptr);

// `url` for status.json, bundle.json and the log: user name and password, and a query (which
// may carry a token), replaced by "***".
std::string redacted(const std::string& url);

// POSTs `json` to `url` (the heartbeat); errors are returned, never thrown. `stop` aborts it.
// `time_limit_s` > 0: the most the whole POST may take (else the limit of a 64 KiB transfer).
bool post_json(const HttpSettings& settings, const std::string& user_agent, const std::string& url,
               const std::string& json, std::string* error, const std::atomic<bool>& stop,
               double time_limit_s = 0);

}  // namespace signage::sync
