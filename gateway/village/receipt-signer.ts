/**
 * The key that signs village receipts: the gateway's own TLS certificate and key (the files
 * `gateway make-tls` writes, tls/gw.pem and tls/gw.key). A device already trusts its gateway through
 * the hall CA (its gateway.caFile, for HTTPS and MQTTS); a receipt carries this certificate, and the
 * device checks it against that CA (@hcp/contract/village-bundle receiptProblem). No new key, no new
 * trust to set up, and renewing the certificate (make-tls again) changes nothing for devices.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface ReceiptSigner {
  certificatePem: string;
  key: KeyObject;
}

/** Read the pair; throws naming the file when they cannot be used or do not belong together. */
export function loadReceiptSigner(certFile: string, keyFile: string): ReceiptSigner {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(readFileSync(certFile));
  } catch (err) {
    throw new Error(`village.certFile ${certFile}: not a certificate (${(err as Error).message})`);
  }
  try {
    key = createPrivateKey(readFileSync(keyFile));
  } catch (err) {
    throw new Error(`village.keyFile ${keyFile}: not a private key (${(err as Error).message})`);
  }
  if (!cert.checkPrivateKey(key)) throw new Error(`village.keyFile ${keyFile} is not the key of village.certFile ${certFile}`);
  // Only the gateway's own certificate: the first in the file, without a chain behind it.
  return { certificatePem: cert.toString(), key };
}
