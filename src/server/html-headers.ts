/**
 * Security headers of every HTML page the server sends. There are two kinds: the web UI (the
 * built Vite app, which needs only its own scripts, stylesheets and the API of the same origin)
 * and documents the API renders (the quality report: self-contained, inline CSS and inline SVG,
 * no script, no external asset). Neither may be framed, sniffed or leak a referrer, and a page
 * allows nothing it does not use, so markup that slipped past escaping still cannot run.
 */

/** Joins CSP directives (name → sources) into one header value. */
export function contentSecurityPolicy(directives: Readonly<Record<string, string>>): string {
  return Object.entries(directives)
    .map(([name, sources]) => (sources === '' ? name : `${name} ${sources}`))
    .join('; ');
}

const COMMON = {
  'content-type': 'text/html; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/** The web UI: its own module scripts and stylesheet, the same-origin API, nothing inline. */
export const UI_CSP = contentSecurityPolicy({
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'manifest-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'self'",
  'frame-ancestors': "'none'",
});

/**
 * A rendered report: its one inline `<style>` and `style` attributes, nothing else. `sandbox`
 * (without allow-scripts) gives it an opaque origin and no script even if markup were injected.
 */
export const REPORT_CSP = contentSecurityPolicy({
  'default-src': "'none'",
  'style-src': "'unsafe-inline'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
  sandbox: '',
});

/** Headers of the UI's index page. */
export const UI_HTML_HEADERS = { ...COMMON, 'content-security-policy': UI_CSP } as const;

/** Headers of every `produces: 'html'` route. */
export const REPORT_HTML_HEADERS = { ...COMMON, 'content-security-policy': REPORT_CSP } as const;
