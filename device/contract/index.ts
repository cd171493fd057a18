/**
 * The wire contract shared by device, gateway and kiosk UI: levels, reason catalogue, chain records,
 * MQTT topics and payloads, the local API. Browser-safe (no Node imports); hashing and signing live
 * in `./chain.ts`, which only Node code imports.
 */
export * from './levels.js';
export * from './catalogue.js';
export * from './reason-dimensions.js';
export * from './records.js';
export * from './topics.js';
export * from './messages.js';
export * from './local-api.js';
export * from './key-proof.js';
