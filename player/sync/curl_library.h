// libcurl, opened when the first HTTP transfer needs it instead of linked. A player without an
// HTTP source (the demo, a box fed by USB sticks) then never maps libcurl and the TLS, Kerberos,
// LDAP and SSH libraries it depends on: about 5.5 MB of resident memory, measured playing the
// demo (tests/bench/README.md).
#pragma once

#include <curl/curl.h>

#include <string>

namespace signage::sync {

// The libcurl functions the HTTP source calls (curl_easy_init is easy_init, ...).
// clang-format off
#define SIGNAGE_CURL_FUNCTIONS(X)                                                             \
  X(global_init) X(easy_init) X(easy_cleanup) X(easy_setopt) X(easy_perform) X(easy_getinfo) \
  X(easy_strerror) X(easy_header) X(easy_escape) X(free) X(slist_append) X(slist_free_all)   \
  X(url) X(url_cleanup) X(url_set) X(url_get) X(url_strerror)
// clang-format on

struct CurlLibrary {
  std::string error;  // why libcurl cannot be used; empty when every function below is set
#define SIGNAGE_CURL_MEMBER(name) decltype(&::curl_##name) name = nullptr;
  SIGNAGE_CURL_FUNCTIONS(SIGNAGE_CURL_MEMBER)
#undef SIGNAGE_CURL_MEMBER
};

// Opens libcurl.so.4 and runs curl_global_init on the first call (thread-safe: a function-local
// static); every later call returns the same. It is never closed.
const CurlLibrary& curl_library();

// What curl_library() does once, for the library `soname` (tests give others).
CurlLibrary open_curl_library(const char* soname);

}  // namespace signage::sync
