/**
 * The demo's alert receiver: a loopback webhook endpoint that prints each Alertmanager-style
 * notification it gets, so a newcomer sees pages being delivered without configuring a channel.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running log receiver. */
export interface WebhookLog {
  url: string;
  close(): Promise<void>;
}

/** Starts the receiver on a free loopback port; `print` gets one line per notification. */
export async function startWebhookLog(print: (line: string) => void): Promise<WebhookLog> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      if (body.length < 1_000_000) body += c;
    });
    req.on('end', () => {
      try {
        const n = JSON.parse(body) as {
          status?: string;
          receiver?: string;
          alerts?: { labels?: Record<string, string>; annotations?: Record<string, string> }[];
        };
        for (const a of n.alerts ?? []) {
          print(
            `demo: notification ${n.status} → ${n.receiver}: ${a.labels?.alertname ?? '?'} ${a.annotations?.summary ?? ''}`,
          );
        }
      } catch {
        print('demo: received a notification that is not JSON');
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
