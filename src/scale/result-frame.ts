import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * How a shard hands its `perfloop/load@1` result back: a framed block at the very end of its stdout — gzip then
 * base64, in 76-column lines between BEGIN/END markers (PEM style). Logs are the one channel every Kubernetes
 * cluster gives back without a volume, a bucket or a cloud service (`kubectl logs`), and the local runner reads
 * the same block from a child's stdout, so both go through one collector. gzip keeps the HDR histograms of a
 * long test small; base64 survives log collectors that mangle control characters.
 */
export const FRAME_BEGIN = '-----BEGIN PERFLOOP LOAD RESULT-----';
export const FRAME_END = '-----END PERFLOOP LOAD RESULT-----';

export function frameResult(json: string): string {
  const b64 = gzipSync(Buffer.from(json)).toString('base64');
  const lines = b64.match(/.{1,76}/g) ?? [];
  return `${FRAME_BEGIN}\n${lines.join('\n')}\n${FRAME_END}\n`;
}

/**
 * The JSON of the last complete frame in a log, or undefined when there is none (the shard died before writing
 * it). Lines around it (the shard's own output, a log collector's prefixes on other lines) are ignored.
 */
export function unframeResult(log: string): string | undefined {
  const end = log.lastIndexOf(FRAME_END);
  if (end < 0) return undefined;
  const begin = log.lastIndexOf(FRAME_BEGIN, end);
  if (begin < 0) return undefined;
  const b64 = log.slice(begin + FRAME_BEGIN.length, end).replace(/\s+/g, '');
  try {
    return gunzipSync(Buffer.from(b64, 'base64')).toString('utf8');
  } catch {
    return undefined;
  }
}
