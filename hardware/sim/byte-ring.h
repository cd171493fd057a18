/* A fixed-size byte ring: the harness is single-threaded, so no locking. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define BYTE_RING_SIZE 16384

typedef struct byte_ring_t {
  uint8_t data[BYTE_RING_SIZE];
  size_t head, length;
} byte_ring_t;

static inline size_t ring_space(const byte_ring_t *r) { return BYTE_RING_SIZE - r->length; }

/* Append what fits; returns how many bytes were taken. */
static inline size_t ring_push(byte_ring_t *r, const uint8_t *bytes, size_t n) {
  size_t taken = 0;
  while (taken < n && r->length < BYTE_RING_SIZE) {
    r->data[(r->head + r->length) % BYTE_RING_SIZE] = bytes[taken++];
    r->length++;
  }
  return taken;
}

static inline int ring_pop(byte_ring_t *r) {
  if (!r->length) return -1;
  uint8_t b = r->data[r->head];
  r->head = (r->head + 1) % BYTE_RING_SIZE;
  r->length--;
  return b;
}

/* Up to `max` bytes from the front without taking them; returns the count. */
static inline size_t ring_peek(const byte_ring_t *r, uint8_t *out, size_t max) {
  size_t n = r->length < max ? r->length : max;
  for (size_t i = 0; i < n; i++) out[i] = r->data[(r->head + i) % BYTE_RING_SIZE];
  return n;
}

static inline void ring_drop(byte_ring_t *r, size_t n) {
  if (n > r->length) n = r->length;
  r->head = (r->head + n) % BYTE_RING_SIZE;
  r->length -= n;
}

static inline void ring_clear(byte_ring_t *r) { r->head = r->length = 0; }
