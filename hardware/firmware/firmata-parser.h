/*
 * Firmata's byte stream into whole messages (Firmata protocol 2.6, protocol.md "Message Types").
 * Pure: no Arduino calls, so the same code parses in the simulator and on the board.
 *
 * Stricter than StandardFirmata on a noisy link: a command byte (0x80 and up) in the middle of a
 * message or a sysex ends it unfinished and starts the next one, as MIDI, Firmata's ancestor,
 * does; a sysex longer than the buffer is dropped whole, never acted on in part.
 */
#pragma once
#include <stdint.h>

#define SYSEX_MAX_DATA 32

struct FirmataHandlers {
  /* A complete non-sysex message: its command byte (with the channel nibble) and data bytes. */
  void (*message)(uint8_t command, const uint8_t *data, uint8_t length);
  /* A complete sysex: its command and the data bytes between it and END_SYSEX. */
  void (*sysex)(uint8_t command, const uint8_t *data, uint8_t length);
};

class FirmataParser {
 public:
  explicit FirmataParser(FirmataHandlers handlers) : h(handlers) {}
  void feed(uint8_t byte);
  /* Messages dropped unfinished or unknown (diagnosis). */
  uint16_t dropped = 0;

 private:
  void startCommand(uint8_t byte);
  FirmataHandlers h;
  bool inSysex = false;
  bool sysexOverflow = false;
  uint8_t command = 0;   // 0: waiting for a command byte
  uint8_t expected = 0;  // data bytes the current command takes
  uint8_t length = 0;
  uint8_t data[SYSEX_MAX_DATA + 1];
};
