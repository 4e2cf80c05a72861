import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { providerUrl, startSimServer, type SimServer } from './server.ts';

let server: SimServer;
let base: string;

before(async () => {
  server = await startSimServer({ providers: [{ name: 'triton', kind: 'kserve', models: ['resnet'] }] });
  base = providerUrl(server, 'triton');
});
after(() => server.close());

const getJson = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('health and readiness', async () => {
  assert.deepEqual(await getJson('/v2/health/live'), { status: 200, body: { live: true } });
  assert.deepEqual(await getJson('/v2/health/ready'), { status: 200, body: { ready: true } });
  assert.deepEqual(await getJson('/v2/models/resnet/ready'), {
    status: 200,
    body: { name: 'resnet', ready: true },
  });
  assert.equal((await getJson('/v2/models/bert/ready')).status, 404);
});

test('model metadata', async () => {
  const { status, body } = await getJson('/v2/models/resnet');
  assert.equal(status, 200);
  assert.equal(body.name, 'resnet');
  assert.deepEqual(body.versions, ['1']);
  assert.ok(Array.isArray(body.inputs) && Array.isArray(body.outputs));
});

test('infer echoes tensors with a checkable transformation', async () => {
  const res = await fetch(`${base}/v2/models/resnet/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'req-1',
      inputs: [
        { name: 'input0', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] },
        { name: 'labels', shape: [2], datatype: 'BYTES', data: ['cat', 'dog'] },
      ],
    }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    model_name: 'resnet',
    model_version: '1',
    id: 'req-1',
    outputs: [
      { name: 'output0', datatype: 'FP32', shape: [2, 2], data: [2, 4, 6, 8] },
      { name: 'output1', datatype: 'BYTES', shape: [2], data: ['CAT', 'DOG'] },
    ],
  });
});

test('a shape that does not match the data is a 400 with {error}', async () => {
  const res = await fetch(`${base}/v2/models/resnet/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'input0', shape: [3], datatype: 'FP32', data: [1] }] }),
  });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { error: string }).error, /needs 3/);
});
