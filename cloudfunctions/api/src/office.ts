/**
 * What only the office needs: its actions and the seeding of the bundled
 * 2021 table. Built as a file of its own beside index.js (office.js, see
 * scripts/build.mjs) and loaded on the first call that needs it (office()),
 * so a cold start of the function never parses it.
 */
export { adminAdd, adminList, adminRemove } from './actions/admins';
export { auditList } from './actions/audit-log';
export { digestGet } from './actions/digest';
export { overviewRound } from './actions/overview';
export { reportGet, reviewDecide, reviewQueue } from './actions/review';
export { unitCreate, unitDirectory, unitRestore, unitRetire, unitUpdate } from './actions/units';
export { urgePreview, urgeSend } from './actions/urge';
export { seedBundledTable } from './seed';
export { systemCheck } from './actions/system';
