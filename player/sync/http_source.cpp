// The HTTP source: libcurl's easy interface, one handle per transfer, on the sync thread.
//
// Every error is one line naming the URL and what happened; nothing here throws. Bodies are
// bounded twice: CURLOPT_MAXFILESIZE_LARGE refuses a declared Content-Length over the limit, and
// the write callback stops a chunked (or lying) body as soon as it passes the limit.
#include "sync/http_source.h"

#include <cstdio>
#include <memory>
#include <optional>

#include "sync/curl_library.h"

namespace signage::sync {
namespace fs = std::filesystem;

namespace {

// libcurl's functions. perform() says why when they could not be loaded; the URL helpers run
// only on URLs a transfer returned, so after it.
const CurlLibrary& api() {
  return curl_library();
}

struct CurlCleanup {
  void operator()(CURL* curl) const { api().easy_cleanup(curl); }
};
struct SlistCleanup {
  void operator()(curl_slist* list) const { api().slist_free_all(list); }
};
struct UrlCleanup {
  void operator()(CURLU* url) const { api().url_cleanup(url); }
};
struct CurlFree {
  void operator()(char* text) const { api().free(text); }
};
struct FileClose {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using CurlHandle = std::unique_ptr<CURL, CurlCleanup>;
using Slist = std::unique_ptr<curl_slist, SlistCleanup>;
using UrlHandle = std::unique_ptr<CURLU, UrlCleanup>;
using CurlString = std::unique_ptr<char, CurlFree>;
using File = std::unique_ptr<std::FILE, FileClose>;

// Appends a header line; false when libcurl is out of memory.
bool append_header(Slist& list, const std::string& line) {
  curl_slist* grown = api().slist_append(list.get(), line.c_str());
  if (!grown) return false;
  (void)list.release();  // `grown` is the same list with one more node
  list.reset(grown);
  return true;
}

// Where a body goes: memory (playlist, signature) or a file (assets), at most `limit` bytes.
struct Sink {
  std::string* memory = nullptr;
  std::FILE* file = nullptr;
  std::uint64_t limit = 0;
  std::uint64_t received = 0;
  bool too_large = false;
  bool write_failed = false;
  const std::atomic<bool>* stop = nullptr;
  std::atomic<std::uint64_t>* progress = nullptr;  // counts what is written
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  Sink& sink = *static_cast<Sink*>(user);
  std::size_t n = size * count;
  if (sink.received + n > sink.limit) {
    sink.too_large = true;
    return 0;  // anything but n aborts the transfer with CURLE_WRITE_ERROR
  }
  sink.received += n;
  if (sink.progress) *sink.progress += n;
  if (sink.memory) {
    sink.memory->append(data, n);
  } else if (sink.file && std::fwrite(data, 1, n, sink.file) != n) {
    sink.write_failed = true;
    return 0;
  }
  return n;
}

int transfer_info(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const Sink& sink = *static_cast<const Sink*>(user);
  return sink.stop && sink.stop->load() ? 1 : 0;  // non-zero: CURLE_ABORTED_BY_CALLBACK
}

std::string bytes_text(std::uint64_t n) {
  return std::to_string(n) + " bytes";
}

// The most a transfer of up to `bytes` may take, connecting included.
double transfer_time_limit_s(const HttpSettings& settings, std::uint64_t bytes) {
  return settings.connect_timeout_s + settings.transfer_base_s +
         double(bytes) / std::max(1.0, settings.min_rate_bytes_per_s);
}

// One GET or POST.
struct Request {
  std::string url;
  std::vector<std::string> headers;
  std::optional<std::string> post_body;  // set: POST this
  double time_limit_s = 0;               // > 0: the whole transfer's limit; else from the size
};

struct Response {
  bool ok = false;    // the transfer completed (any HTTP status)
  std::string error;  // when !ok: one line, without the URL
  long status = 0;
  std::string effective_url;  // after redirects
  std::string etag, last_modified;
  std::uint64_t downloaded = 0;
  bool stopped = false;
  bool too_large = false;  // the body passed the sink's limit
};

std::string header_value(CURL* curl, const char* name) {
  curl_header* header = nullptr;
  // Request -1: the last request, i.e. the response after any redirects.
  if (api().easy_header(curl, name, 0, CURLH_HEADER, -1, &header) != CURLHE_OK || !header)
    return {};
  return header->value;
}

Response perform(const HttpSettings& settings, const std::string& user_agent,
                 const Request& request, Sink& sink) {
  bool https = false;
  Response response;
  if (!api().error.empty()) {
    response.error = api().error;
    return response;
  }
  CurlHandle handle(api().easy_init());
  Slist headers;
  if (!handle) {
    response.error = "libcurl could not make a handle (out of memory)";
    return response;
  }
  for (const std::string& line : request.headers) {
    if (!append_header(headers, line)) {
      response.error = "out of memory";
      return response;
    }
  }
  CURL* curl = handle.get();
  char error_buffer[CURL_ERROR_SIZE] = {};
  api().easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  api().easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  api().easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  api().easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  api().easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  // Once on HTTPS, a redirect may not drop to plain HTTP (a downgrade anyone on the path could
  // then answer).
  https = request.url.starts_with("https://") || request.url.starts_with("HTTPS://");
  api().easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
  api().easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  api().easy_setopt(curl, CURLOPT_MAXREDIRS, long(settings.max_redirects));
  // Verification is always on; a CA file only adds a trust anchor for a private CA.
  api().easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  api().easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings.ca_file.empty()) api().easy_setopt(curl, CURLOPT_CAINFO, settings.ca_file.c_str());
  api().easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                    long(std::max(1.0, settings.connect_timeout_s * 1000)));
  api().easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, long(settings.low_speed_bytes_per_s));
  api().easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                    long(std::max(1.0, settings.low_speed_time_s + 0.5)));  // whole seconds
  api().easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  api().easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(sink.limit));
  // A server dripping just above the low-speed limit must not hold this thread for hours.
  long overall_ms = long((request.time_limit_s > 0 ? request.time_limit_s
                                                   : transfer_time_limit_s(settings, sink.limit)) *
                         1000);
  api().easy_setopt(curl, CURLOPT_TIMEOUT_MS, overall_ms);
  api().easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  api().easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  api().easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  api().easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, transfer_info);
  api().easy_setopt(curl, CURLOPT_XFERINFODATA, &sink);
  if (headers) api().easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  if (request.post_body) {
    api().easy_setopt(curl, CURLOPT_POSTFIELDS, request.post_body->data());
    api().easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.post_body->size()));
  }

  CURLcode code = api().easy_perform(curl);
  curl_off_t downloaded = 0;
  if (api().easy_getinfo(curl, CURLINFO_SIZE_DOWNLOAD_T, &downloaded) == CURLE_OK) {
    response.downloaded = std::uint64_t(downloaded);
  }
  api().easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (char* effective = nullptr;
      api().easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective) {
    response.effective_url = effective;
  } else {
    response.effective_url = request.url;
  }
  if (code == CURLE_OK) {
    response.ok = true;
    response.etag = header_value(curl, "ETag");
    response.last_modified = header_value(curl, "Last-Modified");
    return response;
  }
  if (sink.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    response.too_large = true;
    response.error = "body larger than " + bytes_text(sink.limit);
  } else if (sink.write_failed) {
    response.error = "cannot write the download to disk";
  } else if (code == CURLE_ABORTED_BY_CALLBACK) {
    response.stopped = true;
    response.error = "stopped";
  } else {
    response.error = error_buffer[0] ? error_buffer : api().easy_strerror(code);
    if (code == CURLE_OPERATION_TIMEDOUT && response.error.find("too slow") != std::string::npos) {
      // libcurl's text says "Operation too slow"; name the setting that decided it.
      response.error += " (under " + std::to_string(settings.low_speed_bytes_per_s) +
                        " bytes/s for " + std::to_string(long(settings.low_speed_time_s)) + " s)";
    } else if (code == CURLE_OPERATION_TIMEDOUT &&
               response.error.find("Operation timed out") != std::string::npos) {
      if (request.time_limit_s > 0) {
        response.error =
            "gave up after " + std::to_string(overall_ms / 1000) + " s, its time limit";
      } else {
        response.error = "gave up after " + std::to_string(overall_ms / 1000) +
                         " s, the time limit for " + bytes_text(sink.limit) + " (" +
                         std::to_string(long(settings.transfer_base_s)) + " s + the size at " +
                         std::to_string(long(settings.min_rate_bytes_per_s)) + " bytes/s; " +
                         std::to_string(response.downloaded) + " bytes had arrived)";
      }
    } else if (code == CURLE_UNSUPPORTED_PROTOCOL && https &&
               response.effective_url.starts_with("http://")) {
      response.error = "redirected from HTTPS to plain HTTP (" + redacted(response.effective_url) +
                       "); refused, the content must stay on HTTPS";
    }
  }
  return response;
}

