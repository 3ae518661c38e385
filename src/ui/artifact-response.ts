import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname } from 'node:path';

const TEXT_TYPES: Record<string, string> = {
  '.md': 'text/markdown; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ndjson': 'application/x-ndjson; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
};

/**
 * The policy for an HTML artifact (flame.html, report.html): only the inline scripts it was written with, by
 * hash. perfloop writes data into such pages as escaped JSON blocks, never as script, so any other script —
 * one smuggled in through a function name — has no hash and does not run.
 */
export function artifactPolicy(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
  );
  return `default-src 'none'; script-src ${hashes.join(' ') || "'none'"}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

/** Sends a recorded artifact: HTML with its own hash policy, text as text, anything else (snapshots) as a download. */
export function sendArtifact(res: ServerResponse, name: string, path: string, headers: Record<string, string>): void {
  const ext = extname(path).toLowerCase();
  if (ext === '.html') {
    const html = readFileSync(path, 'utf8');
    res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': artifactPolicy(html) });
    res.end(html);
    return;
  }
  const type = TEXT_TYPES[ext];
  res.writeHead(200, {
    ...headers,
    'content-type': type ?? 'application/octet-stream',
    'content-security-policy': "default-src 'none'",
    ...(type ? {} : { 'content-disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}${ext}"` }),
  });
  // Streamed: heap snapshots run to hundreds of MB.
  createReadStream(path).on('error', () => res.destroy()).pipe(res);
}
