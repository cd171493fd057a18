/*
 * The virtual rating panel: the panel firmware, unmodified, on a simulated ATmega2560 (simavr),
 * with its wiring around it (panel-wiring.h):
 *
 *   - the USB serial link as a pty (host-link.c), whose name is reported, never a fixed path;
 *   - the six buttons as simavr `button` parts on their pins;
 *   - the LEDs, buzzer and board LED watched, each change reported with its time;
 *   - the RDM6300 badge reader on UART1, emulated at its byte level (reader-module.c).
 *
 * Driven through stdin, one command a line (answered by an "ok" or "error" event); reports on
 * stdout, one JSON object a line (events.c). End of stdin ends the panel, so it never outlives
 * whoever drives it.
 *
 *   press <button> [ms]     press and release after ms (default 100); buttons: 5 4 3 2 1 rate
 *   down <button> | up <button>
 *   card <id> [ms]          a badge (10 hex digits) held on the reader for ms (default 300; 0: until lift)
 *   lift
 *   reader on|off           the reader wired to the panel, or not
 *   reader-bytes <hex>      raw bytes on the reader's line (noise, broken frames)
 *   host-bytes <hex>        raw bytes on the USB line toward the evaluator device
 *   board-bytes <hex>       raw bytes on the USB line toward the board
 *   host-drop <n>           the next n bytes the board sends toward the evaluator device are lost
 *   wait <ms>               hold the commands after it until that much simulated time has passed
 *                           (fractions allowed: `wait 0.25`); answered when the time is up
 *   until <ms>              the same, until the simulated clock reads <ms> since power on (at once
 *                           if it already has)
 *   cable off|on            pull the USB cable (the tty goes) / plug it back (a new tty); the board keeps power
 *   state                   report every output pin and the link
 *   quit
 *
 * Time: the simulation is held to the wall clock (never ahead of it), so the firmware's
 * milliseconds are real ones, as the device's own timers and the latency figures assume. It can
 * fall behind the wall clock on a loaded host, though, and commands are applied when the
 * simulator reads them, not when they were sent: a driver that needs actions a set time apart
 * (contact bounce, a button let go for longer than the debounce time, a card away from the
 * reader) sends them with `wait` between them, in one write, and they keep their spacing in
 * simulated time whatever the load (issue 10).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "avr_ioport.h"
#include "avr_uart.h"
#include "button.h"
#include "sim_avr.h"
#include "sim_cycle_timers.h"
#include "sim_time.h"
#include "sim_elf.h"
#include "sim_hex.h"
#include "sim_io.h"
#include "events.h"
#include "host-link.h"
#include "panel-wiring.h"
#include "reader-module.h"

#define POLL_US 250u
#define MAX_BEHIND_US 100000u  // a loaded machine fell behind this far: do not race to catch up

static avr_t *avr;
static host_link_t link_;
static reader_module_t reader;
static button_t buttons[PANEL_BUTTON_COUNT];
static uint32_t outputs[PANEL_OUTPUT_COUNT];
static uint64_t wall_origin_us;  // wall time that simulated time 0 corresponds to
static int quitting;
static const char *waiting;  // "wait" or "until" while one holds the control channel, else NULL
static char line[65536];
static size_t line_length;

static int load_firmware(const char *path, elf_firmware_t *f) {
  memset(f, 0, sizeof(*f));
  const char *dot = strrchr(path, '.');
  if (dot && strcasecmp(dot, ".hex") == 0) {
    // A stock build (StandardFirmata for the Mega): flash image only.
    ihex_chunk_p chunks = NULL;
    int count = read_ihex_chunks(path, &chunks);
    if (count <= 0) return -1;
    for (int i = 0; i < count; i++)
      if (chunks[i].baseaddr < 1024 * 1024) {
        f->flash = chunks[i].data;
        f->flashsize = chunks[i].size;
        f->flashbase = chunks[i].baseaddr;
      }
    if (!f->flash) return -1;
  } else if (elf_read_firmware(path, f) != 0) {
    return -1;
  }
  // Arduino builds carry no .mmcu section: the panel is a Mega 2560 at 16 MHz.
  if (!f->mmcu[0]) strcpy(f->mmcu, "atmega2560");
  if (!f->frequency) f->frequency = 16000000;
  return 0;
}

static int button_index(const char *name) {
  for (size_t i = 0; i < PANEL_BUTTON_COUNT; i++)
    if (strcmp(PANEL_BUTTONS[i].name, name) == 0) return (int)i;
  return -1;
}

static void on_button(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  const panel_pin_t *b = param;
  emit(avr, "button", "\"name\":\"%s\",\"pin\":%d,\"down\":%s", b->name, b->arduino_pin, value ? "false" : "true");
}

/*
 * A pressed button shorts its pin to ground, whatever the MCU writes to the port. simavr models a
 * pull-up by raising the pin on every PORT write that keeps the bit set, which would read as a
 * release in the middle of a press (StandardFirmata writes a whole port for an LED on it). So when
 * the pin goes high under a held button, it is pulled low again on the next cycle: re-raising it
 * inside its own notification would leave simavr's cached pin value wrong.
 */
