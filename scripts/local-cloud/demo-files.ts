/**
 * Small real files for the demo's evidence: PNG photos (a notice board on a
 * wall, drawn in code, different per seed) and one-page PDFs with a Chinese
 * title. Both open in any viewer; nothing is random.
 */
import zlib from 'zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

type Rgb = [number, number, number];
const PALETTE: Rgb[] = [
  [196, 43, 28],
  [26, 95, 180],
  [38, 132, 84],
  [200, 120, 20],
];

/** A 240×180 PNG "photo" of a public notice board; `seed` varies colours and the notices. */
export function demoPhoto(seed: number): Buffer {
  const w = 240;
  const h = 180;
  const accent = PALETTE[seed % PALETTE.length] as Rgb;
  const px = (x: number, y: number): Rgb => {
    // Wall, board frame, white notices with "lines of text", a red header band.
    if (y > 150) return [120, 110, 98];
    const inBoard = x >= 20 && x < 220 && y >= 18 && y < 140;
    if (!inBoard) return [214 - (y >> 3), 206 - (y >> 3), 190 - (y >> 3)];
    if (x < 24 || x >= 216 || y < 22 || y >= 136) return [92, 64, 40];
    if (y < 40) return accent;
    const col = Math.floor((x - 28) / 62);
    const inNotice = col >= 0 && col < 3 && (x - 28) % 62 < 54 && y >= 48 && y < 128 - ((seed + col) % 3) * 10;
    if (!inNotice) return [46, 84, 62];
    const line = (y - 54) % 9 < 3 && (x - 28) % 62 > 5 && (x - 28) % 62 < 48 - ((y + seed * 7) % 4) * 6;
    return line ? [70, 70, 70] : [250, 250, 246];
  };
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      const [r, g, b] = px(x, y);
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** UTF-16BE hex of `text`, for a PDF string in the UniGB-UCS2-H encoding. */
const ucs2Hex = (text: string) => Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase();

/**
 * A one-page A4 PDF with a title and a few lines, in Chinese through the
 * standard STSong-Light CID font (no embedded font: viewers supply it).
 */
export function demoPdf(title: string, lines: readonly string[]): Buffer {
  const text = [
    'BT /F1 18 Tf 72 770 Td',
    `<${ucs2Hex(title)}> Tj`,
    '/F1 11 Tf 0 -36 Td',
    ...lines.flatMap((l) => [`<${ucs2Hex(l)}> Tj`, '0 -20 Td']),
    'ET',
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R >>',
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [5 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R >>',
    `<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`,
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
