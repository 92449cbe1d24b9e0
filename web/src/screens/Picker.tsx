/** Org → workspace → project: the projects the caller may read, grouped by workspace; an org_admin creates both. */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useSession } from '../session';
import type { Project, Workspace } from '../types';
import { ErrorText, Field, Loading, useAction, useLoad } from '../ui';

export function Picker() {
  const { permissions } = useSession();
  const data = useLoad(() => Promise.all([api<Workspace[]>('GET', '/workspaces'), api<Project[]>('GET', '/projects')]), []);
  if (!data.data) return <Loading what="projects" error={data.error} />;
  const [workspaces, projects] = data.data;
  const manage = permissions.has('workspace.manage');
  return (
    <>
      <h1>Projects</h1>
      {projects.length === 0 ? <p>You have no project yet. {manage ? 'Create a workspace and a project below.' : 'An org_admin creates projects and grants roles on them.'}</p> : null}
      {workspaces.map((w) => {
        const mine = projects.filter((p) => p.workspaceId === w.id);
        if (mine.length === 0 && !manage) return null;
        return (
          <section key={w.id} className="card" aria-labelledby={`ws-${w.id}`}>
            <h2 id={`ws-${w.id}`}>Workspace: {w.name}</h2>
            <ul className="plain">
              {mine.map((p) => (
                <li key={p.id}>
                  <a className="project-link" href={`#/p/${p.id}`}>
                    {p.name}
                  </a>{' '}
                  <span className="hint">{p.id}</span>
                </li>
              ))}
            </ul>
            {manage ? <Create label={`New project in ${w.name}`} button="Create project" path={`/workspaces/${w.id}/projects`} onCreated={data.reload} /> : null}
          </section>
        );
      })}
      {manage ? (
        <section className="card" aria-labelledby="new-ws">
          <h2 id="new-ws">New workspace</h2>
          <Create label="Workspace name" button="Create workspace" path="/workspaces" onCreated={data.reload} />
        </section>
      ) : null}
    </>
  );
}

function Create({ label, button, path, onCreated }: { label: string; button: string; path: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const create = useAction(() => api('POST', path, { name }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if ((await create.run()) !== undefined) {
      setName('');
      onCreated();
    }
  };
  return (
    <form className="filters" onSubmit={submit}>
      <Field label={label} error={create.error?.issues.find((i) => i.path === 'name')?.message}>
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <div className="field">
        <button type="submit" disabled={create.pending || !name.trim()}>
          {button}
        </button>
      </div>
      <ErrorText error={create.error?.issues.length ? null : create.error} />
    </form>
  );
}
