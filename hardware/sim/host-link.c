#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "avr_uart.h"
#include "sim_avr.h"
#include "sim_io.h"
#include "events.h"
#include "host-link.h"

static void feed_board(host_link_t *l) {
  int b;
  while (l->flow.xon && (b = ring_pop(&l->to_board)) >= 0) avr_raise_irq(l->uart_input, (uint32_t)b);
}

static void on_room(void *param) {
  feed_board(param);
}

static void on_uart_output(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  host_link_t *l = param;
  uint8_t byte = (uint8_t)value;
  if (l->drop_to_host) {
    l->drop_to_host--;
    l->lost_to_host++;
    return;
  }
  if (!l->host_open || ring_push(&l->to_host, &byte, 1) == 0) l->lost_to_host++;
}

void host_link_init(host_link_t *l, struct avr_t *avr, char uart) {
  memset(l, 0, sizeof(*l));
  l->avr = avr;
  l->master = -1;
  l->flow = (uart_flow_t){.on_room = on_room, .param = l};
  l->uart_input = uart_attach(avr, uart, &l->flow);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ(uart), UART_IRQ_OUTPUT), on_uart_output, l);
}

int host_link_plug(host_link_t *l) {
  if (l->master >= 0) return 0;
  int master, slave;
  char name[128];
  if (openpty(&master, &slave, name, NULL, NULL) < 0) return -1;
  struct termios tio;
  tcgetattr(slave, &tio);
  cfmakeraw(&tio);
  tcsetattr(slave, TCSANOW, &tio);
  // Our copy of the slave side is closed so that the master reports POLLHUP exactly while no
  // program has the tty open.
  close(slave);
  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  l->master = master;
  snprintf(l->path, sizeof(l->path), "%s", name);
  l->host_open = 0;
  ring_clear(&l->to_board);
  ring_clear(&l->to_host);
  return 0;
}

void host_link_unplug(host_link_t *l) {
  if (l->master < 0) return;
  close(l->master);  // the tty goes away; a program that had it open reads EIO
  l->master = -1;
  l->host_open = 0;
  l->path[0] = 0;
  ring_clear(&l->to_board);
  ring_clear(&l->to_host);
}

void host_link_poll(host_link_t *l) {
  if (l->master < 0) return;
  struct pollfd p = {.fd = l->master, .events = POLLIN | (l->to_host.length ? POLLOUT : 0)};
  if (poll(&p, 1, 0) < 0) return;
  int open = !(p.revents & POLLHUP);
  if (open != l->host_open) {
    l->host_open = open;
    ring_clear(&l->to_host);
    emit(l->avr, "host", "\"open\":%s", open ? "true" : "false");
  }
  if (!open) return;
  if (p.revents & POLLIN) {
    uint8_t buf[512];
    size_t room = ring_space(&l->to_board);
    ssize_t n = read(l->master, buf, room < sizeof(buf) ? room : sizeof(buf));
    if (n > 0) ring_push(&l->to_board, buf, (size_t)n);
  }
  if (l->to_host.length) {
    uint8_t buf[1024];
    size_t n = ring_peek(&l->to_host, buf, sizeof(buf));
    ssize_t w = write(l->master, buf, n);
    if (w > 0) ring_drop(&l->to_host, (size_t)w);
  }
  feed_board(l);
}

void host_link_inject_to_host(host_link_t *l, const uint8_t *bytes, size_t n) {
  if (l->host_open) ring_push(&l->to_host, bytes, n);
}

void host_link_inject_to_board(host_link_t *l, const uint8_t *bytes, size_t n) {
  ring_push(&l->to_board, bytes, n);
  feed_board(l);
}

void host_link_drop_to_host(host_link_t *l, size_t n) {
  l->drop_to_host += n;
}
