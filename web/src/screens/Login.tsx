/**
 * Sign in with organisation, username and password (POST /auth/login); the token stays in this
 * tab only. User names are unique per organisation, so the organisation's short name is asked
 * too; it is not secret, so the last one used is remembered on this device.
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import type { SignedIn } from '../types';
import { ErrorText, Field, useAction } from '../ui';

const ORG_KEY = 'ferry.org';

export function Login({ onSignedIn }: { onSignedIn: (token: string, username: string) => void }) {
  const [org, setOrg] = useState(() => localStorage.getItem(ORG_KEY) ?? '');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useAction((o: string, u: string, p: string) => api<SignedIn>('POST', '/auth/login', { org: o, username: u, password: p }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await login.run(org.trim(), username, password);
    if (r) {
      localStorage.setItem(ORG_KEY, org.trim());
      onSignedIn(r.token, username);
    }
  };
  return (
    <main id="main" className="login">
      <h1>Sign in to Ferry</h1>
      <p className="hint">Contract-driven migration of hospital data. Use the account your Ferry administrator gave you.</p>
      <form onSubmit={submit} aria-describedby={login.error ? 'login-error' : undefined} noValidate>
        <Field label="Organisation" hint="your organisation's short name, e.g. trust-a">
          {(p) => <input {...p} name="org" autoComplete="organization" required value={org} onChange={(e) => setOrg(e.target.value)} />}
        </Field>
        <Field label="Username">{(p) => <input {...p} name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />}</Field>
        <Field label="Password">
          {(p) => <input {...p} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <ErrorText error={login.error} id="login-error" />
        <button type="submit" disabled={login.pending || !org.trim() || !username || !password}>
          {login.pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
