// A minimal PNG reader for tests: enough to look at the pixels of a browser screenshot
// (8-bit RGB or RGBA, not interlaced) with node:zlib and no image library.
import { inflateSync } from 'node:zlib';

export interface Pixels {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row after row. */
  rgba: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function decodePng(file: Buffer): Pixels {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < file.length; ) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    const body = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [bitDepth, colourType, , , interlace] = body.subarray(8, 13);
      if (bitDepth !== 8 || interlace !== 0 || (colourType !== 2 && colourType !== 6)) {
        throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`);
      }
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      data.push(body);
    }
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  return { width, height, rgba: toRgba(unfilter(raw, width, height, channels), channels) };
}

/** Undoes the per-row filters of PNG (None, Sub, Up, Average, Paeth). */
function unfilter(raw: Buffer, width: number, height: number, channels: number): Uint8Array {
  const stride = width * channels;
  const out = new Uint8Array(stride * height);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)];
    const input = row * (stride + 1) + 1;
    const current = row * stride;
    const previous = current - stride;
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? out[current + i - channels] : 0;
      const up = row > 0 ? out[previous + i] : 0;
      const upLeft = row > 0 && i >= channels ? out[previous + i - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) predictor = paeth(left, up, upLeft);
      out[current + i] = (raw[input + i] + predictor) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function toRgba(pixels: Uint8Array, channels: number): Uint8Array {
  if (channels === 4) return pixels;
  const rgba = new Uint8Array((pixels.length / 3) * 4);
  for (let p = 0, q = 0; p < pixels.length; p += 3, q += 4) {
    rgba[q] = pixels[p];
    rgba[q + 1] = pixels[p + 1];
    rgba[q + 2] = pixels[p + 2];
    rgba[q + 3] = 255;
  }
  return rgba;
}

/** How many pixels are within `tolerance` (per channel) of the colour `#rrggbb`. */
export function countPixelsNear(image: Pixels, hex: string, tolerance = 6): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  for (let p = 0; p < image.rgba.length; p += 4) {
    if (
      Math.abs(image.rgba[p] - r) <= tolerance &&
      Math.abs(image.rgba[p + 1] - g) <= tolerance &&
      Math.abs(image.rgba[p + 2] - b) <= tolerance
    ) {
      count++;
    }
  }
  return count;
}

export function distinctColours(image: Pixels): number {
  const seen = new Set<number>();
  for (let p = 0; p < image.rgba.length; p += 4) {
    seen.add((image.rgba[p] << 16) | (image.rgba[p + 1] << 8) | image.rgba[p + 2]);
  }
  return seen.size;
}
