import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { statusPagesSchema } from '../../config/status-pages.ts';
import { statusPageRoutes, escapeHtml, type StatusPageData } from './status-page.ts';

const pages = statusPagesSchema.parse([
  {
    slug: 'acme',
    title: 'Acme <b>AI</b>',
    targets: [{ target: 'gpt-east-secret', name: 'Chat "API" <script>' }],
  },
]);

const data: StatusPageData = {
  now: () => Date.UTC(2026, 10, 20),
  states: (names) => Object.fromEntries(names.map((n) => [n, 'down'])),
  dailyUptime: async (days, _now, names) =>
    Array.from({ length: days }, (_, i) => ({
      date: `2026-08-${String((i % 28) + 1).padStart(2, '0')}`,
      targets: Object.fromEntries(
        names.map((n) => [n, { availability: i === days - 1 ? 0.9 : 1, downtimeMs: 0 }]),
      ),
    })),
  publicIncidents: async () => [
    {
      state: 'open',
      openedAt: Date.UTC(2026, 10, 19),
      targets: ['gpt-east-secret', 'other-private'],
      updates: [{ at: Date.UTC(2026, 10, 19), text: 'Fixing <img src=x onerror=alert(1)>' }],
    },
  ],
};

function app(): Hono {
  const a = new Hono();
  statusPageRoutes(() => pages, data)(a);
  return a;
}

test('the status page escapes every string and shows public names only', async () => {
  const res = await app().request('/status/acme');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const html = await res.text();
  assert.ok(!html.includes('gpt-east-secret') && !html.includes('other-private'));
  assert.ok(!html.includes('<script>') && !html.includes('<img'));
  assert.ok(html.includes('Chat &#34;API&#34; &#60;script&#62;'));
  assert.ok(html.includes('Fixing &#60;img src=x onerror=alert(1)&#62;'));
  assert.ok(html.includes('Service disruption'));
  assert.equal((html.match(/<rect /g) ?? []).length, 90);
});

test('api.json carries the same public view; unknown slugs are 404 with an escaped message', async () => {
  const body = (await (await app().request('/status/acme/api.json')).json()) as {
    components: { name: string }[];
    incidents: { components: string[] }[];
  };
  assert.deepEqual(
    body.components.map((c) => c.name),
    ['Chat "API" <script>'],
  );
  assert.deepEqual(body.incidents[0]!.components, ['Chat "API" <script>']);
  assert.ok(!JSON.stringify(body).includes('secret'));
  const missing = await app().request('/status/%3Cscript%3E');
  assert.equal(missing.status, 404);
  assert.ok((await missing.text()).includes('&#60;script&#62;'));
});

test('escapeHtml and config checks', () => {
  assert.equal(escapeHtml(`<a href="x">'&\``), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#96;');
  const dup = statusPagesSchema.safeParse([
    { slug: 'a', title: 't', targets: [{ target: 'x', name: 'X' }] },
    {
      slug: 'a',
      title: 't',
      targets: [
        { target: 'y', name: 'Y' },
        { target: 'z', name: 'Y' },
      ],
    },
  ]);
  assert.equal(dup.success, false);
  assert.deepEqual(
    dup.error?.issues.map((i) => i.message),
    ['duplicate status page slug "a"', 'duplicate public name "Y" on page a'],
  );
  assert.equal(
    statusPagesSchema.safeParse([{ slug: 'Bad Slug', title: 't', targets: [{ target: 'x', name: 'X' }] }])
      .success,
    false,
  );
});
