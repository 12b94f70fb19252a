/** @jest-environment jsdom */
/**
 * Which backend each build talks to. A development build on a phone (预览 QR,
 * 真机调试) cannot reach 127.0.0.1 of the developer's computer.
 */
import { config } from '../../miniprogram/config';
import { wxState } from '../helpers/miniprogram';

// Required, not imported: the test program has no mini program typings (the module uses `wx`).
const { backend, localCloudUrl } = require('../../miniprogram/utils/platform') as { backend(): string; localCloudUrl(): string };

const saved = { ...config };
afterEach(() => {
  Object.assign(config, saved);
  wxState.envVersion = 'release';
  wxState.platform = 'devtools';
});

test.each([
  ['release', 'devtools', '', 'cloud', ''],
  ['trial', 'ios', 'http://192.168.1.20:3900', 'cloud', ''],
  ['develop', 'devtools', '', 'local', 'http://127.0.0.1:3900'],
  ['develop', 'ios', '', 'cloud', ''],
  ['develop', 'android', '', 'cloud', ''],
  ['develop', 'android', 'http://192.168.1.20:3900', 'local', 'http://192.168.1.20:3900'],
] as const)('%s build on %s (LAN %s) → %s', (envVersion, platform, lan, expected, url) => {
  wxState.envVersion = envVersion;
  wxState.platform = platform;
  config.localLanUrl = lan;
  expect(backend()).toBe(expected);
  expect(localCloudUrl()).toBe(url);
});

test('useLocalCloud off: every build uses the cloud environment', () => {
  config.useLocalCloud = false;
  wxState.envVersion = 'develop';
  expect(backend()).toBe('cloud');
});
