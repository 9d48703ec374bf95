// Only the declaration in include/FuzzDriver.h matters; libFuzzer itself comes from
// -sanitize=fuzzer (the toolchain's libclang_rt.fuzzer).
#include "FuzzDriver.h"
