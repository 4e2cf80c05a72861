import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { answerText, answerTokens, evaluateArithmetic } from './answer.ts';
import { embedText, embeddingDimensions, encodeBase64 } from './embedding.ts';

test('evaluates the arithmetic in a prompt', () => {
  assert.equal(evaluateArithmetic('What is 2+2? Answer with a number.'), 4);
  assert.equal(evaluateArithmetic('Compute 6 * 7 please'), 42);
  assert.equal(evaluateArithmetic('what is 3 x 4'), 12);
  assert.equal(evaluateArithmetic('(1 + 2) * 3 = ?'), 9);
  assert.equal(evaluateArithmetic('10 divided by 4'), 2.5);
  assert.equal(evaluateArithmetic('12 - 5 - 2'), 5);
  assert.equal(evaluateArithmetic('2 + 3 * 4'), 14);
  assert.equal(evaluateArithmetic('Tell me a story about 3 cats'), undefined);
});

test('answers are deterministic, and wrong answers differ', () => {
  assert.equal(answerText('What is 2+2? Answer with a number.', 'm'), '4');
  assert.equal(answerText('What is 2+2?', 'm', true), '5');
  assert.equal(answerText('hello', 'm'), answerText('hello', 'm'));
  assert.notEqual(answerText('hello', 'm', true), answerText('hello', 'm'));
});

test('answer tokens are padded to a minimum and cut at max tokens', () => {
  const padded = answerTokens('What is 2+2?', 'm', { minTokens: 50 });
  assert.equal(padded.tokens.length, 50);
  assert.equal(padded.tokens[0], '4');
  assert.equal(padded.truncated, false);
  const cut = answerTokens('hello there', 'm', { maxTokens: 3 });
  assert.deepEqual(cut, { tokens: ['This', ' is', ' a'], truncated: true });
});

test('embeddings have the model size, unit length, and are stable', () => {
  assert.equal(embeddingDimensions('text-embedding-3-small'), 1536);
  assert.equal(embeddingDimensions('text-embedding-3-large'), 3072);
  assert.equal(embeddingDimensions('custom', { custom: 8 }), 8);
  const v = embedText('text-embedding-3-small', 'hello', 1536);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-4);
  assert.deepEqual(embedText('text-embedding-3-small', 'hello', 1536), v);
  assert.notDeepEqual(embedText('text-embedding-3-small', 'bye', 1536), v);
  const decoded = new Float32Array(Buffer.from(encodeBase64(v), 'base64').buffer.slice(0));
  assert.equal(decoded.length, 1536);
});

test('property: a op b is evaluated like JavaScript does', () => {
  const ops = {
    '+': (a: number, b: number) => a + b,
    '-': (a: number, b: number) => a - b,
    '*': (a: number, b: number) => a * b,
  };
  fc.assert(
    fc.property(
      fc.integer({ min: -1000, max: 1000 }),
      fc.constantFrom('+', '-', '*'),
      fc.integer({ min: -1000, max: 1000 }),
      (a, op, b) => {
        const expected = ops[op as keyof typeof ops](a, b);
        assert.equal(evaluateArithmetic(`What is ${a} ${op} ${b}? Answer with a number.`), expected);
        assert.equal(answerText(`What is ${a}${op}${b}?`, 'm'), String(expected));
      },
    ),
    { numRuns: 300 },
  );
});
