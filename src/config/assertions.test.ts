import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertionSchema, parseAssertion } from './assertions.ts';

test('parses fields, operators and values', () => {
  assert.deepEqual(parseAssertion('status == 200').field, { kind: 'number', name: 'status' });
  assert.deepEqual(parseAssertion('latency < 2s').value, { type: 'number', value: 2000 });
  assert.deepEqual(parseAssertion('ttft<=800ms').value, { type: 'number', value: 800 });
  assert.equal(parseAssertion('latency < 1500').value.value, 1500);
  const re = parseAssertion('answer matches /\\b4\\b/i');
  assert.equal(re.op, 'matches');
  assert.ok((re.value.value as RegExp).test('it is 4.'));
  assert.deepEqual(parseAssertion('body contains "ok"').value, { type: 'string', value: 'ok' });
  assert.deepEqual(parseAssertion("answer != ''").value, { type: 'string', value: '' });
  assert.deepEqual(parseAssertion('json.valid == true').field, { kind: 'json.valid' });
  assert.deepEqual(parseAssertion('json.$.data[0].id == "x"').field, {
    kind: 'json.path',
    path: ['data', 0, 'id'],
  });
  assert.deepEqual(parseAssertion('json.$["a b"].c > 1').field, { kind: 'json.path', path: ['a b', 'c'] });
  assert.deepEqual(parseAssertion('header.Content-Type contains "json"').field, {
    kind: 'header',
    name: 'content-type',
  });
  assert.equal(parseAssertion('embedding.dim == 1536').value.value, 1536);
  assert.equal(parseAssertion('cert.days >= 14').op, '>=');
  assert.equal(parseAssertion('tokens_per_s > 10').field.kind, 'number');
});

const bad: [string, RegExp][] = [
  ['latncy < 2s', /^unknown field "latncy" in "latncy < 2s" \(fields: status, latency, ttfb, ttft, /],
  ['status', /expected an operator after "status"/],
  ['status ==', /missing value/],
  ['status == 2s', /bad value 2s/],
  ['status == "200"', /status compares with a number/],
  ['latency < fast', /bad value fast/],
  ['answer < "x"', /< applies to numeric fields/],
  ['status matches /2../', /matches applies to text fields/],
  ['answer matches "4"', /matches needs a \/regex\/flags/],
  ['answer matches /(/', /invalid regex/],
  ['answer contains 4', /contains needs a quoted string/],
  ['json.valid == 1', /json.valid takes == true or == false/],
  ['json.$.a[x] == 1', /bad JSON path/],
  ['answer == 4', /answer compares with a quoted string/],
];
for (const [expr, message] of bad) {
  test(`rejects ${expr}`, () => {
    assert.throws(
      () => parseAssertion(expr),
      (err: Error) => message.test(err.message),
    );
  });
}

test('the schema reports syntax errors at config load', () => {
  const r = assertionSchema.safeParse({ expr: 'latncy < 2s', severity: 'degrade' });
  assert.equal(r.success, false);
  assert.match(r.error!.issues[0]!.message, /unknown field "latncy"/);
  assert.equal(assertionSchema.safeParse('status == 200').success, true);
  assert.deepEqual(assertionSchema.parse({ expr: 'latency < 2s' }), {
    expr: 'latency < 2s',
    severity: 'fail',
  });
});
