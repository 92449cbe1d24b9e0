/**
 * A minimal Server-Sent Events reader over fetch, for `ferry verify-deployment` (and tests):
 * it yields each `event:` / `data:` block with the data parsed as JSON, and stops at the
 * stream's end, after `maxEvents`, or when `signal` aborts.
 */
import { SseFrames, type SseEvent } from '../sse-frames.js';

export type { SseEvent };

export interface SseResponse {
  status: number;
  contentType: string | null;
  events: SseEvent[];
}

/** Opens `url` with a bearer token and collects its events until the stream ends. */
export async function readSse(url: string, token: string, o: { maxEvents?: number; signal?: AbortSignal } = {}): Promise<SseResponse> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: o.signal });
  const contentType = res.headers.get('content-type');
  const events: SseEvent[] = [];
  if (!res.body || !(contentType ?? '').startsWith('text/event-stream')) {
    await res.body?.cancel();
    return { status: res.status, contentType, events };
  }
  const max = o.maxEvents ?? 100_000;
  const decoder = new TextDecoder();
  const frames = new SseFrames();
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const e of frames.push(decoder.decode(value, { stream: true }))) {
        events.push(e);
        if (events.length >= max) return { status: res.status, contentType, events };
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { status: res.status, contentType, events };
}
