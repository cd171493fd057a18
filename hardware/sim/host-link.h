/*
 * The panel's USB serial link as a pty: what the MCU's UART sends goes to the pty, what the
 * evaluator device writes to the pty goes into the UART. simavr's own uart_pty part does the same,
 * but Debian's simavr 1.6 version feeds the UART from its own thread (a race upstream later fixed
 * with a mutex) and links a fixed /tmp/simavr-uart0 that side-by-side panels would fight over. This
 * bridge runs on the simulator's thread and reports its pty's name instead.
 *
 * As on a real USB-serial bridge, bytes the MCU sends while no program has the port open are lost,
 * and pulling the cable (unplug) takes the tty away; plugging it back makes a new one.
 */
#pragma once
#include <stdint.h>
#include "byte-ring.h"
#include "uart-attach.h"

struct avr_t;
struct avr_irq_t;

typedef struct host_link_t {
  struct avr_t *avr;
  struct avr_irq_t *uart_input;
  int master;      // the pty's master side, -1 while unplugged
  char path[128];  // the tty the evaluator device opens
  int host_open;   // a program has the tty open
  uart_flow_t flow;
  byte_ring_t to_board, to_host;
  uint64_t lost_to_host;  // bytes sent while the port was closed, or that did not fit
  size_t drop_to_host;    // this many of the board's next bytes are lost on the line (host-drop)
} host_link_t;

void host_link_init(host_link_t *l, struct avr_t *avr, char uart);
/* Plug the cable: a new pty. 0 on success. */
int host_link_plug(host_link_t *l);
void host_link_unplug(host_link_t *l);
/* Move bytes both ways; call often from the simulator's thread. */
void host_link_poll(host_link_t *l);
/* Bytes that appear on the line as if sent by the board (to the host) or by the host (to the board). */
void host_link_inject_to_host(host_link_t *l, const uint8_t *bytes, size_t n);
void host_link_inject_to_board(host_link_t *l, const uint8_t *bytes, size_t n);
/* The board's next n bytes toward the host are lost (a flaky line that drops rather than garbles). */
void host_link_drop_to_host(host_link_t *l, size_t n);
