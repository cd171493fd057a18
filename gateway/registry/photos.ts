/**
 * Staff photos as the kiosk shows them (R4): whatever hall IT uploads — a phone's 4 MB JPEG, a PNG
 * scan, a WebP — is checked to be an image by decoding it (not by its name or claimed type),
 * turned upright by its EXIF orientation, cropped to the card's 3:4 portrait, shrunk, stripped of
 * its metadata (a phone photo's EXIF can hold where and when it was taken) and stored as a small
 * JPEG data URL that travels in the device's config. sharp (libvips) does the image work.
 */
import { RegistryError } from './registry-error.js';

/** What hall IT may upload: a phone photo comfortably fits. */
export const PHOTO_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'heif', 'gif', 'tiff']);
/** The kiosk's staff card shows the photo at up to 240×320 CSS px; 2× for sharp screens. */
const OUT = { width: 480, height: 640 } as const;

export interface NormalisedPhoto {
  dataUrl: string;
  width: number;
  height: number;
  bytes: number;
}

/** Decode, check and shrink an uploaded photo; throws RegistryError naming what is wrong. */
export async function normalisePhoto(input: Buffer): Promise<NormalisedPhoto> {
  if (input.length === 0) throw new RegistryError('bad-photo', 'the photo is empty');
  if (input.length > PHOTO_UPLOAD_LIMIT_BYTES) {
    throw new RegistryError('photo-too-large', `the photo is ${mib(input.length)}; the limit is ${mib(PHOTO_UPLOAD_LIMIT_BYTES)}`);
  }
  let format: string | undefined;
  // Loaded on first use: the gateway's memory at rest stays free of it (issue 14, RSS).
  const { default: sharp } = await import('sharp');
  try {
    // `limitInputPixels` guards against decompression bombs (a tiny file that decodes to gigapixels).
    format = (await sharp(input, { limitInputPixels: 50_000_000 }).metadata()).format;
  } catch {
    throw new RegistryError('bad-photo', 'the photo is not an image (JPEG, PNG or WebP expected)');
  }
  if (!format || !ACCEPTED.has(format)) throw new RegistryError('bad-photo', `the photo is ${format ?? 'an unknown format'}; JPEG, PNG or WebP expected`);
  try {
    const { data, info } = await sharp(input, { limitInputPixels: 50_000_000 })
      .rotate()
      .resize({ ...OUT, fit: 'cover', position: 'attention', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return { dataUrl: `data:image/jpeg;base64,${data.toString('base64')}`, width: info.width, height: info.height, bytes: data.length };
  } catch (err) {
    throw new RegistryError('bad-photo', `the photo could not be read: ${(err as Error).message}`);
  }
}

/** A photo given as a data URL in a JSON body (the console's crop tool sends one). */
export async function normalisePhotoDataUrl(dataUrl: string): Promise<NormalisedPhoto> {
  const m = /^data:([a-z]+\/[a-z0-9.+-]+)?(;base64)?,(.*)$/s.exec(dataUrl);
  if (!m?.[2]) throw new RegistryError('bad-photo', 'photo must be a base64 data: URL of an image');
  return normalisePhoto(Buffer.from(m[3]!, 'base64'));
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
