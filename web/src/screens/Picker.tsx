/** Org → workspace → project: the projects the caller may read, grouped by workspace. */
import { api } from '../api';
import type { Project, Workspace } from '../types';
import { Loading, useLoad } from '../ui';

export function Picker() {
  const data = useLoad(() => Promise.all([api<Workspace[]>('GET', '/workspaces'), api<Project[]>('GET', '/projects')]), []);
  if (!data.data) return <Loading what="projects" error={data.error} />;
  const [workspaces, projects] = data.data;
  return (
    <>
      <h1>Projects</h1>
      {projects.length === 0 ? <p>You have no project yet. An org_admin creates projects and grants roles on them.</p> : null}
      {workspaces.map((w) => {
        const mine = projects.filter((p) => p.workspaceId === w.id);
        if (mine.length === 0) return null;
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
          </section>
        );
      })}
    </>
  );
}
