import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataOf, SseLines } from './sse-lines.ts';

describe('SseLines', () => {
  it('keeps a partial line and a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('data: {"t":"caf\u00e9 \u2615"}\n\ndata: [DONE]\n\n', 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const lines = new SseLines();
      const got = [...lines.push(bytes.subarray(0, cut)).lines, ...lines.push(bytes.subarray(cut)).lines];
      const data = got.map(dataOf).filter((d) => d !== undefined);
      assert.deepEqual(data, ['{"t":"caf\u00e9 \u2615"}', '[DONE]'], `cut at byte ${cut}`);
    }
  });

  it('reads data lines with and without the space, and CRLF endings', () => {
    assert.equal(dataOf('data:x'), 'x');
    assert.equal(dataOf('data: x\r'), 'x');
    assert.equal(dataOf('event: ping'), undefined);
  });
});
