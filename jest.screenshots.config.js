// `npm run screenshots`: renders the pages with seeded data to docs/screenshots/*.png.
// Separate from `npm test` because it needs Debian's chromium and CJK fonts.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testMatch: ['**/test/screenshots/**/*.shots.ts'], testTimeout: 120000 };
