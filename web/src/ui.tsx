/** Small shared pieces: hash routing, loading data, errors shown where they happen, dialogs, bars, the virtual table. */
import { memo, useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api';

/** The current hash route (`#/p/prj_1/runs?x=1` → path `/p/prj_1/runs`, query x=1). */
export function useRoute(): { path: string; query: URLSearchParams } {
  const read = () => {
    const raw = location.hash.replace(/^#/, '') || '/';
    const q = raw.indexOf('?');
    return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Goes to a hash route. */
export function go(path: string): void {
  location.hash = `#${path}`;
}

/** Loads data once (and again when `deps` change or `reload()` is called). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: ApiError | null; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error: asApiError(error), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** Runs an action, keeping its pending state and error for the control that started it. */
export function useAction<A extends unknown[], T>(act: (...args: A) => Promise<T>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (...args: A): Promise<T | undefined> => {
    setPending(true);
    setError(null);
    try {
      return await act(...args);
    } catch (err) {
      setError(asApiError(err));
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { run, pending, error, setError };
}

/** Any thrown value as an ApiError (a bug in the UI is described, not swallowed). */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'ui', err instanceof Error ? err.message : String(err));
}

/** An API error in plain words, with the issues it lists; `id` lets a control point at it. */
export function ErrorText({ error, id }: { error: ApiError | null; id?: string }) {
  if (!error) return null;
  return (
    <div className="error" role="alert" id={id}>
      <p>
        <strong>{error.message}</strong>
      </p>
      {error.issues.length > 0 && (
        <ul>
          {error.issues.map((i, n) => (
            <li key={n}>
              {i.path ? <code>{i.path}</code> : null} {i.message}
            </li>
          ))}
        </ul>
      )}
      {error.requestId ? <p className="hint">Request id {error.requestId}</p> : null}
    </div>
  );
}

/** The loading / error state of a page section. */
export function Loading({ what, error }: { what: string; error: ApiError | null }) {
  if (error) return <ErrorText error={error} />;
  return (
    <p className="hint" role="status">
      Loading {what}…
    </p>
  );
}

/** A labelled form control whose error (if any) is shown right under it and announced. */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string;
  error?: string | null;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="error-inline" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
      {children({ id, 'aria-describedby': described || undefined, 'aria-invalid': error ? true : undefined })}
    </div>
  );
}

/** A modal confirmation dialog (native <dialog>: focus is trapped and Escape closes it). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  danger,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  danger?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      <h2 id={titleId}>{title}</h2>
      {children}
      <div className="actions">
        <button type="button" className={danger ? 'danger' : undefined} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

/** A labelled horizontal bar (value 0..1), with optional fail/warn threshold marks. */
export function Bar({ label, value, fail, warn, text }: { label: string; value: number | null; fail?: number | null; warn?: number | null; text?: string }) {
  const pct = value === null ? 0 : Math.max(0, Math.min(1, value)) * 100;
  // Without a threshold a bar only measures, so it is neutral blue rather than a pass or fail colour.
  const state = value === null ? 'na' : fail != null && value < fail ? 'fail' : warn != null && value < warn ? 'warn' : fail != null || warn != null ? 'pass' : 'plain';
  return (
    <div className="bar-row">
      <span className="bar-label">{label}</span>
      <div
        className={`bar bar-${state}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct * 10) / 10}
        aria-valuetext={text ?? (value === null ? 'not applicable' : `${pct.toFixed(1)}%`)}
      >
        <div className="bar-fill" style={{ width: `${pct}%` }} />
        {fail != null ? <div className="bar-mark bar-mark-fail" style={{ left: `${fail * 100}%` }} title={`fail below ${(fail * 100).toFixed(1)}%`} /> : null}
        {warn != null ? <div className="bar-mark bar-mark-warn" style={{ left: `${warn * 100}%` }} title={`warn below ${(warn * 100).toFixed(1)}%`} /> : null}
      </div>
      <span className="bar-value">{text ?? (value === null ? 'n/a' : `${pct.toFixed(1)}%`)}</span>
    </div>
  );
}

/** Numbers as people read them. */
export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : n.toLocaleString('en-GB');
}

/** Seconds as "1 min 5 s". */
export function duration(s: number | null | undefined): string {
  if (s === null || s === undefined) return '–';
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** A short, readable time. */
export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }) : '–';
}

export interface Column<T> {
  key: string;
  header: string;
  width: string;
  render: (row: T) => ReactNode;
}

/**
 * A virtualised table: only the rows in view (plus a margin) are in the DOM, so thousands of
 * rows render and scroll at the cost of a screenful. Rows have a fixed height; the ARIA table
 * roles with aria-rowcount/aria-rowindex tell assistive technology the real size. The scroll
 * area takes keyboard focus, so arrows and Page Up/Down scroll it.
 */
export function VirtualTable<T>({
  rows,
  columns,
  rowHeight = 40,
  height = 560,
  label,
  rowKey,
  onRendered,
}: {
  rows: T[];
  columns: Column<T>[];
  rowHeight?: number;
  height?: number;
  label: string;
  rowKey: (row: T) => string;
  onRendered?: () => void;
}) {
  // The first row in view (not the pixel offset), so scrolling within a row renders nothing.
  const [topRow, setTopRow] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const overscan = 8;
  const first = Math.max(0, topRow - overscan);
  const last = Math.min(rows.length, topRow + Math.ceil(height / rowHeight) + 1 + overscan);
  const template = columns.map((c) => c.width).join(' ');
  useLayoutEffect(() => {
    onRendered?.();
  }, [rows, onRendered]);
  useEffect(() => {
    // A new filter starts at the top.
    if (scroller.current) scroller.current.scrollTop = 0;
    setTopRow(0);
  }, [rows]);
  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={rows.length + 1}>
      <div role="rowgroup">
        <div className="vrow vhead" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          {columns.map((c) => (
            <div key={c.key} role="columnheader" className="vcell">
              {c.header}
            </div>
          ))}
        </div>
      </div>
      <div
        className="vscroll"
        ref={scroller}
        tabIndex={0}
        aria-label={`${label}: scroll with the arrow keys`}
        style={{ height }}
        onScroll={(e) => setTopRow(Math.floor(e.currentTarget.scrollTop / rowHeight))}
        data-testid="vscroll"
      >
        <div role="rowgroup" style={{ height: rows.length * rowHeight, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => (
            <VirtualRow key={rowKey(row)} row={row} index={first + i} columns={columns as Column<unknown>[]} template={template} rowHeight={rowHeight} />
          ))}
        </div>
      </div>
    </div>
  );
}

// A row re-renders only when its data or position changes, so scrolling renders just the rows
// that come into view rather than every visible row on every frame.
const VirtualRow = memo(function VirtualRow({ row, index, columns, template, rowHeight }: { row: unknown; index: number; columns: Column<unknown>[]; template: string; rowHeight: number }) {
  return (
    <div className="vrow" role="row" aria-rowindex={index + 2} style={{ gridTemplateColumns: template, height: rowHeight, transform: `translateY(${index * rowHeight}px)` }}>
      {columns.map((c) => (
        <div key={c.key} role="cell" className="vcell">
          {c.render(row)}
        </div>
      ))}
    </div>
  );
});

/** Downloads text as a file (audit exports, the quality report). */
export function download(name: string, text: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
