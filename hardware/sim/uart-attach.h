/* What every part wired to one of the MCU's UARTs needs: the UART's console echo off, and its flow control followed. */
#pragma once

struct avr_t;
struct avr_irq_t;

typedef struct uart_flow_t {
  int xon;  // the UART's receive FIFO has room
  void (*on_room)(void *param);  // called when it gets room again (may be NULL)
  void *param;
} uart_flow_t;

/* Attach to UART `uart` ('0'..'3'); returns the IRQ that puts a byte into it. */
struct avr_irq_t *uart_attach(struct avr_t *avr, char uart, uart_flow_t *flow);
