import { setFlagsFromString } from 'node:v8';

/*
 * The CLI is the process, so it may set process-wide state: `~regex` in --limit runs on V8's
 * linear-time engine, which is behind this flag (src/load/limit.ts refuses ~regex without it).
 * Every CLI module that selects hosts imports from here, so the flag is on before a pattern is read.
 */
setFlagsFromString('--enable-experimental-regexp-engine');

export { selectHosts, splitPattern } from '../load/limit.js';
