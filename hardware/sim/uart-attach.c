#include "avr_uart.h"
#include "sim_avr.h"
#include "sim_io.h"
#include "uart-attach.h"

static void on_xon(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq; (void)value;
  uart_flow_t *f = param;
  f->xon = 1;
  if (f->on_room) f->on_room(f->param);
}

static void on_xoff(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq; (void)value;
  ((uart_flow_t *)param)->xon = 0;
}

struct avr_irq_t *uart_attach(struct avr_t *avr, char uart, uart_flow_t *flow) {
  // Without this, simavr echoes what the UART sends to the console.
  uint32_t flags = 0;
  avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS(uart), &flags);
  flags &= ~AVR_UART_FLAG_STDIO;
  avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS(uart), &flags);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(uart), UART_IRQ_OUT_XON), on_xon, flow);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(uart), UART_IRQ_OUT_XOFF), on_xoff, flow);
  return avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(uart), UART_IRQ_INPUT);
}