// `relative` (an asset path as the playlist writes it, '/'-separated) resolved against `base`,
// each path segment percent-encoded so '#', '?', '%' and spaces are file name characters.
std::optional<std::string> resolve(const std::string& base, const std::string& relative,
                                   std::string* error) {
  std::string encoded;
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t end = relative.find('/', start);
    if (end == std::string::npos) end = relative.size();
    std::string segment = relative.substr(start, end - start);
    CurlString escaped(api().easy_escape(nullptr, segment.c_str(), int(segment.size())));
    if (!escaped) {
      *error = "out of memory";
      return std::nullopt;
    }
    if (start) encoded += '/';
    encoded += escaped.get();
    start = end + 1;
  }
  UrlHandle url(api().url());
  if (!url) {
    *error = "out of memory";
    return std::nullopt;
  }
  CURLUcode rc = api().url_set(url.get(), CURLUPART_URL, base.c_str(), 0);
  // Setting a relative reference on a handle that holds a URL resolves it (RFC 3986).
  if (rc == CURLUE_OK) rc = api().url_set(url.get(), CURLUPART_URL, encoded.c_str(), 0);
  char* text = nullptr;
  if (rc == CURLUE_OK) rc = api().url_get(url.get(), CURLUPART_URL, &text, 0);
  CurlString owned(text);
  if (rc != CURLUE_OK) {
    *error = std::string("cannot make a URL of it: ") + api().url_strerror(rc);
    return std::nullopt;
  }
  return std::string(owned.get());
}

