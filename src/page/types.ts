export * from '../core/page-run.js';
