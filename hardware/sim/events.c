#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include "sim_avr.h"
#include "events.h"

uint64_t wall_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t sim_us(const struct avr_t *avr) {
  return avr ? (uint64_t)(avr->cycle / (avr->frequency / 1000000u)) : 0;
}

void emit(const struct avr_t *avr, const char *name, const char *fields_fmt, ...) {
  char fields[512];
  va_list ap;
  va_start(ap, fields_fmt);
  vsnprintf(fields, sizeof(fields), fields_fmt, ap);
  va_end(ap);
  printf("{\"event\":\"%s\"%s%s,\"wall_us\":%llu,\"sim_us\":%llu}\n", name, fields[0] ? "," : "", fields,
         (unsigned long long)wall_us(), (unsigned long long)sim_us(avr));
  fflush(stdout);
}
