// A message for people in the two languages the page speaks. The studio's parts answer with both
// and the HTTP layer picks the request's (Request::lang).
#pragma once

#include <string>
#include <string_view>

namespace signage::studio {

struct Words {
  std::string zh, en;
  // "en" gives English; anything else Chinese (the page's first language).
  const std::string& in(std::string_view lang) const { return lang == "en" ? en : zh; }
};

}  // namespace signage::studio
