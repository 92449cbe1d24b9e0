/** Sign in with username and password (POST /auth/login); the token stays in this tab only. */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorText, Field, useAction } from '../ui';

export function Login({ onSignedIn }: { onSignedIn: (token: string, username: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useAction((u: string, p: string) => api<{ token: string }>('POST', '/auth/login', { username: u, password: p }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await login.run(username, password);
    if (r) onSignedIn(r.token, username);
  };
  return (
    <main id="main" className="login">
      <h1>Sign in to Ferry</h1>
      <p className="hint">Contract-driven migration of hospital data. Use the account your Ferry administrator gave you.</p>
      <form onSubmit={submit} aria-describedby={login.error ? 'login-error' : undefined} noValidate>
        <Field label="Username">{(p) => <input {...p} name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />}</Field>
        <Field label="Password">{(p) => <input {...p} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}</Field>
        <ErrorText error={login.error} id="login-error" />
        <button type="submit" disabled={login.pending || !username || !password}>
          {login.pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
