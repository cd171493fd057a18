/*
 * The panel's buttons, debounced on the board: a level counts once the contact has held it for
 * DEBOUNCE_MS without bouncing back. Every debounced edge is reported (BUTTON_EVENT, and the
 * Firmata port report when the host asked for it), so one press is one press on any host.
 */
#pragma once
#include <stdint.h>

#define DEBOUNCE_MS 5

/* Called for each debounced edge: the button's pin and its new level (0 = pressed). */
typedef void (*ButtonEdge)(uint8_t pin, uint8_t level);

void buttonsReset();
/* Sample every button once; call once per millisecond. */
void buttonsSample(uint32_t nowMs, ButtonEdge onEdge);
/* The debounced level of a button pin (1 = released). */
uint8_t buttonLevel(uint8_t index);
