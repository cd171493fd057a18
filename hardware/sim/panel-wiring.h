/*
 * The panel's wiring as the virtual panel connects it to the simulated ATmega2560: the same pin
 * table as hardware/README.md and hardware/firmware/panel-pins.h, by AVR port and bit (the Mega
 * 2560's pin map, variants/mega/pins_arduino.h).
 */
#pragma once

typedef struct panel_pin_t {
  const char *name;  // as the control channel and the events name it
  int arduino_pin;
  char port;
  int bit;
} panel_pin_t;

// Buttons, to ground (pressed = low) with the MCU's pull-ups.
static const panel_pin_t PANEL_BUTTONS[] = {
  {"5", 22, 'A', 0}, {"4", 23, 'A', 1}, {"3", 24, 'A', 2}, {"2", 25, 'A', 3}, {"1", 26, 'A', 4},
  {"rate", 27, 'A', 5},
};
#define PANEL_BUTTON_COUNT (sizeof(PANEL_BUTTONS) / sizeof(PANEL_BUTTONS[0]))

// Outputs the harness watches: one LED per button, the buzzer, the board's own LED.
static const panel_pin_t PANEL_OUTPUTS[] = {
  {"led5", 30, 'C', 7}, {"led4", 31, 'C', 6}, {"led3", 32, 'C', 5}, {"led2", 33, 'C', 4}, {"led1", 34, 'C', 3},
  {"led-rate", 35, 'C', 2}, {"buzzer", 9, 'H', 6}, {"status", 13, 'B', 7},
};
#define PANEL_OUTPUT_COUNT (sizeof(PANEL_OUTPUTS) / sizeof(PANEL_OUTPUTS[0]))

#define HOST_UART '0'    // USB link to the evaluator device (Firmata, 57600)
#define READER_UART '1'  // the RDM6300 badge reader (9600)
