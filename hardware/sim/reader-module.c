#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "avr_uart.h"
#include "sim_avr.h"
#include "sim_cycle_timers.h"
#include "sim_time.h"
#include "sim_io.h"
#include "events.h"
#include "reader-module.h"

static void queue_frame(reader_module_t *r) {
  uint8_t id[5], x = 0;
  for (int i = 0; i < 5; i++) {
    unsigned v;
    sscanf(r->card + 2 * i, "%2x", &v);
    id[i] = (uint8_t)v;
    x ^= id[i];
  }
  char frame[15];
  frame[0] = 0x02;
  for (int i = 0; i < 10; i++) frame[1 + i] = (char)toupper((unsigned char)r->card[i]);
  snprintf(frame + 11, 3, "%02X", x);
  frame[13] = 0x03;
  ring_push(&r->line, (const uint8_t *)frame, 14);
}

/* One byte time: the card's frames while it is in the field, and one byte onto the line. */
static avr_cycle_count_t tick(struct avr_t *avr, avr_cycle_count_t when, void *param) {
  reader_module_t *r = param;
  uint64_t now = sim_us(avr);
  if (r->card[0] && r->lift_at_us && now >= r->lift_at_us) reader_lift(r);
  if (r->card[0] && now >= r->next_frame_us) {
    queue_frame(r);
    r->next_frame_us = now + READER_FRAME_PERIOD_US;
  }
  int b;
  if (r->attached && r->flow.xon && (b = ring_pop(&r->line)) >= 0) avr_raise_irq(r->uart_input, (uint32_t)b);
  if (!r->attached) ring_clear(&r->line);  // nothing reaches the panel through a pulled wire
  return when + avr_usec_to_cycles(avr, READER_BYTE_US);
}

void reader_init(reader_module_t *r, struct avr_t *avr, char uart) {
  memset(r, 0, sizeof(*r));
  r->avr = avr;
  r->attached = 1;
  r->uart_input = uart_attach(avr, uart, &r->flow);
  avr_cycle_timer_register_usec(avr, READER_BYTE_US, tick, r);
}

int reader_card(reader_module_t *r, const char *id, uint32_t hold_ms) {
  if (strlen(id) != 10) return -1;
  for (int i = 0; i < 10; i++)
    if (!isxdigit((unsigned char)id[i])) return -1;
  memcpy(r->card, id, 11);
  uint64_t now = sim_us(r->avr);
  r->next_frame_us = now;  // the module reads a card as soon as it enters the field
  r->lift_at_us = hold_ms ? now + (uint64_t)hold_ms * 1000u : 0;
  return 0;
}

void reader_lift(reader_module_t *r) {
  r->card[0] = 0;
  r->lift_at_us = 0;
}

void reader_line_bytes(reader_module_t *r, const uint8_t *bytes, size_t n) {
  ring_push(&r->line, bytes, n);
}

void reader_attach(reader_module_t *r, int attached) {
  r->attached = attached;
}
