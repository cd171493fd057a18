/** QR codes (R8: static per-window, dynamic per case) as inline SVG from the bundled `qrcode`. */
import QRCode from 'qrcode';

const cache = new Map<string, string>();

export function qrInto(el: HTMLElement, url: string): void {
  const hit = cache.get(url);
  if (hit) {
    el.innerHTML = hit;
    return;
  }
  void QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } })
    .then((markup) => {
      cache.set(url, markup);
      el.innerHTML = markup;
    })
    .catch(() => undefined);
}
