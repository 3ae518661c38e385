import { PerfloopError } from '../core/errors.js';
import { encodeRequest, type EncodedRequest } from './http1/request.js';
import { hasPlaceholders, templatePathname, TemplateFiller } from './url-template.js';
import { checksNeedBody, type RequestChecks } from './checks.js';

/** One kind of request in the load mix. */
export interface RequestTemplate {
  /** Tag `name` of the request's metrics; defaults to `METHOD path`. */
  name?: string;
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Relative share of the mix (default 1). */
  weight?: number;
  /** Declarative checks on each response (recorded in the `checks` metric). */
  checks?: RequestChecks;
}

/** A request mix with its encodings prepared; picks the next request by weight. */
export class RequestMix {
  readonly names: string[];
  private readonly cumulative: number[];
  private readonly fixed: (EncodedRequest | null)[];

  constructor(
    readonly templates: readonly RequestTemplate[],
    private readonly filler: TemplateFiller,
    private readonly random: () => number,
  ) {
    if (templates.length === 0)
      throw new PerfloopError('LOAD_NO_REQUESTS', 'the load scenario has no requests');
    let sum = 0;
    this.cumulative = templates.map((t, i) => {
      const w = t.weight ?? 1;
      if (!(w > 0))
        throw new PerfloopError('LOAD_BAD_WEIGHT', `requests[${i}].weight: must be > 0, got ${w}`);
      return (sum += w);
    });
    this.names = templates.map(
      (t) => t.name ?? `${(t.method ?? 'GET').toUpperCase()} ${templatePathname(t.url)}`,
    );
    this.fixed = templates.map((t, i) => {
      const dynamic = hasPlaceholders(t.url) || hasPlaceholders(t.body ?? '');
      try {
        return dynamic ? (this.encode(t), null) : this.encode(t);
      } catch (e) {
        throw new PerfloopError('LOAD_BAD_REQUEST', `requests[${i}] (${t.url}): ${(e as Error).message}`);
      }
    });
  }

  /** Index of the next request template, by weight. */
  pick(): number {
    if (this.cumulative.length === 1) return 0;
    const x = this.random() * this.cumulative[this.cumulative.length - 1];
    let i = 0;
    while (this.cumulative[i] <= x) i++;
    return i;
  }

  request(index: number): EncodedRequest {
    return this.fixed[index] ?? this.encode(this.templates[index]);
  }

  private encode(t: RequestTemplate): EncodedRequest {
    return encodeRequest({
      method: t.method ?? 'GET',
      url: this.filler.fill(t.url),
      headers: t.headers,
      body: t.body === undefined ? undefined : this.filler.fill(t.body),
      captureBody: t.checks ? checksNeedBody(t.checks) : false,
    });
  }
}
