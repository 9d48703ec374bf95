#define _GNU_SOURCE
#include "CThreadStack.h"

#include <pthread.h>

int onderwijsregio_internal_thread_stack(void **lowest, size_t *size) {
    pthread_attr_t attributes;
    if (pthread_getattr_np(pthread_self(), &attributes) != 0) return -1;
    int status = pthread_attr_getstack(&attributes, lowest, size);
    pthread_attr_destroy(&attributes);
    return status;
}
