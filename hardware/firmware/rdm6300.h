/*
 * The RDM6300 125 kHz reader on Serial1 (9600 8N1). While a card is in its field the module
 * repeats one ASCII frame:
 *
 *   0x02 | 10 hex digits: version byte + 4-byte EM4100 card id | 2 hex digits: XOR of those 5 bytes | 0x03
 *
 * The framer resyncs on every STX and drops frames with a non-hex digit, a bad checksum or no
 * ETX; a card is one tap until it has been unseen for REMOVE_MS, so a badge held on the reader
 * logs in (or out) once. The host side of a USB-attached reader does the same
 * (device/hardware/nfc/rdm6300-framer.ts, card-presence.ts).
 */
#pragma once
#include <stdint.h>

#define RDM6300_ID_BYTES 5
#define RDM6300_REMOVE_MS 600

class Rdm6300 {
 public:
  /* Feed one byte from the reader; true when it completes a new tap (the id is in `id`). */
  bool feed(uint8_t byte, uint32_t nowMs);
  uint8_t id[RDM6300_ID_BYTES];
  /* Frames dropped for a bad checksum, a bad digit or a missing ETX (diagnosis). */
  uint16_t badFrames = 0;

 private:
  bool decode();
  uint8_t frame[14];
  uint8_t length = 0;
  bool holding = false;
  uint8_t held[RDM6300_ID_BYTES];
  uint32_t lastSeenMs = 0;
};
