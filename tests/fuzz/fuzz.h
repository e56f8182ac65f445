/*
 * Shared bits of the fuzz targets.  Each target defines
 * LLVMFuzzerTestOneInput; built with clang -fsanitize=fuzzer for `make fuzz`,
 * or with driver.c (any compiler) to replay the committed corpus and
 * regression inputs in `make check`.
 */
#ifndef DRLB_FUZZ_H
#define DRLB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
