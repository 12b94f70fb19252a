// `npm run screenshots`: renders the pages with seeded data to docs/screenshots/*.png.
// Separate from `npm test` because it needs Debian's chromium and CJK fonts. One file at a time:
// each builds and seeds the demo year (test/screenshots/demo.ts) with `npm start -- --demo`'s own code.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testMatch: ['**/test/screenshots/**/*.shots.ts'], testTimeout: 120000, maxWorkers: 1 };
