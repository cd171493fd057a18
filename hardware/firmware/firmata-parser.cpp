#include "firmata-parser.h"
#include "panel-protocol.h"

/* Data bytes each command takes; -1 for a command byte this firmware does not know. */
static int8_t dataLength(uint8_t command) {
  switch (command & 0xF0) {
    case DIGITAL_MESSAGE: case ANALOG_MESSAGE: return 2;
    case REPORT_ANALOG: case REPORT_DIGITAL: return 1;
  }
  switch (command) {
    case SET_PIN_MODE: case SET_DIGITAL_PIN_VALUE: return 2;
    case REPORT_VERSION: case SYSTEM_RESET: return 0;
  }
  return -1;
}

void FirmataParser::startCommand(uint8_t byte) {
  if (inSysex || command != 0) dropped++;  // the previous message never finished
  inSysex = false;
  command = 0;
  length = 0;
  if (byte == START_SYSEX) {
    inSysex = true;
    sysexOverflow = false;
    return;
  }
  int8_t n = dataLength(byte);
  if (n < 0) {
    dropped++;
    return;
  }
  if (n == 0) {
    h.message(byte, data, 0);
    return;
  }
  command = byte;
  expected = (uint8_t)n;
}

void FirmataParser::feed(uint8_t byte) {
  if (inSysex && byte == END_SYSEX) {
    inSysex = false;
    if (sysexOverflow || length == 0) dropped++;
    else h.sysex(data[0], data + 1, length - 1);
    length = 0;
    return;
  }
  if (byte & 0x80) {
    startCommand(byte);
    return;
  }
  if (inSysex) {
    if (length < sizeof(data)) data[length++] = byte;
    else sysexOverflow = true;
    return;
  }
  if (command == 0) return;  // a data byte with no command: line noise
  data[length++] = byte;
  if (length == expected) {
    uint8_t done = command;
    command = 0;
    length = 0;
    h.message(done, data, expected);
  }
}
