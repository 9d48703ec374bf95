#ifndef OREG_CTHREADSTACK_H
#define OREG_CTHREADSTACK_H
#include <stddef.h>

/* The calling thread's stack: lowest address and size. Returns 0 on success. Wraps
   pthread_getattr_np, which needs _GNU_SOURCE and so is not visible to Swift's Glibc module. */
int onderwijsregio_internal_thread_stack(void **lowest, size_t *size);

/* The address of the calling frame on the thread's real stack. The address of a local variable
   is not: AddressSanitizer moves locals to a "fake stack" on the heap. */
static inline void *onderwijsregio_internal_frame_address(void) { return __builtin_frame_address(0); }

#endif
