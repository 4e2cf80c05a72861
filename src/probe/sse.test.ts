import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from './sse.ts';

test('parses events split across chunks, CRLF and comments', () => {
  const p = new SseParser();
  const text =
    ': keep-alive\r\nevent: delta\r\ndata: {"a":1}\r\n\r\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';
  const events = [];
  for (let i = 0; i < text.length; i += 3) events.push(...p.push(text.slice(i, i + 3)));
  assert.deepEqual(events, [
    { event: 'delta', data: '{"a":1}' },
    { data: 'line1\nline2' },
    { data: '[DONE]' },
  ]);
});

test('a final event without a blank line is returned by end()', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('data: x'), []);
  assert.deepEqual(p.end(), { data: 'x' });
});

test('garbage lines are malformed', () => {
  assert.throws(
    () => new SseParser().push('<html>\n'),
    (e: { errorClass?: string }) => e.errorClass === 'malformed',
  );
});
