/* What the panel sends to the host: Firmata's answers and reports, and the panel's own sysex. */
#pragma once
#include <stdint.h>

void sendVersion();
void sendFirmwareName();
void sendCapabilities();
void sendAnalogMapping();
void sendPinState(uint8_t pin);
void sendDigitalPort(uint8_t port, uint8_t value);
/* STRING_DATA: a line for whoever diagnoses the panel (firmata.js emits it as 'string'). */
void sendString(const char *text);
/* "refused <what> <pin> <value>": a host request this panel cannot honour. */
void sendRefusal(const char *what, uint8_t pin, uint8_t value);
void sendButtonEvent(uint8_t pin, uint8_t level, uint8_t seq);
void sendNfcUid(uint8_t readerType, const uint8_t *id, uint8_t length);
