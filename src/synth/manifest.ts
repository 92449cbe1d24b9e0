/**
 * The defect manifest (defects.json), streamed as defects happen so a million-patient run never
 * holds it in memory. Layout: run parameters first, then `defects` in generation order (which
 * is deterministic), then `counts` per kind.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DefectSink } from './context.js';
import { DEFECT_KINDS, type DefectEntry, type DefectKind, type DefectRates } from './defects.js';

/** What defects.json holds, for readers. */
export interface DefectManifest {
  seed: number;
  patients: number;
  asOf: string;
  rates: DefectRates;
  defects: DefectEntry[];
  counts: Record<DefectKind, number>;
}

const FLUSH_AT = 64 * 1024;

/** Writes defects.json incrementally and counts defects per kind. */
export class ManifestWriter implements DefectSink {
  readonly counts = Object.fromEntries(DEFECT_KINDS.map((k) => [k, 0])) as Record<DefectKind, number>;
  private buffer: string;
  private first = true;
  private pending: Promise<void> | undefined;

  private constructor(
    readonly file: string,
    private readonly stream: WriteStream,
    header: Omit<DefectManifest, 'defects' | 'counts'>,
  ) {
    const head = JSON.stringify(header, null, 2);
    this.buffer = `${head.slice(0, -2)},\n  "defects": [`;
  }

  /** Opens the manifest file, creating its directory. */
  static async open(file: string, header: Omit<DefectManifest, 'defects' | 'counts'>): Promise<ManifestWriter> {
    await mkdir(path.dirname(file), { recursive: true });
    return new ManifestWriter(file, createWriteStream(file), header);
  }

  defect(entry: DefectEntry): void {
    this.counts[entry.kind]++;
    this.buffer += `${this.first ? '\n' : ',\n'}    ${JSON.stringify(entry)}`;
    this.first = false;
    if (this.buffer.length >= FLUSH_AT) this.flush();
  }

  /** Resolves when the file can take more data; undefined when it is not backed up. */
  ready(): Promise<void> | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }

  /** Writes the counts and closes the file. */
  async close(): Promise<void> {
    this.buffer += `${this.first ? '' : '\n  '}],\n  "counts": ${JSON.stringify(this.counts, null, 2).replace(/\n/g, '\n  ')}\n}\n`;
    this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }

  /** Closes the file without waiting, after a failure. */
  destroy(): void {
    this.stream.destroy();
  }

  private flush(): void {
    const text = this.buffer;
    this.buffer = '';
    if (!this.stream.write(text) && !this.pending) {
      this.pending = new Promise((resolve) => this.stream.once('drain', () => resolve()));
    }
  }
}
