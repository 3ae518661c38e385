/**
 * GET /api/quotes/{id} — a shipping quote (a few dozen rate lines, computed from the id). Quotes are
 * cached by id. Planted problem `unbounded-cache`: the cache is a module-level Map that never evicts,
 * and the load asks for a new id on every request, so the heap grows by one quote (~35 KB) per
 * request. The fix bounds the cache with an LRU of QUOTE_CACHE_CAPACITY entries.
 */
import type { Fixes } from '../fixes.js';
import { intParam, type Reply, type Route } from '../http.js';
import { LruCache } from '../lru-cache.js';

/**
 * Small on purpose: at the demo's rates (20–50 quote requests a second) an LRU of 100 is full within the
 * warm-up, so the measured window exercises eviction. With 500 it filled only after the window, the fixed
 * run behaved exactly like the leak, and the fix could not be told apart from it on any measure.
 */
export const QUOTE_CACHE_CAPACITY = 100;
const CARRIERS = ['DHL', 'UPS', 'FedEx', 'PostNL', 'GLS'];
const SERVICES = ['economy', 'standard', 'express', 'overnight'];
const WEIGHT_BANDS = 6;

interface CachedQuote {
  quote: Quote;
  /** Kept next to the object so a hit costs no serialization. */
  body: string;
}

interface Quote {
  id: number;
  currency: string;
  rates: {
    carrier: string;
    service: string;
    zone: number;
    weightBandKg: string;
    priceCents: number;
    etaDays: number;
    surcharges: { fuelCents: number; remoteAreaCents: number };
  }[];
}

/** The problem: grows forever, one entry per distinct id. */
const quoteCache = new Map<string, CachedQuote>();

interface QuoteCache {
  get(key: string): CachedQuote | undefined;
  set(key: string, value: CachedQuote): void;
  readonly size: number;
}

export interface QuotesRoute extends Route {
  /** Current number of cached quotes (exposed on /debug/state). */
  cacheSize(): number;
}

export function quotesRoute(fixes: Fixes): QuotesRoute {
  const cache: QuoteCache = fixes.has('unbounded-cache')
    ? new LruCache<string, CachedQuote>(QUOTE_CACHE_CAPACITY)
    : quoteCache;
  return {
    method: 'GET',
    pattern: /^\/api\/quotes\/(?<id>[^/]+)$/,
    cacheSize: () => cache.size,
    async handle({ params }): Promise<Reply> {
      const id = intParam(params.id, 'quote id');
      const key = String(id);
      let entry = cache.get(key);
      if (!entry) {
        const quote = buildQuote(id);
        entry = { quote, body: JSON.stringify(quote) };
        cache.set(key, entry);
      }
      return { status: 200, contentType: 'application/json; charset=utf-8', body: entry.body };
    },
  };
}

/** Deterministic in the id: the same id always gets the same quote. */
export function buildQuote(id: number): Quote {
  const rates: Quote['rates'] = [];
  // Every carrier × service × weight band: 120 lines, ~18 KB of JSON per quote.
  for (const carrier of CARRIERS) {
    for (const service of SERVICES) {
      for (let band = 0; band < WEIGHT_BANDS; band++) {
        const line = rates.length;
        const mix = ((id % 1_000_003) * 92_821 + line * 40_503) % 1_000_003;
        rates.push({
          carrier,
          service,
          zone: 1 + (mix % 9),
          weightBandKg: `${band * 5}-${band * 5 + 5}`,
          priceCents: 399 + (mix % 5000),
          etaDays: 1 + (mix % 7),
          surcharges: { fuelCents: mix % 250, remoteAreaCents: line % 3 === 0 ? 500 : 0 },
        });
      }
    }
  }
  return { id, currency: 'EUR', rates };
}
