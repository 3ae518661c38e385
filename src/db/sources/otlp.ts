/**
 * OpenTelemetry traces (OTLP/JSON: an ExportTraceServiceRequest, or one per line as the Collector's file
 * exporter writes them) → observed queries grouped by the HTTP request they ran under. A database span is a
 * span with `db.system` / `db.system.name` and a statement (`db.statement` / `db.query.text`); its request is
 * the nearest SERVER span above it in the same trace — so services in any language are covered.
 * Spec: https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding and the database/HTTP semantic
 * conventions (old and stable attribute names are both read).
 */
import { PerfloopError } from '../../core/errors.js';
import type { ObservedQuery, ObservedRequest } from '../query.js';

type Json = Record<string, unknown>;

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  statusCode: number;
}

const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

/** Spans of one ExportTraceServiceRequest (JSON-decoded). */
export function spansOfRequest(body: unknown): OtlpSpan[] {
  if (!body || typeof body !== 'object' || !Array.isArray((body as Json).resourceSpans))
    throw new PerfloopError('OTLP_INVALID', 'not an OTLP/JSON trace: no "resourceSpans"', {
      hint: 'export traces with the OTLP/HTTP JSON protocol (OTEL_EXPORTER_OTLP_PROTOCOL=http/json)',
    });
  const out: OtlpSpan[] = [];
  for (const rs of (body as Json).resourceSpans as Json[]) {
    const scopes = (rs.scopeSpans ?? rs.instrumentationLibrarySpans ?? []) as Json[];
    for (const ss of scopes) for (const s of (ss.spans ?? []) as Json[]) out.push(toSpan(s));
  }
  return out;
}

function toSpan(s: Json): OtlpSpan {
  const kind = typeof s.kind === 'number' ? s.kind : (KIND_NAMES[String(s.kind)] ?? 0);
  return {
    traceId: String(s.traceId ?? ''),
    spanId: String(s.spanId ?? ''),
    parentSpanId: s.parentSpanId ? String(s.parentSpanId) : null,
    name: String(s.name ?? ''),
    kind,
    startNs: nanos(s.startTimeUnixNano),
    endNs: nanos(s.endTimeUnixNano),
    attributes: attributes(s.attributes),
    statusCode: Number((s.status as Json | undefined)?.code ?? 0),
  };
}

function nanos(v: unknown): bigint {
  try {
    return typeof v === 'bigint' ? v : BigInt(typeof v === 'number' ? Math.round(v) : String(v ?? '0'));
  } catch {
    return 0n;
  }
}

function attributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const a of list as Json[]) out[String(a.key)] = anyValue(a.value as Json | undefined);
  return out;
}

function anyValue(v: Json | undefined): unknown {
  if (!v) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (((v.arrayValue as Json).values ?? []) as Json[]).map(anyValue);
  return null;
}

const msOf = (ns: bigint) => Number(ns / 1000n) / 1000;
const first = (a: Record<string, unknown>, ...keys: string[]) => {
  for (const k of keys) if (a[k] !== undefined && a[k] !== null && a[k] !== '') return a[k];
  return undefined;
};

/** Database spans → observed queries; server spans → requests. */
export function observedFromSpans(spans: readonly OtlpSpan[]): {
  queries: ObservedQuery[];
  requests: ObservedRequest[];
} {
  const byId = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const server = (s: OtlpSpan): OtlpSpan | null => {
    let p = s.parentSpanId ? byId.get(`${s.traceId}/${s.parentSpanId}`) : undefined;
    for (let hops = 0; p && hops < 1000; hops++) {
      if (p.kind === 2) return p;
      p = p.parentSpanId ? byId.get(`${p.traceId}/${p.parentSpanId}`) : undefined;
    }
    return null;
  };
  const requests = new Map<string, ObservedRequest>();
  const requestOf = (srv: OtlpSpan): ObservedRequest => {
    const id = `${srv.traceId}/${srv.spanId}`;
    let r = requests.get(id);
    if (!r) {
      const a = srv.attributes;
      const method = String(
        first(a, 'http.request.method', 'http.method') ?? srv.name.split(' ')[0] ?? 'GET',
      );
      const path = first(a, 'url.path', 'http.target', 'http.route');
      const query = first(a, 'url.query');
      const url =
        path !== undefined
          ? `${String(path)}${query ? `?${String(query)}` : ''}`
          : (pathOfUrl(first(a, 'url.full', 'http.url')) ?? srv.name);
      requests.set(
        id,
        (r = {
          id,
          method,
          url,
          status: Number(first(a, 'http.response.status_code', 'http.status_code') ?? 0),
          durationMs: msOf(srv.endNs - srv.startNs),
          t: msOf(srv.startNs),
        }),
      );
    }
    return r;
  };
  const queries: ObservedQuery[] = [];
  for (const s of spans) {
    const a = s.attributes;
    if (first(a, 'db.system', 'db.system.name') === undefined) continue;
    const text =
      first(a, 'db.query.text', 'db.statement') ??
      (first(a, 'db.operation.name', 'db.operation') !== undefined
        ? (first(a, 'db.query.summary') ?? s.name)
        : undefined);
    if (text === undefined) continue; // connection checkouts and the like: not statements
    const srv = server(s);
    const req = srv ? requestOf(srv) : null;
    queries.push({
      t: msOf(s.startNs),
      durationMs: msOf(s.endNs - s.startNs),
      rows: Number(first(a, 'db.response.returned_rows', 'db.rows_affected') ?? 0),
      text: String(text),
      requestId: req?.id ?? s.traceId,
      request: req ? `${req.method} ${req.url}` : null,
    });
  }
  return { queries, requests: [...requests.values()] };
}

function pathOfUrl(u: unknown): string | undefined {
  if (typeof u !== 'string') return undefined;
  try {
    const x = new URL(u);
    return `${x.pathname}${x.search}`;
  } catch {
    return u;
  }
}

/** A trace file: one ExportTraceServiceRequest, an array of them, or one per line (NDJSON). */
export function spansOfFile(text: string): OtlpSpan[] {
  const trimmed = text.trim();
  try {
    const v = JSON.parse(trimmed) as unknown;
    return Array.isArray(v) ? v.flatMap(spansOfRequest) : spansOfRequest(v);
  } catch (e) {
    if (e instanceof PerfloopError) throw e;
    const lines = trimmed.split(/\r?\n/).filter((l) => l.trim());
    try {
      return lines.flatMap((l) => spansOfRequest(JSON.parse(l)));
    } catch (e2) {
      if (e2 instanceof PerfloopError) throw e2;
      throw new PerfloopError('OTLP_INVALID', `invalid OTLP/JSON: ${(e as Error).message}`);
    }
  }
}
