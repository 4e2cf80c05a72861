/**
 * Which forward proxy, if any, carries the traffic to an upstream origin. A provider's own
 * `proxy:` (an `http://[user:pass@]host:port` URL, or `none`) decides; without one the
 * environment does, the way curl reads it: `https_proxy`/`HTTPS_PROXY` for https origins,
 * `http_proxy`/`HTTP_PROXY` for http ones (the lower-case name wins when both are set), minus
 * the hosts of `no_proxy`/`NO_PROXY` and loopback hosts. The environment is the gateway's `env` option, passed in:
 * nothing here reads `process.env`. Runs once per provider, when routes are built.
 *
 * Only http:// proxies are spoken to; traffic to https upstreams stays TLS end to end inside
 * the CONNECT tunnel (`tunnel.ts`). Credentials of a proxy URL become a `Proxy-Authorization`
 * value and never appear in a message: proxies are named by `proxyName` (host and port only).
 */
import net from 'node:net';
import { NinesError } from '../../core/errors.ts';

/** A forward proxy to tunnel through with HTTP CONNECT. */
export interface ProxyTarget {
  /** Host name or address (IPv6 without brackets). */
  host: string;
  port: number;
  /** `Basic …` from the URL's credentials: a secret, never part of a message. */
  authorization?: string;
}

/** Environment variables (the gateway's `env` option). */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** `host:port` of a proxy, for messages and labels: never its credentials. */
export function proxyName(p: ProxyTarget): string {
  return `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
}

/**
 * The proxy for `origin` (`http(s)://host[:port]`): `configured` (a provider's `proxy:`, `none`
 * for none) when given, else the environment's, unless `NO_PROXY` lists the origin's host.
 * Throws VALIDATION, naming the setting but not the credentials, for a proxy it cannot use.
 */
export function proxyFor(
  origin: string,
  configured: string | undefined,
  env: ProxyEnv,
): ProxyTarget | undefined {
  if (configured !== undefined) {
    return configured.trim() === 'none' ? undefined : parseProxyUrl(configured, 'proxy');
  }
  const url = new URL(origin);
  const secure = url.protocol === 'https:';
  const [name, value] = secure
    ? fromEnv(env, 'https_proxy', 'HTTPS_PROXY')
    : fromEnv(env, 'http_proxy', 'HTTP_PROXY');
  if (value === undefined) return undefined;
  // Loopback never goes through an environment proxy (as Go's net/http does): a local model
  // server, a sidecar or the simulator is not behind the egress proxy.
  if (isLoopback(url.hostname)) return undefined;
  const noProxy = fromEnv(env, 'no_proxy', 'NO_PROXY')[1];
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  if (noProxy !== undefined && bypassed(noProxy, url.hostname, port)) return undefined;
  return parseProxyUrl(value, name);
}

/** localhost, a name under .localhost, 127.0.0.0/8 or ::1. */
function isLoopback(hostname: string): boolean {
  const h = hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  return net.isIPv4(h) && h.startsWith('127.');
}

/** The first of two variables set to something other than blanks: its name and value. */
function fromEnv(env: ProxyEnv, lower: string, upper: string): [string, string | undefined] {
  const a = env[lower]?.trim();
  if (a) return [lower, a];
  const b = env[upper]?.trim();
  return [upper, b || undefined];
}

/**
 * A proxy URL (`http://[user:pass@]host[:port]`, port 80 by default; no scheme means http://).
 * `source` names the setting in messages, which show the proxy's host but not its credentials.
 */
function parseProxyUrl(text: string, source: string): ProxyTarget {
  const raw = text.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new NinesError('VALIDATION', `${source}: not a proxy URL (use http://[user:pass@]host:port)`);
  }
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol === 'https:') {
    throw new NinesError(
      'VALIDATION',
      `${source}: https:// proxies (${shown}) are not supported; use an http:// proxy ` +
        '(traffic to https upstreams stays TLS end to end inside its CONNECT tunnel)',
    );
  }
  if (url.protocol !== 'http:' || url.hostname === '') {
    throw new NinesError(
      'VALIDATION',
      `${source}: ${shown} is not supported; use http://[user:pass@]host:port`,
    );
  }
  const target: ProxyTarget = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 80,
  };
  if (url.username || url.password) {
    let credentials: string;
    try {
      credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    } catch {
      throw new NinesError('VALIDATION', `${source}: bad %-escape in the credentials of ${shown}`);
    }
    target.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  return target;
}

/**
 * Whether a `NO_PROXY` list (comma or space separated) exempts `host`:`port` from the proxy.
 * `*` exempts every host. An entry matches the host itself or any name under it (a leading `.`
 * or `*.` changes nothing: `.example.com` and `example.com` both match `example.com` and
 * `api.example.com`); IP addresses match exactly, or by CIDR (`10.0.0.0/8`); `[::1]` may be
 * bracketed; `host:port` matches that port only. Case and a trailing dot are ignored.
 */
function bypassed(list: string, host: string, port: number): boolean {
  const h = host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  for (let entry of list.toLowerCase().split(/[\s,]+/)) {
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: number | undefined;
    const bracketed = /^\[([^\]]*)\](?::(\d+))?(\/\d+)?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1]! + (bracketed[3] ?? '');
      if (bracketed[2] !== undefined) entryPort = Number(bracketed[2]);
    } else if (net.isIP(entry.split('/')[0]!) !== 6) {
      const m = /^(.*):(\d+)$/.exec(entry);
      if (m) {
        entry = m[1]!;
        entryPort = Number(m[2]);
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (hostMatches(entry.replace(/\.$/, ''), h)) return true;
  }
  return false;
}

/** One `NO_PROXY` entry (no port) against a lower-case host name or address. */
function hostMatches(entry: string, host: string): boolean {
  const family = net.isIP(host);
  if (family !== 0) return addressMatches(entry, host, family === 4 ? 'ipv4' : 'ipv6');
  const name = entry.replace(/^\*?\./, '');
  return name !== '' && (host === name || host.endsWith(`.${name}`));
}

/** An IP entry (`addr` or `addr/bits`) against an address of the same family. */
function addressMatches(entry: string, host: string, type: 'ipv4' | 'ipv6'): boolean {
  const [addr = '', bits] = entry.split('/');
  if (net.isIP(addr) !== (type === 'ipv4' ? 4 : 6)) return false;
  const list = new net.BlockList();
  if (bits === undefined) list.addAddress(addr, type);
  else {
    const n = /^\d+$/.test(bits) ? Number(bits) : -1;
    if (n < 0 || n > (type === 'ipv4' ? 32 : 128)) return false;
    list.addSubnet(addr, n, type);
  }
  return list.check(host, type);
}
