/**
 * Which IP addresses a link check may connect to. A contact's link is fetched
 * by our own function, so a link that names (or redirects to, or resolves to)
 * an address inside the cloud's network would let anyone probe it (SSRF).
 * Only globally routable unicast addresses are `public`; everything else is
 * refused at every hop. Pure: no DNS, no sockets.
 */

export type AddressKind = 'public' | 'private' | 'loopback' | 'link-local' | 'reserved' | 'invalid';

/** Four octets of a dotted IPv4 address, or null. */
function ipv4Octets(ip: string): number[] | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  const octets = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : NaN));
  return octets.every((n) => n >= 0 && n <= 255) ? octets : null;
}

function ipv4Kind(o: number[]): AddressKind {
  const [a, b, c] = o as [number, number, number, number];
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  // Carrier-grade NAT space is as internal as RFC 1918 inside a cloud.
  if (a === 100 && b >= 64 && b <= 127) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 0) return 'reserved';
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return 'reserved';
  if (a === 198 && (b === 18 || b === 19)) return 'reserved';
  if ((a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return 'reserved';
  if (a >= 224) return 'reserved'; // multicast, 240/4 and broadcast
  return 'public';
}

/** Eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part allowed), or null. */
function ipv6Groups(ip: string): number[] | null {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // ::ffff:1.2.3.4 → ::ffff:102:304, then one parser for both forms.
    const v4 = ipv4Octets(last);
    if (!v4) return null;
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (![...head, ...tail].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const nums = (xs: string[]) => xs.map((g) => parseInt(g, 16));
  const known = head.length + tail.length;
  if (halves.length === 1) return known === 8 ? nums(head) : null;
  if (known > 7) return null;
  return [...nums(head), ...new Array<number>(8 - known).fill(0), ...nums(tail)];
}

function ipv6Kind(g: number[]): AddressKind {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(7) && g[7] === 1) return 'loopback';
  if (zeroUpTo(8)) return 'reserved';
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): judge the IPv4 address.
  const v4 = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255];
  if (zeroUpTo(5) && (g[5] === 0xffff || g[5] === 0)) return ipv4Kind(v4(g[6]!, g[7]!));
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return ipv4Kind(v4(g[6]!, g[7]!));
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((first & 0xff00) === 0xff00) return 'reserved'; // multicast
  if (first === 0x2001 && g[1] === 0x0db8) return 'reserved'; // documentation
  // 6to4 (2002::/16) embeds an IPv4 address in groups 1–2.
  if (first === 0x2002) return ipv4Kind(v4(g[1]!, g[2]!));
  // Only global unicast (2000::/3) is routable on the internet.
  return (first & 0xe000) === 0x2000 ? 'public' : 'reserved';
}

/** The kind of a literal IP address (v4 dotted or v6, brackets allowed). */
export function addressKind(ip: string): AddressKind {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const v4 = ipv4Octets(bare);
  if (v4) return ipv4Kind(v4);
  if (bare.includes(':')) {
    const v6 = ipv6Groups(bare);
    return v6 ? ipv6Kind(v6) : 'invalid';
  }
  return 'invalid';
}

export const isPublicAddress = (ip: string): boolean => addressKind(ip) === 'public';
