/** Administration (org_admin): users, roles, lock/unlock, reset sessions; API tokens for everyone. */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useSession } from '../session';
import { ROLES, type Project, type Role, type TokenCreated, type TokenInfo, type User } from '../types';
import { ErrorText, Field, Loading, useAction, useLoad, when } from '../ui';

export function Admin() {
  const { permissions } = useSession();
  return (
    <>
      <h1>Administration</h1>
      {permissions.has('user.read') ? <Users manage={permissions.has('user.manage')} roles={permissions.has('role.manage')} /> : null}
      <Tokens />
    </>
  );
}

function Users({ manage, roles }: { manage: boolean; roles: boolean }) {
  const users = useLoad(() => api<User[]>('GET', '/users'), []);
  const projects = useLoad(() => api<Project[]>('GET', '/projects'), []);
  const projectName = (id: string | null) => (id ? (projects.data?.find((p) => p.id === id)?.name ?? id) : 'whole org');
  return (
    <section className="card" aria-labelledby="users-h">
      <h2 id="users-h">Users</h2>
      {!users.data ? (
        <Loading what="users" error={users.error} />
      ) : (
        <table className="data" data-testid="users">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Roles</th>
              <th scope="col">State</th>
              {manage ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <UserRow key={u.id} user={u} manage={manage} roles={roles} projects={projects.data ?? []} projectName={projectName} reload={users.reload} />
            ))}
          </tbody>
        </table>
      )}
      {manage ? <CreateUser onCreated={users.reload} /> : null}
    </section>
  );
}