static avr_cycle_count_t hold_low(struct avr_t *a, avr_cycle_count_t when, void *param) {
  (void)when;
  size_t i = (size_t)param;
  if (buttons[i].irq->value == 0) avr_raise_irq(avr_io_getirq(a, AVR_IOCTL_IOPORT_GETIRQ(PANEL_BUTTONS[i].port), PANEL_BUTTONS[i].bit), 0);
  return 0;
}

static void on_button_pin(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  size_t i = (size_t)param;
  if ((value & 1) && buttons[i].irq->value == 0) avr_cycle_timer_register(avr, 1, hold_low, param);
}

static void on_output(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  size_t i = (size_t)param;
  value &= 1;
  if (outputs[i] == value) return;
  outputs[i] = value;
  emit(avr, "pin", "\"name\":\"%s\",\"pin\":%d,\"value\":%u", PANEL_OUTPUTS[i].name, PANEL_OUTPUTS[i].arduino_pin, value);
}

static void wire_panel(void) {
  for (size_t i = 0; i < PANEL_BUTTON_COUNT; i++) {
    const panel_pin_t *p = &PANEL_BUTTONS[i];
    button_init(avr, &buttons[i], p->name);
    avr_connect_irq(buttons[i].irq + IRQ_BUTTON_OUT, avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(p->port), p->bit));
    // Released: the switch is open and the pull-up holds the pin high.
    avr_raise_irq(buttons[i].irq + IRQ_BUTTON_OUT, 1);
    avr_irq_register_notify(buttons[i].irq + IRQ_BUTTON_OUT, on_button, (void *)p);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(p->port), p->bit), on_button_pin, (void *)i);
  }
  for (size_t i = 0; i < PANEL_OUTPUT_COUNT; i++) {
    const panel_pin_t *p = &PANEL_OUTPUTS[i];
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(p->port), p->bit), on_output, (void *)i);
  }
}

/* Parse hex digits (spaces allowed) into out; returns the byte count or -1. */
static int parse_hex(const char *text, uint8_t *out, size_t max) {
  size_t n = 0;
  int high = -1;
  for (const char *c = text; c && *c; c++) {
    if (*c == ' ') continue;
    int v;
    if (*c >= '0' && *c <= '9') v = *c - '0';
    else if (*c >= 'a' && *c <= 'f') v = *c - 'a' + 10;
    else if (*c >= 'A' && *c <= 'F') v = *c - 'A' + 10;
    else return -1;
    if (high < 0) high = v;
    else {
      if (n >= max) return -1;
      out[n++] = (uint8_t)(high << 4 | v);
      high = -1;
    }
  }
  return high < 0 ? (int)n : -1;
}

static void report_state(void) {
  char fields[512];
  size_t k = 0;
  for (size_t i = 0; i < PANEL_OUTPUT_COUNT; i++)
    k += (size_t)snprintf(fields + k, sizeof(fields) - k, "\"%s\":%u,", PANEL_OUTPUTS[i].name, outputs[i]);
  snprintf(fields + k, sizeof(fields) - k, "\"pty\":\"%s\",\"hostOpen\":%s,\"lostToHost\":%llu", link_.path,
           link_.host_open ? "true" : "false", (unsigned long long)link_.lost_to_host);
  emit(avr, "state", "%s", fields);
}

static void run_buffered_commands(void);

/* A command that answers later (`wait`, `until`: from its timer) returns this instead of NULL. */
static const char ANSWER_LATER[] = "";

static avr_cycle_count_t end_wait(struct avr_t *a, avr_cycle_count_t when, void *param) {
  (void)when; (void)param;
  const char *verb = waiting;
  waiting = NULL;
  emit(a, "ok", "\"command\":\"%s\"", verb);
  run_buffered_commands();
  return 0;
}

