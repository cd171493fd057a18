/*
 * The panel's wiring on an Arduino Mega 2560 (hardware/README.md has the pin table a technician
 * follows) and what each pin may be set to. The capability answer is built from this table, and
 * a host request outside it is refused: a button pin is always an input with its pull-up on (a
 * floating input reads random presses), and only LED and buzzer pins can be driven.
 */
#pragma once
#include <stdint.h>

#define TOTAL_PINS 70  // D0-D53 and A0-A15 (D54-D69) on the Mega 2560
#define TOTAL_PORTS 9  // Firmata ports of 8 pins

#define BUTTON_COUNT 6
// Buttons for levels 5..1 (非常满意 .. 非常不满意), then "please rate" (请评价).
static const uint8_t BUTTON_PINS[BUTTON_COUNT] = {22, 23, 24, 25, 26, 27};
// LEDs in the same order: one per level button, then the please-rate LED.
static const uint8_t LED_PINS[BUTTON_COUNT] = {30, 31, 32, 33, 34, 35};
#define BUZZER_PIN 9       // active buzzer (its own oscillator): high = sounding
#define STATUS_LED_PIN 13  // the board's own LED: host-controlled, for diagnosis
// D0/D1 carry Firmata to the host (Serial); D19/D18 (RX1/TX1) take the RDM6300 reader (Serial1).

// Supported-mode bits of a pin.
#define CAN_OUTPUT 0x01
#define CAN_PULLUP 0x02  // INPUT and PULLUP, both with the pull-up on

/* What the host may set this pin to (CAN_* bits); 0 = not used on the panel. */
uint8_t pinCapabilities(uint8_t pin);
/* Index of the pin in BUTTON_PINS, or -1. */
int8_t buttonIndex(uint8_t pin);

/* The panel's pin modes and output values, as the host set them. */
void pinsReset();
/* Apply a SET_PIN_MODE; false if the pin cannot take that mode (nothing changes then). */
bool pinsSetMode(uint8_t pin, uint8_t mode);
/* Drive an output pin; false (and nothing changes) if the pin is not an output. */
bool pinsWrite(uint8_t pin, uint8_t value);
uint8_t pinsMode(uint8_t pin);
/* Pin state as PIN_STATE_RESPONSE reports it: an output's value, 1 for a pulled-up input. */
uint8_t pinsState(uint8_t pin);
