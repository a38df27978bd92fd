#include "sync/curl_library.h"

#include <dlfcn.h>

namespace signage::sync {

CurlLibrary open_curl_library(const char* soname) {
  CurlLibrary curl;
  void* library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char* why = dlerror();
    curl.error = std::string("cannot load libcurl (install libcurl4): ") + (why ? why : soname);
    return curl;
  }
  auto find = [&](auto& function, const char* name) {
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(dlsym(library, name));
    if (!function && curl.error.empty()) {
      curl.error = std::string(soname) + " has no " + name + " (libcurl 7.84 or newer is needed)";
    }
  };
#define SIGNAGE_CURL_FIND(name) find(curl.name, "curl_" #name);
  SIGNAGE_CURL_FUNCTIONS(SIGNAGE_CURL_FIND)
#undef SIGNAGE_CURL_FIND
  if (curl.error.empty() && curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    curl.error = "libcurl failed to initialize";
  }
  return curl;
}

const CurlLibrary& curl_library() {
  // Debian's libcurl4 (OpenSSL). libcurl3-gnutls installs libcurl-gnutls.so.4 instead, which
  // would cost as much memory (about 8 MB loaded and initialized).
  static const CurlLibrary curl = open_curl_library("libcurl.so.4");
  return curl;
}

}  // namespace signage::sync
