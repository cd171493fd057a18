/**
 * The messages between the device program and its panel worker process (panel-worker.ts), one
 * schema per direction. Both sides validate what they receive: a worker is restartable code over
 * a USB cable, not a trusted part of the rating path.
 */
import { z } from 'zod';

export const PanelWorkerSettingsSchema = z.object({
  path: z.string().min(1),
  baudRate: z.number().int().positive(),
  firmware: z.enum(['hcp-panel', 'standard-firmata']),
  handshakeTimeoutMs: z.number().int().positive(),
  /** After this long without an answer to a version query the worker gives up the link. */
  heartbeatMs: z.number().int().positive(),
  logLevel: z.string(),
});
export type PanelWorkerSettings = z.infer<typeof PanelWorkerSettingsSchema>;

/** What the device asks the panel to show. */
export const PanelCommandSchema = z.discriminatedUnion('t', [
  /** Each LED's state: level LEDs 1..5 and the please-rate LED. */
  z.object({ t: z.literal('leds'), levels: z.array(z.number().int().min(1).max(5)), pleaseRate: z.enum(['off', 'on', 'blink']) }),
  z.object({ t: z.literal('beep'), ms: z.number().int().min(10).max(2000) }),
  z.object({ t: z.literal('close') }),
]);
export type PanelCommand = z.infer<typeof PanelCommandSchema>;

/** What the panel reports. */
export const PanelReportSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('ready'), path: z.string(), firmware: z.string(), version: z.string() }),
  z.object({ t: z.literal('press'), level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]) }),
  z.object({ t: z.literal('please-rate') }),
  z.object({ t: z.literal('badge'), uid: z.string().regex(/^[0-9A-F]{8,20}$/) }),
  /** Something on the link was refused (a malformed NFC_UID or BUTTON_EVENT); counted, never a rater's data. */
  z.object({ t: z.literal('refused'), what: z.string().max(200) }),
  /**
   * BUTTON_EVENTs missing from the panel's sequence (lost on the line); `pressLost` when one of
   * them was certainly a press (its release arrived). Which button is not said: it could be a level.
   */
  z.object({ t: z.literal('events-lost'), missed: z.number().int().min(1).max(127), pressLost: z.boolean() }),
  z.object({ t: z.literal('lost'), reason: z.string().max(300) }),
]);
export type PanelReport = z.infer<typeof PanelReportSchema>;

/** Panel wiring (hardware/README pin table): buttons to level, LEDs per level, the buzzer. */
export const PANEL_PINS = {
  levelButtons: { 5: 22, 4: 23, 3: 24, 2: 25, 1: 26 } as const,
  pleaseRateButton: 27,
  levelLeds: { 5: 30, 4: 31, 3: 32, 2: 33, 1: 34 } as const,
  pleaseRateLed: 35,
  buzzer: 9,
};

/** The six button pins: levels 5..1, then please-rate. */
export const PANEL_BUTTON_PINS: readonly number[] = [...([5, 4, 3, 2, 1] as const).map((l) => PANEL_PINS.levelButtons[l]), PANEL_PINS.pleaseRateButton];
