#include "work_counters.h"

namespace signage::run {

WorkCounters& work_counters() {
  thread_local WorkCounters counters;
  return counters;
}

}  // namespace signage::run
