#ifndef OREG_CTHREADSTACK_H
#define OREG_CTHREADSTACK_H
#include <stddef.h>

/* The calling thread's stack: lowest address and size. Returns 0 on success. Wraps
   pthread_getattr_np, which needs _GNU_SOURCE and so is not visible to Swift's Glibc module. */
int onderwijsregio_internal_thread_stack(void **lowest, size_t *size);

#endif
