/*
 * The RDM6300 125 kHz badge reader wired to the panel's second UART, emulated at its byte level:
 * while a card is in the field the module sends its 14-byte ASCII frame (STX, 10 hex digits of
 * the EM4100 id, 2 hex digits of XOR checksum, ETX) every FRAME_PERIOD_US, at 9600 baud.
 * Raw bytes (line noise, broken frames) can be put on the same line, and the module can be
 * disconnected from the panel.
 */
#pragma once
#include <stdint.h>
#include "byte-ring.h"
#include "uart-attach.h"

struct avr_t;
struct avr_irq_t;

#define READER_FRAME_PERIOD_US 100000u
#define READER_BYTE_US 1042u  // 10 bits at 9600 baud

typedef struct reader_module_t {
  struct avr_t *avr;
  struct avr_irq_t *uart_input;
  int attached;  // wired to the panel
  uart_flow_t flow;
  byte_ring_t line;
  char card[11];         // the EM4100 id in the field, "" for none
  uint64_t lift_at_us;   // simulated time the card leaves the field, 0 = held until lifted
  uint64_t next_frame_us;
} reader_module_t;

void reader_init(reader_module_t *r, struct avr_t *avr, char uart);
/* A card into the field for `hold_ms` (0: until reader_lift). The id is 10 hex digits. */
int reader_card(reader_module_t *r, const char *id, uint32_t hold_ms);
void reader_lift(reader_module_t *r);
void reader_line_bytes(reader_module_t *r, const uint8_t *bytes, size_t n);
void reader_attach(reader_module_t *r, int attached);