/* One control line; returns an error text, NULL (done: answer ok), or ANSWER_LATER. */
static const char *run_command(char *cmd) {
  char *verb = strtok(cmd, " \t");
  char *arg = strtok(NULL, " \t");
  char *arg2 = strtok(NULL, "");
  static uint8_t bytes[32768];
  if (!verb) return "empty command";
  if (!strcmp(verb, "press") || !strcmp(verb, "down") || !strcmp(verb, "up")) {
    int b = arg ? button_index(arg) : -1;
    if (b < 0) return "unknown button (5 4 3 2 1 rate)";
    if (!strcmp(verb, "press")) {
      long ms = arg2 ? strtol(arg2, NULL, 10) : 100;
      if (ms <= 0 || ms > 60000) return "press time must be 1..60000 ms";
      button_press(&buttons[b], (uint32_t)ms * 1000u);
    } else {
      avr_raise_irq(buttons[b].irq + IRQ_BUTTON_OUT, !strcmp(verb, "up"));
    }
    return NULL;
  }
  if (!strcmp(verb, "card")) {
    long ms = arg2 ? strtol(arg2, NULL, 10) : 300;
    if (ms < 0) return "hold time must be >= 0";
    return arg && reader_card(&reader, arg, (uint32_t)ms) == 0 ? NULL : "card id must be 10 hex digits";
  }
  if (!strcmp(verb, "lift")) {
    reader_lift(&reader);
    return NULL;
  }
  if (!strcmp(verb, "reader")) {
    if (!arg || (strcmp(arg, "on") && strcmp(arg, "off"))) return "reader on|off";
    reader_attach(&reader, !strcmp(arg, "on"));
    return NULL;
  }
  if (!strcmp(verb, "reader-bytes") || !strcmp(verb, "host-bytes") || !strcmp(verb, "board-bytes")) {
    char joined[65536];
    snprintf(joined, sizeof(joined), "%s%s%s", arg ? arg : "", arg2 ? " " : "", arg2 ? arg2 : "");
    int n = parse_hex(joined, bytes, sizeof(bytes));
    if (n < 0) return "bytes must be hex digits, two per byte";
    if (verb[0] == 'r') reader_line_bytes(&reader, bytes, (size_t)n);
    else if (verb[0] == 'h') host_link_inject_to_host(&link_, bytes, (size_t)n);
    else host_link_inject_to_board(&link_, bytes, (size_t)n);
    return NULL;
  }
  if (!strcmp(verb, "wait") || !strcmp(verb, "until")) {
    char *end = NULL;
    double ms = arg ? strtod(arg, &end) : -1;
    if (!arg || *end || !(ms >= 0 && ms <= 1e9)) return "time must be a number of ms";
    uint64_t now_us = sim_us(avr);
    uint64_t at_us = (uint64_t)(ms * 1000.0 + 0.5) + (verb[0] == 'w' ? now_us : 0);
    if (at_us <= now_us) return NULL;  // `until` a time already past; `wait 0`
    waiting = verb[0] == 'w' ? "wait" : "until";
    avr_cycle_timer_register(avr, (avr_cycle_count_t)(at_us - now_us) * (avr->frequency / 1000000u), end_wait, NULL);
    return ANSWER_LATER;
  }
  if (!strcmp(verb, "host-drop")) {
    long n = arg ? strtol(arg, NULL, 10) : 0;
    if (n <= 0 || n > 65536) return "host-drop takes a byte count 1..65536";
    host_link_drop_to_host(&link_, (size_t)n);
    return NULL;
  }
  if (!strcmp(verb, "cable")) {
    if (arg && !strcmp(arg, "off")) {
      host_link_unplug(&link_);
      emit(avr, "cable", "\"plugged\":false");
      return NULL;
    }
    if (arg && !strcmp(arg, "on")) {
      if (host_link_plug(&link_) != 0) return "cannot create a pty";
      emit(avr, "cable", "\"plugged\":true,\"pty\":\"%s\"", link_.path);
      return NULL;
    }
    return "cable on|off";
  }
  if (!strcmp(verb, "state")) {
    report_state();
    return NULL;
  }
  if (!strcmp(verb, "quit")) {
    quitting = 1;
    return NULL;
  }
  return "unknown command";
}

