#include <Arduino.h>
#include "panel-pins.h"
#include "panel-protocol.h"

static uint8_t modes[TOTAL_PINS];
static uint8_t outputs[TOTAL_PINS];

int8_t buttonIndex(uint8_t pin) {
  for (uint8_t i = 0; i < BUTTON_COUNT; i++)
    if (BUTTON_PINS[i] == pin) return i;
  return -1;
}

uint8_t pinCapabilities(uint8_t pin) {
  if (buttonIndex(pin) >= 0) return CAN_PULLUP;
  for (uint8_t i = 0; i < BUTTON_COUNT; i++)
    if (LED_PINS[i] == pin) return CAN_OUTPUT;
  if (pin == BUZZER_PIN || pin == STATUS_LED_PIN) return CAN_OUTPUT;
  return 0;
}

static void applyMode(uint8_t pin, uint8_t mode) {
  modes[pin] = mode;
  if (mode == PIN_MODE_PULLUP || mode == PIN_MODE_INPUT) {
    pinMode(pin, INPUT_PULLUP);
  } else if (mode == PIN_MODE_OUTPUT) {
    outputs[pin] = 0;
    digitalWrite(pin, LOW);  // off before it is driven: no flash of light or sound
    pinMode(pin, OUTPUT);
  }
}

void pinsReset() {
  for (uint8_t pin = 0; pin < TOTAL_PINS; pin++) {
    uint8_t caps = pinCapabilities(pin);
    modes[pin] = PIN_MODE_IGNORE;
    outputs[pin] = 0;
    if (caps & CAN_PULLUP) applyMode(pin, PIN_MODE_PULLUP);
    else if (caps & CAN_OUTPUT) applyMode(pin, PIN_MODE_OUTPUT);
  }
}

bool pinsSetMode(uint8_t pin, uint8_t mode) {
  if (pin >= TOTAL_PINS) return false;
  uint8_t caps = pinCapabilities(pin);
  // INPUT is offered on button pins for hosts that ask for a pull-up the Firmata 2.3 way (INPUT,
  // then write HIGH), but the pull-up stays on either way: a button input without it would float.
  bool ok = ((mode == PIN_MODE_PULLUP || mode == PIN_MODE_INPUT) && (caps & CAN_PULLUP)) ||
            (mode == PIN_MODE_OUTPUT && (caps & CAN_OUTPUT));
  if (!ok) return false;
  if (modes[pin] != mode) applyMode(pin, mode);
  return true;
}

bool pinsWrite(uint8_t pin, uint8_t value) {
  if (pin >= TOTAL_PINS) return false;
  // On a button input, writing HIGH asks for the pull-up it already has; LOW would drop it: refused.
  if (modes[pin] == PIN_MODE_INPUT || modes[pin] == PIN_MODE_PULLUP) return value != 0;
  if (modes[pin] != PIN_MODE_OUTPUT) return false;
  outputs[pin] = value ? 1 : 0;
  digitalWrite(pin, outputs[pin] ? HIGH : LOW);
  return true;
}

uint8_t pinsMode(uint8_t pin) {
  return pin < TOTAL_PINS ? modes[pin] : PIN_MODE_IGNORE;
}

uint8_t pinsState(uint8_t pin) {
  if (pin >= TOTAL_PINS) return 0;
  if (modes[pin] == PIN_MODE_PULLUP || modes[pin] == PIN_MODE_INPUT) return 1;  // pull-up on
  return outputs[pin];
}
