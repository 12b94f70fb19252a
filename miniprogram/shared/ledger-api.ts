/**
 * The ledger function's contract lives in office/shared/ledger-api.ts: only the
 * office uses it, so it ships in the office subpackage, not the main package.
 * This re-export keeps one import path for the cloud functions, scripts and
 * tests; no mini program code requires it, so it is left out of the upload
 * (setting.ignoreUploadUnusedFiles).
 */
export * from '../office/shared/ledger-api';
