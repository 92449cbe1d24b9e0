import { describe, expect, it } from 'vitest';
import { SseFrames } from '../../src/server/sse-frames.js';

describe('SseFrames', () => {
  it('returns each event once its block is complete, however the text is split', () => {
    const text = 'event: snapshot\ndata: {"a":1}\n\n: keep-alive\n\nevent: end\ndata: {"b":[2]}\n\n';
    for (const size of [1, 3, 7, text.length]) {
      const frames = new SseFrames();
      const got = [];
      for (let i = 0; i < text.length; i += size) got.push(...frames.push(text.slice(i, i + size)));
      expect(got).toEqual([
        { event: 'snapshot', data: { a: 1 } },
        { event: 'end', data: { b: [2] } },
      ]);
    }
  });

  it('holds an unfinished block until its blank line arrives', () => {
    const frames = new SseFrames();
    expect(frames.push('event: x\ndata: 1\n')).toEqual([]);
    expect(frames.push('\n')).toEqual([{ event: 'x', data: 1 }]);
  });
});
