export * from './desired.js';
export * from './drift.js';
export * from './inventory.js';
export * from './notation.js';
export * from './observed.js';
export * from './plan.js';
export * from './source.js';
