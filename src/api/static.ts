/**
 * Serves the dashboard: the front end in src/web/ is bundled with esbuild into memory once at
 * server start (`buildWebAssets`), then `staticRoutes` serves the SPA shell at `/` and the
 * fingerprinted files under `/assets/`, with a strict Content-Security-Policy (no inline
 * script or style), `nosniff`, and long-lived caching for fingerprinted files only.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Hono, Context } from 'hono';
import { build } from 'esbuild';

/** One built file. */
export interface WebAsset {
  body: string;
  contentType: string;
  /** True for fingerprinted files that never change under the same path. */
  immutable: boolean;
}

/** The policy every dashboard and status page response carries. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));

function fingerprint(body: string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 12);
}

function shell(js: string, css: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nines</title>
<link rel="stylesheet" href="${css}">
<script type="module" src="${js}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<div id="app"><main id="main" tabindex="-1"><p class="loading">Loading nines…</p></main></div>
<noscript><p>The nines dashboard needs JavaScript. The public status pages under /status/ work without it.</p></noscript>
</body>
</html>
`;
}

/** Bundles src/web/ (TypeScript → one ES module) and its CSS; returns path → asset. */
export async function buildWebAssets(options: { minify?: boolean } = {}): Promise<Map<string, WebAsset>> {
  const result = await build({
    entryPoints: [`${WEB_DIR}main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: options.minify ?? true,
    sourcemap: false,
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]!.text;
  const css = await readFile(`${WEB_DIR}style.css`, 'utf8');
  const statusCss = await readFile(`${WEB_DIR}status.css`, 'utf8');
  const jsPath = `/assets/app.${fingerprint(js)}.js`;
  const cssPath = `/assets/app.${fingerprint(css)}.css`;
  const assets = new Map<string, WebAsset>();
  assets.set(jsPath, { body: js, contentType: 'text/javascript; charset=utf-8', immutable: true });
  assets.set(cssPath, { body: css, contentType: 'text/css; charset=utf-8', immutable: true });
  assets.set('/assets/status.css', {
    body: statusCss,
    contentType: 'text/css; charset=utf-8',
    immutable: false,
  });
  assets.set('/', {
    body: shell(jsPath, cssPath),
    contentType: 'text/html; charset=utf-8',
    immutable: false,
  });
  return assets;
}

/** Sets the security headers every HTML/asset response carries. */
export function setSecurityHeaders(c: Context): void {
  c.header('content-security-policy', CONTENT_SECURITY_POLICY);
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
  c.header('x-frame-options', 'DENY');
}

/** Public routes for `createApiApp({ publicRoutes })`: `/` and `/assets/*`. */
export function staticRoutes(assets: Map<string, WebAsset>): (app: Hono) => void {
  return (app) => {
    const send = (c: Context, path: string) => {
      const a = assets.get(path);
      if (!a) return c.text(`not found: ${path}`, 404);
      setSecurityHeaders(c);
      c.header('content-type', a.contentType);
      c.header('cache-control', a.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return c.body(a.body);
    };
    app.get('/', (c) => send(c, '/'));
    app.get('/index.html', (c) => send(c, '/'));
    app.get('/assets/:file', (c) => send(c, c.req.path));
  };
}
