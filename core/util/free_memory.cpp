#include "core/util/free_memory.hpp"

#include <malloc.h>

namespace vibed::util {

void release_free_memory() noexcept { ::malloc_trim(0); }

}  // namespace vibed::util
