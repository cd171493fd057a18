/*
 * hcp-panel: the rating panel's firmware for an Arduino Mega 2560. It speaks Firmata 2.6 to the
 * evaluator device over USB (57600 baud), so the device runtime drives it with johnny-five and any
 * Firmata tool can diagnose it, and adds two checked sysex messages of its own: a badge read by
 * the RDM6300 reader on Serial1 (NFC_UID), and each debounced button edge (BUTTON_EVENT).
 * hardware/README.md has the wiring, the protocol and how to build and flash it.
 *
 * The board idles asleep between interrupts (a byte, or the 1 ms timer tick) and a watchdog
 * restarts it if the loop ever hangs.
 */
#include <Arduino.h>
#include <avr/sleep.h>
#include <avr/wdt.h>
#include "buttons.h"
#include "firmata-parser.h"
#include "firmata-replies.h"
#include "panel-pins.h"
#include "panel-protocol.h"
#include "rdm6300.h"

#define HOST_BAUD 57600
#define READER_BAUD 9600

// MCUSR as it was at reset (kept in .noinit so the startup code does not clear it), and the
// watchdog off before anything else runs: after a watchdog reset it stays armed at its shortest
// period, and the C runtime's start-up alone could trip it again.
static uint8_t resetCause __attribute__((section(".noinit")));
void watchdogOffAtStart() __attribute__((naked, used, section(".init3")));
void watchdogOffAtStart() {
  resetCause = MCUSR;
  MCUSR = 0;
  wdt_disable();
}

static bool reportPort[TOTAL_PORTS];
static uint8_t buttonSeq = 0;
static Rdm6300 reader;

static uint8_t portValue(uint8_t port) {
  uint8_t value = 0;
  for (uint8_t bit = 0; bit < 8; bit++) {
    uint8_t pin = port * 8 + bit;
    int8_t b = buttonIndex(pin);  // button pins are always inputs (panel-pins.cpp refuses other modes)
    if (b >= 0 && buttonLevel(b)) value |= 1 << bit;
  }
  return value;
}

static void onButtonEdge(uint8_t pin, uint8_t level) {
  sendButtonEvent(pin, level, buttonSeq++);
  uint8_t port = pin / 8;
  if (reportPort[port]) sendDigitalPort(port, portValue(port));
}

/*
 * SYSTEM_RESET resets what the host set (pin modes, outputs, reports), not what the panel senses:
 * a card still on the reader or a button still held is not new after a reset, or a reset sent
 * while a badge rests on the reader would log its owner out (seen in the noise drill).
 */
static void resetHostState() {
  pinsReset();
  for (uint8_t p = 0; p < TOTAL_PORTS; p++) reportPort[p] = false;
}

static void onMessage(uint8_t command, const uint8_t *data, uint8_t length) {
  (void)length;
  switch (command & 0xF0) {
    case DIGITAL_MESSAGE: {
      uint8_t port = command & 0x0F;
      uint8_t value = data[0] | (data[1] << 7);
      for (uint8_t bit = 0; bit < 8; bit++) {
        uint8_t pin = port * 8 + bit;
        if (pinsMode(pin) == PIN_MODE_OUTPUT) pinsWrite(pin, (value >> bit) & 1);
      }
      return;
    }
    case REPORT_DIGITAL: {
      uint8_t port = command & 0x0F;
      if (port >= TOTAL_PORTS) return;
      reportPort[port] = data[0] != 0;
      // Enabling a report answers with the port's value at once (as StandardFirmata does).
      if (reportPort[port]) sendDigitalPort(port, portValue(port));
      return;
    }
    case ANALOG_MESSAGE:
    case REPORT_ANALOG:
      return;  // no analog pins or PWM outputs on this panel
  }
  switch (command) {
    case SET_PIN_MODE:
      if (!pinsSetMode(data[0], data[1])) sendRefusal("mode", data[0], data[1]);
      return;
    case SET_DIGITAL_PIN_VALUE:
      if (!pinsWrite(data[0], data[1])) sendRefusal("write", data[0], data[1]);
      return;
    case REPORT_VERSION:
      sendVersion();
      return;
    case SYSTEM_RESET:
      resetHostState();
      return;
  }
}

static void onSysex(uint8_t command, const uint8_t *data, uint8_t length) {
  switch (command) {
    case REPORT_FIRMWARE: sendFirmwareName(); return;
    case CAPABILITY_QUERY: sendCapabilities(); return;
    case ANALOG_MAPPING_QUERY: sendAnalogMapping(); return;
    case PIN_STATE_QUERY:
      if (length >= 1 && data[0] < TOTAL_PINS) sendPinState(data[0]);
      return;
    case SAMPLING_INTERVAL: return;  // buttons are sampled every millisecond regardless
  }
}

static FirmataParser parser({onMessage, onSysex});

static const char *resetCauseText() {
  if (resetCause & _BV(WDRF)) return "hcp-panel started (watchdog reset)";
  if (resetCause & _BV(BORF)) return "hcp-panel started (brown-out reset)";
  if (resetCause & _BV(EXTRF)) return "hcp-panel started (reset button or USB open)";
  return "hcp-panel started (power on)";
}

void setup() {
  Serial.begin(HOST_BAUD);
  Serial1.begin(READER_BAUD);
  resetHostState();
  buttonsReset();
  // Announce ourselves, as StandardFirmata does at start: a host that opened the port (and so
  // reset the board through DTR) learns the protocol version without asking.
  sendVersion();
  sendFirmwareName();
  sendString(resetCauseText());
  wdt_enable(WDTO_2S);
}

void loop() {
  static uint32_t lastSample = 0;
  wdt_reset();
  while (Serial.available() > 0) parser.feed((uint8_t)Serial.read());
  while (Serial1.available() > 0) {
    if (reader.feed((uint8_t)Serial1.read(), millis())) sendNfcUid(READER_EM4100, reader.id, RDM6300_ID_BYTES);
  }
  uint32_t now = millis();
  if (now != lastSample) {
    lastSample = now;
    buttonsSample(now, onButtonEdge);
  }
  // Idle until the next interrupt: a received byte, a sent one, or the 1 ms timer tick.
  set_sleep_mode(SLEEP_MODE_IDLE);
  sleep_mode();
}
