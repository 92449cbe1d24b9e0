/**
 * Splits a Server-Sent Events text stream into its `event:` / `data:` blocks, the data parsed as
 * JSON. No imports, so the same code serves `ferry verify-deployment` in Node and the web UI in
 * the browser.
 */

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Feed it decoded text as it arrives; it returns the events completed by each piece. */
export class SseFrames {
  private buffer = '';

  /** Appends `text` and returns every event it completed, in order. */
  push(text: string): SseEvent[] {
    this.buffer += text;
    const events: SseEvent[] = [];
    let at: number;
    while ((at = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data !== undefined) events.push({ event, data: JSON.parse(data) as unknown });
    }
    return events;
  }
}
