#include "crc7.h"

uint8_t crc7(const uint8_t *data, uint8_t length) {
  uint8_t crc = 0;
  for (uint8_t i = 0; i < length; i++) {
    for (int8_t bit = 7; bit >= 0; bit--) {
      uint8_t in = (data[i] >> bit) & 1;
      uint8_t top = (crc >> 6) & 1;
      crc = (crc << 1) & 0x7F;
      if (in ^ top) crc ^= 0x09;
    }
  }
  return crc;
}