/* Run the complete lines read so far, in order, up to a `wait` or `until`. */
static void run_buffered_commands(void) {
  char *nl;
  while (!waiting && (nl = memchr(line, '\n', line_length))) {
    *nl = 0;
    char cmd[sizeof(line)];
    strcpy(cmd, line);
    size_t used = (size_t)(nl - line) + 1;
    memmove(line, nl + 1, line_length - used);
    line_length -= used;
    char verb[32] = "";
    sscanf(cmd, "%31s", verb);
    const char *err = run_command(cmd);
    if (err == ANSWER_LATER) continue;
    if (err) emit(avr, "error", "\"command\":\"%s\",\"message\":\"%s\"", verb, err);
    else emit(avr, "ok", "\"command\":\"%s\"", verb);
  }
}

static void read_control(void) {
  for (;;) {
    run_buffered_commands();
    // While a `wait` runs, what follows it stays in the pipe: it is read, and applied, after.
    if (waiting) return;
    if (line_length == sizeof(line) - 1) line_length = 0;  // an absurd line: dropped
    ssize_t n = read(STDIN_FILENO, line + line_length, sizeof(line) - 1 - line_length);
    if (n == 0) {
      quitting = 1;  // whoever drove us is gone
      return;
    }
    if (n < 0) return;  // EAGAIN: nothing more now
    line_length += (size_t)n;
  }
}

/* Every POLL_US of simulated time: the control channel, the USB link, and pacing to the wall clock. */
static avr_cycle_count_t poll_timer(struct avr_t *a, avr_cycle_count_t when, void *param) {
  (void)param;
  read_control();
  host_link_poll(&link_);
  uint64_t target = wall_origin_us + sim_us(a);
  uint64_t now = wall_us();
  if (target > now) {
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)((target - now) * 1000u)};
    nanosleep(&ts, NULL);
  } else if (now - target > MAX_BEHIND_US) {
    wall_origin_us = now - sim_us(a);
  }
  return when + avr_usec_to_cycles(a, POLL_US);
}

/* Sleep is paced by poll_timer, not by simavr's usleep per sleep. */
static void no_sleep(avr_t *a, avr_cycle_count_t how_long) {
  (void)a; (void)how_long;
}

int main(int argc, char **argv) {
  const char *firmware = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--firmware") && i + 1 < argc) firmware = argv[++i];
    else {
      fprintf(stderr, "usage: %s --firmware <hcp-panel.elf | StandardFirmata.hex>\n", argv[0]);
      return 2;
    }
  }
  if (!firmware) {
    fprintf(stderr, "usage: %s --firmware <hcp-panel.elf | StandardFirmata.hex>\n", argv[0]);
    return 2;
  }
  elf_firmware_t f;
  if (load_firmware(firmware, &f) != 0) {
    fprintf(stderr, "virtual-panel: cannot load firmware %s\n", firmware);
    return 2;
  }
  avr = avr_make_mcu_by_name(f.mmcu);
  if (!avr) {
    fprintf(stderr, "virtual-panel: simavr has no MCU %s\n", f.mmcu);
    return 2;
  }
  avr_init(avr);
  avr_load_firmware(avr, &f);
  avr->sleep = no_sleep;
  fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);

  // simavr's UARTs usleep() on each status poll that finds nothing to do, to spare the CPU of a
  // firmware that spins on them; our pacing to the wall clock does that already, and those sleeps
  // would slow a busy firmware (StandardFirmata's loop) to a fraction of real time.
  for (char uart = '0'; uart <= '3'; uart++) {
    uint32_t flags = 0;
    if (avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS(uart), &flags) == 0) {
      flags &= ~AVR_UART_FLAG_POLL_SLEEP;
      avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS(uart), &flags);
    }
  }
  wire_panel();
  host_link_init(&link_, avr, HOST_UART);
  reader_init(&reader, avr, READER_UART);
  if (host_link_plug(&link_) != 0) {
    fprintf(stderr, "virtual-panel: cannot create a pty: %s\n", strerror(errno));
    return 2;
  }
  avr_cycle_timer_register_usec(avr, POLL_US, poll_timer, NULL);
  wall_origin_us = wall_us();
  emit(avr, "ready", "\"pty\":\"%s\",\"mcu\":\"%s\",\"firmware\":\"%s\"", link_.path, f.mmcu, firmware);

  while (!quitting) {
    int state = avr_run(avr);
    if (state == cpu_Done || state == cpu_Crashed) {
      emit(avr, "halted", "\"state\":\"%s\"", state == cpu_Crashed ? "crashed" : "done");
      return 3;
    }
  }
  host_link_unplug(&link_);
  emit(avr, "bye", "%s", "");
  return 0;
}
