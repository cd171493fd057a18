/**
 * What the update launcher must remember across its own restarts and power cuts: a switch whose
 * outcome is not known yet (the trial), the reports the gateway has not received, and what became
 * of each version tried here (a version that rolled back is not tried again: make a new release).
 * Written to a temp file, fsynced and renamed, like the device key.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { UpdateReportSchema } from '../contract/release.js';

const LauncherStateSchema = z.object({
  trial: z
    .object({
      from: z.string(),
      fromDir: z.string(),
      to: z.string(),
      toDir: z.string(),
      rollbackSafe: z.boolean(),
      /** The highest store migration before the switch: a rollback past a later one may be unsafe. */
      schemaBefore: z.number().int(),
    })
    .optional(),
  reports: z.array(UpdateReportSchema).default([]),
  outcomes: z.record(z.string(), z.enum(['healthy', 'rolled-back', 'refused', 'rollback-blocked'])).default({}),
});
export type LauncherState = z.infer<typeof LauncherStateSchema>;

export function readLauncherState(file: string): LauncherState {
  if (!existsSync(file)) return { reports: [], outcomes: {} };
  const parsed = LauncherStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  // A state file this launcher cannot read is not worth refusing to run the device over.
  return parsed.success ? parsed.data : { reports: [], outcomes: {} };
}

export function writeLauncherState(file: string, state: LauncherState): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, JSON.stringify(state, null, 2), { mode: 0o600 });
  const fd = openSync(temp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temp, file);
}
