// Importing an executor's file registers it by name.
import './constant-vus.js';
import './ramping-vus.js';
import './shared-iterations.js';
import './per-vu-iterations.js';
import './constant-arrival-rate.js';
import './ramping-arrival-rate.js';
