/**
 * The office's part of the function, loaded on first use and kept by a warm
 * instance. The build leaves this require() to ./office.js at run time; the
 * modules both parts share are the ones index.js loaded (one `db`, one
 * ApiFailure class), never a second copy.
 */
import type * as Office from './office';

export const office = (): typeof Office => require('./office') as typeof Office;
