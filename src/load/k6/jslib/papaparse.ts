/** jslib.k6.io/papaparse is the papaparse library: here, the npm package itself (no network needed). */
import { createRequire } from 'node:module';

const Papa = createRequire(import.meta.url)('papaparse') as Record<string, unknown>;
export default Papa;
export const parse = Papa.parse;
export const unparse = Papa.unparse;
