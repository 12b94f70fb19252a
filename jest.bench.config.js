// UI figures for `npm run bench` (pages rendered with miniprogram-simulate); not part of `npm test`.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testMatch: ['**/test/bench/**/*.bench.ts'], testTimeout: 120000 };
