#include <Arduino.h>
#include "buttons.h"
#include "panel-pins.h"

struct Debounced {
  uint8_t stable;     // the level last reported
  uint8_t candidate;  // a different level seen since `since`
  uint32_t since;
};

static Debounced buttons[BUTTON_COUNT];

void buttonsReset() {
  for (uint8_t i = 0; i < BUTTON_COUNT; i++) {
    uint8_t level = digitalRead(BUTTON_PINS[i]);
    buttons[i] = {level, level, 0};
  }
}

void buttonsSample(uint32_t nowMs, ButtonEdge onEdge) {
  for (uint8_t i = 0; i < BUTTON_COUNT; i++) {
    Debounced &b = buttons[i];
    uint8_t raw = digitalRead(BUTTON_PINS[i]);
    if (raw == b.stable) {
      b.candidate = raw;  // bounced back: the edge starts over
      continue;
    }
    if (raw != b.candidate) {
      b.candidate = raw;
      b.since = nowMs;
      continue;
    }
    if (nowMs - b.since >= DEBOUNCE_MS) {
      b.stable = raw;
      onEdge(BUTTON_PINS[i], raw);
    }
  }
}

uint8_t buttonLevel(uint8_t index) {
  return index < BUTTON_COUNT ? buttons[index].stable : 1;
}