function UserRow({
  user,
  manage,
  roles,
  projects,
  projectName,
  reload,
}: {
  user: User;
  manage: boolean;
  roles: boolean;
  projects: Project[];
  projectName: (id: string | null) => string;
  reload: () => void;
}) {
  const act = useAction(async (path: string, body?: unknown) => {
    await api('POST', `/users/${user.id}${path}`, body);
    reload();
  });
  const [role, setRole] = useState<Role>('viewer');
  const [scope, setScope] = useState('');
  const [note, setNote] = useState<string | null>(null);
  return (
    <tr>
      <th scope="row">
        {user.username}
        <br />
        <span className="hint">{user.id}</span>
      </th>
      <td>
        <ul className="plain">
          {user.grants.map((g) => (
            <li key={`${g.role}${g.projectId}`}>
              {g.role.replace(/_/g, ' ')} <span className="hint">({projectName(g.projectId)})</span>{' '}
              {roles ? (
                <button type="button" className="link" aria-label={`Revoke ${g.role} from ${user.username}`} onClick={() => act.run('/roles/revoke', { role: g.role, projectId: g.projectId })}>
                  revoke
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      </td>
      <td>{user.lockedAt ? <span className="tag tag-fail">locked ({user.lockedReason === 'admin' ? 'by an admin' : 'failed logins'})</span> : <span className="tag tag-pass">active</span>}</td>
      {manage ? (
        <td className="actions-cell">
          {user.lockedAt ? (
            <button type="button" onClick={() => act.run('/unlock')}>
              Unlock {user.username}
            </button>
          ) : (
            <button type="button" className="secondary" onClick={() => act.run('/lock')}>
              Lock {user.username}
            </button>
          )}
          <button
            type="button"
            className="secondary"
            onClick={async () => {
              const r = await act.run('/sessions/reset');
              if (r !== undefined) setNote('Sessions ended.');
            }}
          >
            Reset sessions
          </button>
          <UserTokens user={user} />
          {roles ? (
            <form
              className="inline-form"
              onSubmit={(e: FormEvent) => {
                e.preventDefault();
                act.run('/roles', { role, projectId: scope || null });
              }}
            >
              <Field label={`Role for ${user.username}`}>
                {(p) => (
                  <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="On">
                {(p) => (
                  <select {...p} value={scope} onChange={(e) => setScope(e.target.value)}>
                    <option value="">The whole org</option>
                    {projects.map((pr) => (
                      <option key={pr.id} value={pr.id}>
                        {pr.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <button type="submit">Grant</button>
            </form>
          ) : null}
          {note ? <p role="status">{note}</p> : null}
          <ErrorText error={act.error} />
        </td>
      ) : null}
    </tr>
  );
}

/** A user's API tokens (metadata only), each revocable: shown on demand. */
function UserTokens({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  const tokens = useLoad(() => (open ? api<TokenInfo[]>('GET', `/users/${user.id}/tokens`) : Promise.resolve(null)), [open, user.id]);
  const revoke = useAction(async (id: string) => {
    await api('POST', `/tokens/${id}/revoke`);
    tokens.reload();
  });
  return (
    <>
      <button type="button" className="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
        API tokens of {user.username}
      </button>
      {open ? (
        tokens.data ? (
          tokens.data.length === 0 ? (
            <p className="hint">No API token.</p>
          ) : (
            <ul className="plain" aria-label={`API tokens of ${user.username}`}>
              {tokens.data.map((t) => (
                <li key={t.id}>
                  {t.name}{' '}
                  <span className="hint">
                    created {when(t.createdAt)}, last used {when(t.lastUsedAt)}
                  </span>{' '}
                  {t.revokedAt ? (
                    <span className="tag tag-fail">revoked</span>
                  ) : (
                    <button type="button" className="link" onClick={() => revoke.run(t.id)}>
                      Revoke token {t.name}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        ) : (
          <Loading what="tokens" error={tokens.error} />
        )
      ) : null}
      <ErrorText error={revoke.error} />
    </>
  );
}

function CreateUser({ onCreated }: { onCreated: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const create = useAction(() => api('POST', '/users', { username, password }));
  const issue = (k: string) => create.error?.issues.find((i) => i.path === k)?.message ?? (create.error?.code === 'auth.weak_password' && k === 'password' ? create.error.message : null);
  return (
    <form
      className="filters"
      onSubmit={async (e) => {
        e.preventDefault();
        if ((await create.run()) !== undefined) {
          setUsername('');
          setPassword('');
          onCreated();
        }
      }}
    >
      <h3 className="full">Add a user</h3>
      <Field label="New username" error={issue('username')}>
        {(p) => <input {...p} value={username} autoComplete="off" onChange={(e) => setUsername(e.target.value)} />}
      </Field>
      <Field label="Initial password" hint="At least 12 characters; not a common password, nor containing the user name" error={issue('password')}>
        {(p) => <input {...p} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
      </Field>
      <div className="field">
        <button type="submit" disabled={create.pending || !username || !password}>
          Add user
        </button>
      </div>
      {create.error?.code !== 'auth.weak_password' ? <ErrorText error={create.error} /> : null}
    </form>
  );
}

function Tokens() {
  const tokens = useLoad(() => api<TokenInfo[]>('GET', '/tokens'), []);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const create = useAction(() => api<TokenCreated>('POST', '/tokens', { name }));
  const revoke = useAction(async (id: string) => {
    await api('POST', `/tokens/${id}/revoke`);
    tokens.reload();
  });
  return (
    <section className="card" aria-labelledby="tokens-h">
      <h2 id="tokens-h">Your API tokens</h2>
      <p className="hint">For scripts and CI (FERRY_TOKEN). A token is shown once, when it is created.</p>
      {!tokens.data ? (
        <Loading what="tokens" error={tokens.error} />
      ) : tokens.data.length === 0 ? (
        <p>No token.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.name}</th>
                <td>{when(t.createdAt)}</td>
                <td>{when(t.lastUsedAt)}</td>
                <td>
                  {t.revokedAt ? (
                    <span className="tag tag-fail">revoked</span>
                  ) : (
                    <button type="button" className="secondary" onClick={() => revoke.run(t.id)}>
                      Revoke {t.name}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorText error={revoke.error} />
      <form
        className="filters"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await create.run();
          if (r) {
            setShown(r.token);
            setName('');
            tokens.reload();
          }
        }}
      >
        <Field label="Token name" error={create.error?.issues.find((i) => i.path === 'name')?.message}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <div className="field">
          <button type="submit" disabled={create.pending || !name}>
            Create token
          </button>
        </div>
      </form>
      <ErrorText error={create.error} />
      {shown ? (
        <div role="status" className="ok">
          <p>Copy this token now; it will not be shown again:</p>
          <code className="digest">{shown}</code>
        </div>
      ) : null}
    </section>
  );
}
