// Scene internals shared by its source files; not part of the public interface.
#pragma once

#include <cstdint>
#include <string>

#include "scene/scene.h"

namespace signage::scene::detail {

bool is_eligible_local(const content::Item& item, std::int64_t now_s, const std::string& timezone);

}  // namespace signage::scene::detail
