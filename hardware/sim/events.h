/* The harness's stdout: one JSON object per line, for the tests and the demo to read. */
#pragma once
#include <stdint.h>

struct avr_t;

/* Wall clock (CLOCK_REALTIME) in microseconds: comparable with Node's performance.timeOrigin + now(). */
uint64_t wall_us(void);
/* Simulated time since reset, in microseconds. */
uint64_t sim_us(const struct avr_t *avr);
/* Print `{"event":"<name>",<fields>,"wall_us":…,"sim_us":…}`; `fields` is JSON members or "". */
void emit(const struct avr_t *avr, const char *name, const char *fields_fmt, ...) __attribute__((format(printf, 3, 4)));
