#include <Arduino.h>
#include "crc7.h"
#include "firmata-replies.h"
#include "panel-pins.h"
#include "panel-protocol.h"

static void write7bitPair(uint8_t value) {
  Serial.write(value & 0x7F);
  Serial.write(value >> 7);
}

void sendVersion() {
  Serial.write(REPORT_VERSION);
  Serial.write(FIRMATA_PROTOCOL_MAJOR);
  Serial.write(FIRMATA_PROTOCOL_MINOR);
}

void sendFirmwareName() {
  Serial.write(START_SYSEX);
  Serial.write(REPORT_FIRMWARE);
  Serial.write(PANEL_FIRMWARE_MAJOR);
  Serial.write(PANEL_FIRMWARE_MINOR);
  for (const char *c = PANEL_FIRMWARE_NAME; *c; c++) write7bitPair((uint8_t)*c);
  Serial.write(END_SYSEX);
}

void sendCapabilities() {
  Serial.write(START_SYSEX);
  Serial.write(CAPABILITY_RESPONSE);
  for (uint8_t pin = 0; pin < TOTAL_PINS; pin++) {
    uint8_t caps = pinCapabilities(pin);
    // Each mode with its resolution (1 bit for digital modes), the pin ended by 0x7F.
    if (caps & CAN_PULLUP) {
      Serial.write(PIN_MODE_INPUT); Serial.write(1);
      Serial.write(PIN_MODE_PULLUP); Serial.write(1);
    }
    if (caps & CAN_OUTPUT) {
      Serial.write(PIN_MODE_OUTPUT); Serial.write(1);
    }
    Serial.write(0x7F);
  }
  Serial.write(END_SYSEX);
}

void sendAnalogMapping() {
  // The panel reads no analog inputs: no pin maps to an analog channel.
  Serial.write(START_SYSEX);
  Serial.write(ANALOG_MAPPING_RESPONSE);
  for (uint8_t pin = 0; pin < TOTAL_PINS; pin++) Serial.write(0x7F);
  Serial.write(END_SYSEX);
}

void sendPinState(uint8_t pin) {
  Serial.write(START_SYSEX);
  Serial.write(PIN_STATE_RESPONSE);
  Serial.write(pin);
  Serial.write(pinsMode(pin));
  Serial.write(pinsState(pin));
  Serial.write(END_SYSEX);
}

void sendDigitalPort(uint8_t port, uint8_t value) {
  Serial.write(DIGITAL_MESSAGE | (port & 0x0F));
  Serial.write(value & 0x7F);
  Serial.write(value >> 7);
}

void sendString(const char *text) {
  Serial.write(START_SYSEX);
  Serial.write(STRING_DATA);
  for (const char *c = text; *c; c++) write7bitPair((uint8_t)*c);
  Serial.write(END_SYSEX);
}

static char *appendNumber(char *out, uint8_t n) {
  char digits[4];
  uint8_t k = 0;
  do {
    digits[k++] = '0' + n % 10;
    n /= 10;
  } while (n);
  while (k) *out++ = digits[--k];
  return out;
}

void sendRefusal(const char *what, uint8_t pin, uint8_t value) {
  char line[48];
  char *out = line;
  for (const char *c = "refused "; *c; c++) *out++ = *c;
  for (const char *c = what; *c && out < line + 30; c++) *out++ = *c;
  *out++ = ' ';
  out = appendNumber(out, pin);
  *out++ = ' ';
  out = appendNumber(out, value);
  *out = 0;
  sendString(line);
}

/* A sysex whose last data byte is the CRC-7 of the command and the payload (panel-protocol.h). */
static void sendChecked(const uint8_t *body, uint8_t length) {
  Serial.write(START_SYSEX);
  Serial.write(body, length);
  Serial.write(crc7(body, length));
  Serial.write(END_SYSEX);
}

void sendButtonEvent(uint8_t pin, uint8_t level, uint8_t seq) {
  uint8_t body[4] = {BUTTON_EVENT, pin, (uint8_t)(level ? 1 : 0), (uint8_t)(seq & 0x7F)};
  sendChecked(body, sizeof(body));
}

void sendNfcUid(uint8_t readerType, const uint8_t *id, uint8_t length) {
  uint8_t body[2 + 2 * 8];
  if (length > 8) return;
  uint8_t n = 0;
  body[n++] = NFC_UID;
  body[n++] = readerType;
  for (uint8_t i = 0; i < length; i++) {
    body[n++] = id[i] & 0x7F;
    body[n++] = id[i] >> 7;
  }
  sendChecked(body, n);
}
