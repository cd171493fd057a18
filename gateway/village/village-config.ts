/**
 * The `village` config section (issue 13, docs/VILLAGE.md): always on, so hall IT can import a
 * bundle on any gateway. Receipts need the gateway's certificate and key — normally the same files
 * as http.tls (`gateway make-tls` writes them); without them bundles are still imported, and the
 * devices learn what was stored at their next connection.
 */
import { z } from 'zod';

export const VillageConfigSchema = z
  .object({
    /** The gateway's certificate (PEM), issued by the hall CA the devices trust: usually http.tls.certFile. */
    certFile: z.string().min(1).optional(),
    /** Its private key: usually http.tls.keyFile. */
    keyFile: z.string().min(1).optional(),
    /** The largest bundle the HTTP route takes (MiB). */
    maxBundleMiB: z.number().int().min(1).max(512).default(64),
  })
  .strict()
  .refine((c) => (c.certFile === undefined) === (c.keyFile === undefined), { path: ['keyFile'], message: 'certFile and keyFile go together' })
  .prefault({});
export type VillageConfig = z.infer<typeof VillageConfigSchema>;
