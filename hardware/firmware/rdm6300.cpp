#include <string.h>
#include "rdm6300.h"

#define STX 0x02
#define ETX 0x03
#define FRAME_LENGTH 14

static int8_t hexValue(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool Rdm6300::decode() {
  uint8_t bytes[RDM6300_ID_BYTES + 1];
  for (uint8_t i = 0; i < RDM6300_ID_BYTES + 1; i++) {
    int8_t hi = hexValue(frame[1 + 2 * i]);
    int8_t lo = hexValue(frame[2 + 2 * i]);
    if (hi < 0 || lo < 0) return false;
    bytes[i] = (uint8_t)((hi << 4) | lo);
  }
  uint8_t x = 0;
  for (uint8_t i = 0; i < RDM6300_ID_BYTES; i++) x ^= bytes[i];
  if (x != bytes[RDM6300_ID_BYTES]) return false;
  memcpy(id, bytes, RDM6300_ID_BYTES);
  return true;
}

bool Rdm6300::feed(uint8_t byte, uint32_t nowMs) {
  if (byte == STX) {
    // A frame's digits are never STX: a new STX always starts over (resync after noise).
    if (length > 0) badFrames++;
    frame[0] = STX;
    length = 1;
    return false;
  }
  if (length == 0) return false;  // noise between frames
  frame[length++] = byte;
  if (length < FRAME_LENGTH) {
    if (hexValue(byte) < 0) {  // not a digit where one must be: drop early
      badFrames++;
      length = 0;
    }
    return false;
  }
  length = 0;
  if (byte != ETX || !decode()) {
    badFrames++;
    return false;
  }
  bool same = holding && memcmp(held, id, RDM6300_ID_BYTES) == 0 && nowMs - lastSeenMs <= RDM6300_REMOVE_MS;
  holding = true;
  memcpy(held, id, RDM6300_ID_BYTES);
  lastSeenMs = nowMs;
  return !same;
}
