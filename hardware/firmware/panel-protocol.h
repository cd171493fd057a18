/*
 * The Firmata protocol numbers this firmware speaks (Firmata protocol 2.6, firmata/protocol on
 * GitHub: protocol.md, pin-state-query.md, capability-query.md), and the panel's own sysex
 * messages. The host side keeps the same numbers in device/hardware/panel/panel-sysex.ts; the
 * conformance suite (test/hardware/firmata-conformance.test.ts) runs this firmware against both.
 */
#pragma once
#include <stdint.h>

// Protocol version answered to REPORT_VERSION (0xF9): Firmata 2.6.
#define FIRMATA_PROTOCOL_MAJOR 2
#define FIRMATA_PROTOCOL_MINOR 6
// The firmware's own version and name, answered to REPORT_FIRMWARE (sysex 0x79).
#define PANEL_FIRMWARE_MAJOR 1
#define PANEL_FIRMWARE_MINOR 0
#define PANEL_FIRMWARE_NAME "hcp-panel"

// Message types (the low nibble of the first three carries a port or pin number).
#define DIGITAL_MESSAGE 0x90     // port, 7 bits, 1 bit: a port's pin values
#define ANALOG_MESSAGE 0xE0      // pin, 14-bit value (analog out / PWM: none on this panel)
#define REPORT_ANALOG 0xC0       // pin, enable
#define REPORT_DIGITAL 0xD0      // port, enable
#define SET_PIN_MODE 0xF4        // pin, mode
#define SET_DIGITAL_PIN_VALUE 0xF5 // pin, value
#define REPORT_VERSION 0xF9      // major, minor
#define SYSTEM_RESET 0xFF
#define START_SYSEX 0xF0
#define END_SYSEX 0xF7

// Sysex commands.
#define STRING_DATA 0x71
#define REPORT_FIRMWARE 0x79
#define SAMPLING_INTERVAL 0x7A
#define CAPABILITY_QUERY 0x6B
#define CAPABILITY_RESPONSE 0x6C
#define ANALOG_MAPPING_QUERY 0x69
#define ANALOG_MAPPING_RESPONSE 0x6A
#define PIN_STATE_QUERY 0x6D
#define PIN_STATE_RESPONSE 0x6E

/*
 * The panel's own sysex messages, in the range Firmata leaves to users (0x01-0x0F). Firmata
 * itself has no check on the link; these carry a CRC-7 (crc7.h) so a byte lost or garbled on the
 * way can never become a badge or a press the panel did not see.
 *
 * NFC_UID      0x0D  reader type, id bytes as 7-bit pairs (low 7 bits, then the high bit), crc
 * BUTTON_EVENT 0x0E  pin, level (0 = pressed: buttons pull the pin to ground), seq (0-127), crc
 * The crc covers the command byte and every payload byte before it.
 */
#define NFC_UID 0x0D
#define BUTTON_EVENT 0x0E
#define READER_EM4100 0x01

// Pin modes.
#define PIN_MODE_INPUT 0x00
#define PIN_MODE_OUTPUT 0x01
#define PIN_MODE_PULLUP 0x0B
#define PIN_MODE_IGNORE 0x7F
