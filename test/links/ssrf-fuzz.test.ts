/**
 * Fuzzed links never make the link check connect to a private, loopback or
 * link-local address, and never crash it. Sockets are intercepted where the
 * platform would open them: a fake `connect` resolves the name through the
 * lookup the request was given (ours, which checks every address) and
 * records the address it would connect to, then fails the connection. Names
 * resolve, through a fake DNS, to addresses of every kind.
 */
import dns from 'dns';
import fc from 'fast-check';
import net from 'net';
import { addressKind } from '../../cloudfunctions/common/domain/net-address';
import { fetchLink, LOCAL_NETWORK } from '../../cloudfunctions/common/link-fetch';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25) * 20;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const INTERNAL = [
  '127.0.0.1',
  '10.1.2.3',
  '172.20.0.5',
  '192.168.0.10',
  '169.254.169.254',
  '100.100.100.200',
  '0.0.0.0',
  '::1',
  'fe80::1',
  'fd00::8',
  '::ffff:127.0.0.1',
];
const PUBLIC = ['93.184.216.34', '2400:3200::1', '8.8.4.4'];
const NAMES = ['www.zoucheng.gov.cn', 'evil.example.com', 'rebind.example.org', 'metadata.tencentyun.com', 'a.b.c.d.example.net'];

/** The fake DNS: each name answers with addresses fixed per run. */
let table: Record<string, string[]> = {};
const connected: string[] = [];

function fakeConnect(this: net.Socket, ...args: unknown[]): net.Socket {
  // net.createConnection passes its normalized [options, callback] as one array.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  const opts = first as net.TcpNetConnectOpts;
  const host = opts.host ?? 'localhost';
  const fail = (err: Error) => process.nextTick(() => this.destroy(err));
  const refused = () => fail(Object.assign(new Error('connect ECONNREFUSED (test)'), { code: 'ECONNREFUSED' }));
  if (net.isIP(host)) {
    connected.push(host);
    refused();
  } else {
    const lookup = opts.lookup ?? dns.lookup;
    (lookup as (h: string, o: object, cb: (e: Error | null, a: string | { address: string }[]) => void) => void)(
      host,
      { family: 0 },
      (err, address) => {
        if (err) return fail(err);
        connected.push(typeof address === 'string' ? address : (address[0]?.address ?? '?'));
        refused();
      },
    );
  }
  return this;
}

const fakeLookup = ((hostname: string, _options: unknown, callback: (e: Error | null, a: dns.LookupAddress[]) => void) => {
  const addresses = table[hostname];
  if (!addresses) return process.nextTick(() => callback(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []));
  process.nextTick(() =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    ),
  );
}) as unknown as typeof dns.lookup;

/** Internal addresses written every way a URL parser accepts. */
const ipv4Forms = (ip: string): string[] => {
  const o = ip.split('.').map(Number);
  const n = ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
  return [
    ip,
    String(n),
    `0x${n.toString(16)}`,
    `0${n.toString(8)}`,
    o.map((x) => `0x${x.toString(16)}`).join('.'),
    `${o[0]}.${(o[1]! << 16) + (o[2]! << 8) + o[3]!}`,
  ];
};
const hostArb = fc.oneof(
  fc.constantFrom(...INTERNAL.filter((a) => !a.includes(':')).flatMap(ipv4Forms)),
  fc.constantFrom(...INTERNAL.filter((a) => a.includes(':')).map((a) => `[${a}]`)),
  fc.constantFrom(...PUBLIC.map((a) => (a.includes(':') ? `[${a}]` : a))),
  fc.constantFrom(...NAMES, 'localhost', 'LOCALHOST.', 'x.localhost', '127。0。0。1', 'www.zoucheng.gov.cn@127.0.0.1'),
);
const urlArb = fc.oneof(
  fc
    .record({
      scheme: fc.constantFrom('http', 'https', 'HTTP', 'ftp', 'file', 'gopher', 'javascript'),
      userinfo: fc.constantFrom('', 'user@', 'user:pw@', 'www.zoucheng.gov.cn@'),
      host: hostArb,
      port: fc.constantFrom('', ':80', ':443', ':8080', ':22', ':0', ':65536'),
      path: fc.constantFrom('/', '/latest/meta-data', '/%2e%2e/', '/#@127.0.0.1', '/?u=http://127.0.0.1/', '\\\\127.0.0.1\\'),
    })
    .map((p) => `${p.scheme}://${p.userinfo}${p.host}${p.port}${p.path}`),
  fc.string({ maxLength: 80 }),
  fc.webUrl(),
);
const dnsArb = fc.record(Object.fromEntries(NAMES.map((n) => [n, fc.subarray([...INTERNAL, ...PUBLIC], { minLength: 1, maxLength: 3 })])));

let restore: (() => void)[] = [];
beforeEach(() => {
  connected.length = 0;
  restore = [
    jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(fakeConnect as never).mockRestore,
    jest.spyOn(dns, 'lookup').mockImplementation(fakeLookup).mockRestore,
  ];
  // The local cloud with internet allowed: only the address checks stand between a link and the network.
  (globalThis as Record<symbol, unknown>)[LOCAL_NETWORK] = { internet: true, allowOrigins: [] };
});
afterEach(() => {
  for (const r of restore) r();
  (globalThis as Record<symbol, unknown>)[LOCAL_NETWORK] = undefined;
});

test('the fake socket sees what a real one would: a public name is connected to its address', async () => {
  table = { 'www.zoucheng.gov.cn': ['93.184.216.34'] };
  const r = await fetchLink('http://www.zoucheng.gov.cn/');
  expect(connected).toEqual(['93.184.216.34']);
  expect(r.error).toBe('network');
});

test('fuzzed links never connect to an internal address and never throw', async () => {
  await fc.assert(
    fc.asyncProperty(urlArb, dnsArb, async (url, dnsTable) => {
      table = dnsTable;
      connected.length = 0;
      const r = await fetchLink(url);
      expect(r.status).toBeUndefined();
      for (const address of connected) expect([url, address, addressKind(address)]).toEqual([url, address, 'public']);
    }),
    { numRuns: RUNS, seed: SEED },
  );
});

describe('through the function', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = startTestCloud();
    await t.seed();
  });
  afterAll(() => t.close());

  test('links.check with fuzzed URLs answers every call, never INTERNAL, never an internal connection', async () => {
    // The test cloud installs its own (offline) policy; allow the internet as above.
    t.cloud.network.internet = true;
    await fc.assert(
      fc.asyncProperty(fc.array(urlArb, { maxLength: 4 }), dnsArb, async (urls, dnsTable) => {
        table = dnsTable;
        connected.length = 0;
        const res = await t.links(ADMIN)('links.check', { urls });
        expect(res.ok || res.code).not.toBe('INTERNAL');
        if (!res.ok) expect(res.code).toBe('INVALID_INPUT');
        else for (const l of res.data.links) expect(l.reachable).toBe(false);
        for (const address of connected) expect(addressKind(address)).toBe('public');
      }),
      { numRuns: Math.max(10, RUNS / 10), seed: SEED },
    );
  });
});
