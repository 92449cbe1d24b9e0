/**
 * An RFC 4180 record parser over decoded text chunks. We parse ourselves rather than through
 * csv-parse because telling an empty unquoted field (null) from a quoted empty field ('')
 * needs csv-parse's per-field cast callback, which made reading thirteen times slower
 * (93 µs against 7 µs per 11-column row). Lines without a quote character — nearly all of a
 * legacy export — take a split fast path.
 *
 * Semantics: fields separated by `delimiter`; a field starting with `quote` is quoted, with the
 * quote doubled inside it; a quote inside an unquoted field is a literal (legacy exports write
 * 12'37.8"N); records end at \n, \r\n or \r; a leading byte order mark is dropped. An empty
 * unquoted field is null, a quoted empty field ''. A blank line is, as RFC 4180 has it, a record
 * of one empty field ([null]): in a one-column file that is how a NULL is written, so the reader
 * (which knows the header's width) decides whether to skip it. Records may differ in width: the
 * reader decides what a ragged record means (parser.ts only finds records).
 */

export type CsvRecord = Array<string | null>;

/** A syntax error at a line: carries a csv-parse compatible code, never field contents. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly code: string,
    readonly line: number,
  ) {
    super(`${code} at line ${line}`);
  }
}

export class CsvParser {
  private rest = '';
  private line = 1;
  private started = false;

  constructor(
    private readonly delimiter: string,
    private readonly quote: string,
  ) {}

  /** Parses what `chunk` completes, appending whole records to `out` and, when given, the line each starts at to `lines`. */
  push(chunk: string, out: CsvRecord[], lines?: number[]): void {
    let text = this.rest + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.rest = text.slice(this.parse(text, false, out, lines));
  }

  /** Parses the remainder at end of input. */
  end(out: CsvRecord[], lines?: number[]): void {
    this.parse(this.rest, true, out, lines);
    this.rest = '';
  }

  /** Parses whole records from `text`; returns the offset where an incomplete record starts. */
  private parse(text: string, final: boolean, out: CsvRecord[], lines: number[] | undefined): number {
    const len = text.length;
    const { delimiter, quote } = this;
    let pos = 0;
    // Next positions of \r and of the quote, cached: searching afresh on every line would make
    // a chunk without either quadratic.
    let cr = -2;
    let q = -2;
    while (pos < len) {
      let eol = text.indexOf('\n', pos);
      if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
      if (cr >= 0 && (eol < 0 || cr < eol)) eol = cr;
      const lineEnd = eol < 0 ? len : eol;
      // Wait for more input when the line (or a \r that may be half of \r\n) ends the chunk.
      if ((eol < 0 || (text[eol] === '\r' && eol + 1 === len)) && !final) return pos;
      if (q !== -1 && q < pos) q = text.indexOf(quote, pos);
      const startLine = this.line;
      let record: CsvRecord;
      let next: number;
      if (q < 0 || q >= lineEnd) {
        // Fast path: no quote on this line.
        const parts: CsvRecord = text.slice(pos, lineEnd).split(delimiter);
        for (let i = 0; i < parts.length; i++) if (parts[i] === '') parts[i] = null;
        record = parts;
        next = skipTerminator(text, lineEnd);
        this.line++;
      } else {
        const r = this.parseQuotedRecord(text, pos, final);
        if (r === null) return pos;
        record = r.record;
        next = r.next;
      }
      out.push(record);
      lines?.push(startLine);
      pos = next;
    }
    return pos;
  }

  /** Slow path for a record with quotes; null when the record is not complete in `text` yet. */
  private parseQuotedRecord(text: string, start: number, final: boolean): { record: CsvRecord; next: number } | null {
    const len = text.length;
    const { delimiter, quote } = this;
    const record: CsvRecord = [];
    let pos = start;
    let lines = 0;
    for (;;) {
      if (text.startsWith(quote, pos)) {
        let value = '';
        let seg = pos + quote.length;
        let i = seg;
        for (;;) {
          const j = text.indexOf(quote, i);
          if (j < 0) {
            // The line where the quote opens: everything after it was swallowed by the field.
            if (final) throw new CsvSyntaxError('CSV_QUOTE_NOT_CLOSED', this.line + lines);
            return null;
          }
          const after = j + quote.length;
          if (after >= len && !final) return null;
          if (text.startsWith(quote, after)) {
            value += text.slice(seg, after);
            i = seg = after + quote.length;
            continue;
          }
          value += text.slice(seg, j);
          pos = after;
          break;
        }
        lines += countNewlines(value, 0, value.length);
        record.push(value);
        if (pos >= len) return { record, next: this.finish(lines, pos) };
        if (text.startsWith(delimiter, pos)) {
          pos += delimiter.length;
          continue;
        }
        const c = text[pos];
        // A \r ending the chunk may be half of \r\n: its \n must not start a (blank) record.
        if (c === '\r' && pos + 1 === len && !final) return null;
        if (c === '\n' || c === '\r') return { record, next: this.finish(lines, skipTerminator(text, pos)) };
        throw new CsvSyntaxError('CSV_INVALID_CLOSING_QUOTE', this.line + lines);
      }
      // Unquoted field: up to the next delimiter or line end; quotes inside are literal.
      let k = pos;
      for (; k < len; k++) {
        const c = text[k];
        if (c === '\n' || c === '\r' || text.startsWith(delimiter, k)) break;
      }
      if ((k >= len || (text[k] === '\r' && k + 1 === len)) && !final) return null;
      record.push(k === pos ? null : text.slice(pos, k));
      if (k < len && text.startsWith(delimiter, k)) {
        pos = k + delimiter.length;
        continue;
      }
      return { record, next: this.finish(lines, k < len ? skipTerminator(text, k) : k) };
    }
  }

  private finish(lines: number, next: number): number {
    this.line += lines + 1;
    return next;
  }
}

function skipTerminator(text: string, at: number): number {
  if (text[at] === '\r') return text[at + 1] === '\n' ? at + 2 : at + 1;
  return text[at] === '\n' ? at + 1 : at;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
