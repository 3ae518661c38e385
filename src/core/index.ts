export * from './errors.js';
export * from './histogram.js';
export * from './metric.js';
export * from './metric-set.js';
export * from './profile.js';
export * from './finding.js';
export * from './run.js';
