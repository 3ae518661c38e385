import { Marked, type Tokens } from 'marked';
import { escapeHtml } from '../../profile/render/escape.js';

/**
 * The Markdown sections perfloop writes (database analysis, heap tables) as HTML, with marked (CommonMark + GFM
 * tables). The markdown builders escape text already; raw HTML in the source is still never passed through,
 * except the few layout tags perfloop's own builders emit (<br>, <sub>, <b>), so a query or a class name
 * cannot become markup here either.
 */
const ALLOWED_RAW = /^<\/?(br|sub|sup|b|i|em|strong)\s*\/?>$/i;

const marked = new Marked({
  gfm: true,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag): string {
      return ALLOWED_RAW.test(token.text.trim()) ? token.text.trim() : escapeHtml(token.text);
    },
    link(token: Tokens.Link): string {
      // Only relative links and http(s): a javascript: URL in a report would be a script.
      const ok = /^(https?:|#|\.{0,2}\/|[\w.-]+(\/|$))/i.test(token.href) && !/^\s*javascript:/i.test(token.href);
      const text = this.parser.parseInline(token.tokens);
      return ok ? `<a href="${escapeHtml(token.href)}">${text}</a>` : text;
    },
    image(token: Tokens.Image): string {
      return escapeHtml(token.text);
    },
  },
});

export function markdownHtml(md: string): string {
  return marked.parse(md, { async: false });
}
