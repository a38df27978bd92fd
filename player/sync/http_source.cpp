// Placeholder until the HTTP source lands.
#include "sync/http_source.h"

namespace signage::sync {

PollOutcome poll_http(Store&, const HttpSettings&, const std::string&, HttpValidators&,
                      const std::atomic<bool>&) {
  PollOutcome outcome;
  outcome.error = "the HTTP source is not built yet";
  return outcome;
}

bool post_json(const HttpSettings&, const std::string&, const std::string&, const std::string&,
               std::string* error) {
  if (error) *error = "the HTTP source is not built yet";
  return false;
}

}  // namespace signage::sync
