/* CRC-7 (polynomial x^7 + x^3 + 1, as SD cards use it): a 7-bit check that fits a sysex data byte. */
#pragma once
#include <stdint.h>

uint8_t crc7(const uint8_t *data, uint8_t length);
