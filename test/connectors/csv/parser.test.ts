import { describe, expect, it } from 'vitest';
import { CsvParser, type CsvRecord } from '../../../src/connectors/csv/parser.js';

function parseAll(text: string, chunk = text.length || 1, delimiter = ',', quote = '"'): CsvRecord[] {
  const p = new CsvParser(delimiter, quote);
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk), out);
  p.end(out);
  return out;
}

const TRICKY = '\uFEFFid,name,note\r\n1,"Smith, Jo","said ""hi""\nnext line"\r\n2,,""\r\n\r\n3,O\'Brien 12\'37.8"N,x\r4,last,\n5,"",end';
const EXPECTED: CsvRecord[] = [['id', 'name', 'note'], ['1', 'Smith, Jo', 'said "hi"\nnext line'], ['2', null, ''], [null], ['3', "O'Brien 12'37.8\"N", 'x'], ['4', 'last', null], ['5', '', 'end']];

describe('CsvParser', () => {
  it('parses quotes, doubled quotes, quoted newlines, empty vs quoted-empty fields, a blank line as one empty field, CR/LF/CRLF and a BOM', () => {
    expect(parseAll(TRICKY)).toEqual(EXPECTED);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    for (let size = 1; size <= TRICKY.length; size++) expect(parseAll(TRICKY, size), `chunk ${size}`).toEqual(EXPECTED);
  });

  it('honours another delimiter and quote character', () => {
    expect(parseAll("a;b\n'x;y';'it''s'\n", 3, ';', "'")).toEqual([
      ['a', 'b'],
      ['x;y', "it's"],
    ]);
  });

  it('leaves a ragged record to the reader and tells the line each record starts at', () => {
    const p = new CsvParser(',', '"');
    const out: CsvRecord[] = [];
    const lines: number[] = [];
    p.push('a,b\n1,"two\nlines"\n3\n\n4,5,6\n', out, lines);
    p.end(out, lines);
    expect(out).toEqual([['a', 'b'], ['1', 'two\nlines'], ['3'], [null], ['4', '5', '6']]);
    expect(lines).toEqual([1, 2, 4, 5, 6]);
  });

  it('reports an unclosed quote and characters after a closing quote', () => {
    expect(() => parseAll('a,b\n1,"open\n')).toThrow(expect.objectContaining({ code: 'CSV_QUOTE_NOT_CLOSED', line: 2 }));
    // The line where the quote opens, not the end of the file it swallowed.
    expect(() => parseAll('a,b\n1,"x\ny",z\n2,"open\n3,c\n4,d\n', 5)).toThrow(expect.objectContaining({ code: 'CSV_QUOTE_NOT_CLOSED', line: 4 }));
    expect(() => parseAll('a,b\n1,"x"y\n')).toThrow(expect.objectContaining({ code: 'CSV_INVALID_CLOSING_QUOTE', line: 2 }));
  });
});