// The signature's URL: the playlist's path with ".sig" appended (any query string kept).
std::optional<std::string> signature_url(const std::string& playlist_url) {
  UrlHandle url(api().url());
  if (!url || api().url_set(url.get(), CURLUPART_URL, playlist_url.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  char* path = nullptr;
  if (api().url_get(url.get(), CURLUPART_PATH, &path, 0) != CURLUE_OK) return std::nullopt;
  std::string sig_path = CurlString(path).get();
  sig_path += ".sig";
  char* text = nullptr;
  if (api().url_set(url.get(), CURLUPART_PATH, sig_path.c_str(), 0) != CURLUE_OK ||
      api().url_get(url.get(), CURLUPART_URL, &text, 0) != CURLUE_OK) {
    return std::nullopt;
  }
  return std::string(CurlString(text).get());
}

// Removes a temporary download unless it was handed to the store.
struct TempFile {
  fs::path path;
  ~TempFile() {
    std::error_code ec;
    if (!path.empty()) fs::remove(path, ec);
  }
};

}  // namespace

PollOutcome poll_http(Store& store, const HttpSettings& settings, const std::string& user_agent,
                      HttpValidators& validators, const std::atomic<bool>& stop,
                      DownloadProgress* progress) {
  PollOutcome outcome;
  auto fail = [&](std::string why) {
    outcome.result = PollOutcome::Result::error;
    outcome.error = std::move(why);
    return outcome;
  };
  if (settings.url.empty()) return fail("no source URL");
  // Every message names URLs without their user, password and query (log, status.json).
  const std::string shown = redacted(settings.url);
  if (validators.url != settings.url) validators = HttpValidators{settings.url, "", "", ""};

  // 1. The playlist, conditionally, while the bundle the validators were taken with plays.
  Request request{settings.url, {}, std::nullopt};
  if (auto current = store.current(); current && current->sha256 == validators.bundle_sha256) {
    if (!validators.etag.empty()) request.headers.push_back("If-None-Match: " + validators.etag);
    if (!validators.last_modified.empty()) {
      request.headers.push_back("If-Modified-Since: " + validators.last_modified);
    }
  }
  std::string body;
  Sink sink;
  sink.memory = &body;
  sink.limit = settings.max_playlist_bytes;
  sink.stop = &stop;
  Response response = perform(settings, user_agent, request, sink);
  outcome.bytes_downloaded += response.downloaded;
  if (!response.ok) return fail(shown + ": " + response.error);
  if (response.status == 304) {
    outcome.result = PollOutcome::Result::not_modified;
    return outcome;
  }
  if (response.status != 200) {
    return fail(shown + ": HTTP status " + std::to_string(response.status) +
                (response.effective_url != settings.url
                     ? " from " + redacted(response.effective_url)
                     : ""));
  }
  HttpValidators fresh{settings.url, response.etag, response.last_modified, ""};
  const std::string& base = response.effective_url;

  // 2. Its signature, when the store takes only signed bundles.
  Candidate candidate;
  candidate.source = Source::http;
  candidate.origin = redacted(settings.url);  // kept in bundle.json and status.json
  candidate.file = shown;                     // in the store's messages
  candidate.playlist_bytes = std::move(body);
  if (store.requires_signature()) {
    auto sig_url = signature_url(base);
    if (!sig_url) return fail(redacted(base) + ": cannot make the URL of its .sig");
    std::string signature;
    Sink sig_sink;
    sig_sink.memory = &signature;
    sig_sink.limit = 4096;
    sig_sink.stop = &stop;
    Response sig = perform(settings, user_agent, Request{*sig_url, {}, std::nullopt}, sig_sink);
    outcome.bytes_downloaded += sig.downloaded;
    if (!sig.ok) return fail(redacted(*sig_url) + ": " + sig.error);
    if (sig.status == 200) {
      candidate.signature = std::move(signature);
    } else if (sig.status != 404 && sig.status != 410) {
      return fail(redacted(*sig_url) + ": HTTP status " + std::to_string(sig.status));
    }  // 404: no signature; the store's check says what that means
  }

  // 3. The store's verdict.
  CandidateCheck check = store.check(candidate);
  switch (check.verdict) {
    case CandidateCheck::Verdict::invalid: return fail(check.error);
    case CandidateCheck::Verdict::already_current:
      // A server without validators answers 200 every time: the normal unchanged case, no note.
      validators = fresh;
      validators.bundle_sha256 = check.current_sha256;
      outcome.result = PollOutcome::Result::not_modified;
      return outcome;
    case CandidateCheck::Verdict::superseded:
      validators = fresh;  // valid and losing: no need to fetch it again until it changes
      validators.bundle_sha256 = check.current_sha256;
      outcome.result = PollOutcome::Result::not_modified;
      outcome.note = check.error;
      return outcome;
    case CandidateCheck::Verdict::accept: break;
  }

  // 4. The assets not stored yet, then the switch.
  std::string why;
  auto import = store.begin(candidate, check, &why);
  if (!import) return fail(shown + ": " + why);
  struct Progress {  // shown while the assets download, gone however this ends
    DownloadProgress* p;
    ~Progress() {
      if (p) p->total = 0;
    }
  } shown_progress{progress};
  if (progress) {
    progress->done = 0;
    progress->total = import->missing_bytes();
  }
  for (const AssetRef& asset : import->missing()) {
    auto url = resolve(base, asset.path, &why);
    if (!url) return fail(shown + ": asset " + asset.path + ": " + why);
    if (asset.size > settings.max_asset_bytes) {
      return fail(redacted(*url) + ": the playlist says " + bytes_text(asset.size) +
                  ", more than an asset may have (" + bytes_text(settings.max_asset_bytes) + ")");
    }
    TempFile temp{import->temp_path()};
    File file(std::fopen(temp.path.c_str(), "wbe"));
    if (!file) return fail("cannot create " + temp.path.string() + " for " + redacted(*url));
    Sink file_sink;
    file_sink.file = file.get();
    file_sink.limit = asset.size;  // the playlist's size is the most it may have
    file_sink.stop = &stop;
    if (progress) file_sink.progress = &progress->done;
    Response got = perform(settings, user_agent, Request{*url, {}, std::nullopt}, file_sink);
    outcome.bytes_downloaded += got.downloaded;
    if (!got.ok) {
      if (got.too_large) {
        return fail(redacted(*url) + ": body larger than the " + bytes_text(asset.size) +
                    " the playlist says for " + asset.path);
      }
      return fail(redacted(*url) + ": " + got.error);
    }
    if (got.status != 200)
      return fail(redacted(*url) + ": HTTP status " + std::to_string(got.status));
    if (std::fclose(file.release()) != 0) return fail("cannot write " + temp.path.string());
    fs::path taken = std::move(temp.path);
    temp.path.clear();  // add() moves the file into the store or removes it
    if (!import->add(asset, taken, &why)) return fail(redacted(*url) + ": " + why);
    if (stop) return fail("stopped");
  }
  auto installed = import->commit(&why);
  if (!installed) return fail(shown + ": " + why);
  validators = fresh;
  validators.bundle_sha256 = installed->sha256;
  outcome.result = PollOutcome::Result::updated;
  outcome.installed = std::move(installed);
  return outcome;
}

std::string redacted(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  std::size_t host = scheme + 3;
  std::size_t path = url.find_first_of("/?#", host);
  std::size_t at = url.rfind('@', path == std::string::npos ? url.size() : path);
  std::string out = url.substr(0, host);
  out += at != std::string::npos && at >= host ? "***@" + url.substr(at + 1) : url.substr(host);
  std::size_t query = out.find('?');
  if (query != std::string::npos) out = out.substr(0, query) + "?***";
  return out;
}

bool post_json(const HttpSettings& settings, const std::string& user_agent, const std::string& url,
               const std::string& json, std::string* error, const std::atomic<bool>& stop,
               double time_limit_s) {
  std::string reply;  // read and dropped, bounded
  Sink sink;
  sink.memory = &reply;
  sink.limit = 64 << 10;
  sink.stop = &stop;
  Request request{url, {"Content-Type: application/json", "Expect:"}, json, time_limit_s};
  Response response = perform(settings, user_agent, request, sink);
  if (!response.ok) {
    if (error) *error = redacted(url) + ": " + response.error;
    return false;
  }
  if (response.status < 200 || response.status > 299) {
    if (error) *error = redacted(url) + ": HTTP status " + std::to_string(response.status);
    return false;
  }
  return true;
}

}  // namespace signage::sync
