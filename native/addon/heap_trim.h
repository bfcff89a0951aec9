// Giving the heap back after the collector finalizes a burst of our objects.
//
// Objects dropped without close() keep their native state until V8 collects them, and V8 does
// not see that memory, so a loop that drops (or closes) thousands of buffers and events builds up
// tens of MiB of wrappers and native state before one collection frees them all at once. glibc
// keeps freed heap memory in the process, so after such a burst the RSS would stay at the
// high-water mark for the life of a service. Node runs a collection's finalizers together, in
// one callback of the event loop; after a burst of at least kTrimAfter of them, an idle handle
// asks the allocator (malloc_trim) to return its free pages on the loop's next turn, once the
// whole burst is done. The cost — a walk over the heap's free chunks, about a millisecond on a
// heap of tens of MiB — is paid once per thousands of objects, never on a path that did not
// just free memory.
#ifndef ASCENDCL_ADDON_HEAP_TRIM_H_
#define ASCENDCL_ADDON_HEAP_TRIM_H_

#include <napi.h>

namespace ascendcl {

class HeapTrimmer;

// Makes the env's trimmer (module init) and closes it (env cleanup).
HeapTrimmer *CreateHeapTrimmer(Napi::Env env);
void CloseHeapTrimmer(HeapTrimmer *trimmer);

// Called from each wrapper's destructor, which runs on the JS thread when V8 collects it.
void NoteWrapperFinalized(Napi::Env env);

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_HEAP_TRIM_H_
