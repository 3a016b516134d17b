#pragma once
// Gives the memory a large piece of transient work freed back to the
// system. glibc keeps freed heap memory for reuse, and after a scan or a
// publish of a big library most of it sits in fragmented chunks and
// per-thread arenas that it never trims by itself: at 100,000 tracks the
// daemon stayed at 225 MB after its start-up scan, and 70 MB once trimmed
// (docs/performance.md, section 5b). Services call this when such work ends.

namespace vibed::util {

// malloc_trim(0): cheap next to the work before it (a walk of the heap's free lists).
void release_free_memory() noexcept;

}  // namespace vibed::util
