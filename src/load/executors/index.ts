// Importing an executor's file registers it by name.
import './constant-vus.js';
