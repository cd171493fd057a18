/**
 * Issue 10, hole 10: a staff "photo" that was not an image was accepted (and shown broken on the
 * kiosk), and a 500 KB phone photo was refused with a bare 413. Now the image is decoded to check
 * it, the limit is stated, and large photos are shrunk (sharp) to what the kiosk shows.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

let gw: Gateway;
let token = '';
const staff = { staffId: 's-photo', staffNo: 'P001', name: '刘洋', post: '综合受理', title: '科员', badgeUids: [], windowId: 'w-01' };

beforeAll(async () => {
  gw = await startInProcessGateway();
  await gw.auth.createUser('it', 'it-password-123', 'hall-it');
  const r = await gw.auth.login('it', 'it-password-123', null);
  token = r.ok ? r.token : '';
});
afterAll(async () => gw?.stop());

const put = (path: string, body: BodyInit | Buffer, type: string) =>
  fetch(`${gw.httpUrl}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: body as BodyInit });

/** A phone photo: 3000×4000 of noise compresses badly, like a real one (≈ 0.5–3 MB). */
async function phonePhoto(width = 1600, height = 1200, quality = 92): Promise<Buffer> {
  const noise = Buffer.alloc(width * height * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

describe('staff photos', () => {
  it('refuses what is not an image, with a message saying so', async () => {
    const asJson = await put(
      '/api/staff',
      JSON.stringify({ ...staff, photo: `data:image/jpeg;base64,${Buffer.from('this is not a picture').toString('base64')}` }),
      'application/json',
    );
    expect(asJson.status).toBe(400);
    expect(((await asJson.json()) as { message: string }).message).toMatch(/not an image/);
    await put('/api/staff', JSON.stringify(staff), 'application/json');
    const asBytes = await put('/api/staff/s-photo/photo', Buffer.from('<html>hello</html>'), 'image/jpeg');
    expect(asBytes.status).toBe(400);
    expect(((await asBytes.json()) as { message: string }).message).toMatch(/not an image/);
    const row = await gw.store.db.selectFrom('staff').select('photo').where('staff_id', '=', 's-photo').executeTakeFirstOrThrow();
    expect(row.photo).toBeNull();
  });

  it('takes a large phone photo (bytes or data URL), turns it into a small upright 3:4 JPEG', async () => {
    const big = await phonePhoto();
    expect(big.length).toBeGreaterThan(500 * 1024);
    const res = await put('/api/staff/s-photo/photo', big, 'image/jpeg');
    expect(res.status).toBe(200);
    const { photo } = (await res.json()) as { photo: { width: number; height: number; bytes: number } };
    expect(photo).toMatchObject({ width: 480, height: 640 });
    expect(photo.bytes).toBeLessThan(200 * 1024);
    const stored = (await gw.store.db.selectFrom('staff').select('photo').where('staff_id', '=', 's-photo').executeTakeFirstOrThrow()).photo!;
    const meta = await sharp(Buffer.from(stored.split(',')[1]!, 'base64')).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 480, height: 640 });
    expect(meta.exif).toBeUndefined();

    const viaJson = await put('/api/staff', JSON.stringify({ ...staff, photo: `data:image/jpeg;base64,${big.toString('base64')}` }), 'application/json');
    expect(viaJson.status).toBe(200);
  });

  it('states the limit when a photo is too large', async () => {
    const huge = Buffer.concat([await phonePhoto(64, 64), Buffer.alloc(11 * 1024 * 1024)]);
    const res = await put('/api/staff/s-photo/photo', huge, 'image/jpeg');
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/10\.0 MiB/);
  });
});
