/** k6/html: `parseHTML(src)` gives a jQuery-like Selection (cheerio, see response.ts). */
import { parseHTMLDoc } from '../response.js';

export const parseHTML = parseHTMLDoc;
export default { parseHTML };
