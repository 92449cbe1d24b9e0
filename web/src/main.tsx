/** The Ferry web workbench: sign in, pick a project, and work through the API only. */
import { StrictMode, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { api, getToken, setToken, whenUnauthorised } from './api';
import { ProjectContext, SessionContext, type ProjectScope, type Session } from './session';
import type { Me, Org, Project, ProjectPermissions } from './types';
import { Loading, useLoad, useRoute } from './ui';
import { Login } from './screens/Login';
import { Picker } from './screens/Picker';
import { Versions } from './screens/Versions';
import { Workbench } from './screens/Workbench';
import { DiffView } from './screens/Diff';
import { Runs } from './screens/Runs';
import { Syncs } from './screens/Syncs';
import { RunDetail } from './screens/RunDetail';
import { Release } from './screens/Release';
import { Audit } from './screens/Audit';
import { LineageLookup } from './screens/Lineage';
import { Admin } from './screens/Admin';
import { Wizard } from './screens/Wizard';
import { ProjectSettings } from './screens/ProjectSettings';
import { Hazards } from './screens/Hazards';
import { ReviewPatient } from './screens/ReviewPatient';
import { ReviewDetail, Reviews } from './screens/Reviews';
import './styles.css';

const USER_KEY = 'ferry.username';

function App() {
  const [token, setTok] = useState(getToken());
  useEffect(() => {
    whenUnauthorised(() => {
      setToken(null);
      setTok(null);
    });
  }, []);
  if (!token)
    return (
      <Login
        onSignedIn={(t, username) => {
          setToken(t);
          sessionStorage.setItem(USER_KEY, username);
          setTok(t);
        }}
      />
    );
  return <SignedIn onSignOut={() => setTok(null)} />;
}

function SignedIn({ onSignOut }: { onSignOut: () => void }) {
  const me = useLoad(() => Promise.all([api<Me>('GET', '/auth/me'), api<Org>('GET', '/org')]), []);
  const session = useMemo<Session | null>(() => {
    if (!me.data) return null;
    const [m] = me.data;
    return {
      actor: m.actor,
      username: sessionStorage.getItem(USER_KEY) ?? m.actor.userId,
      permissions: new Set(m.permissions),
      signOut: () => {
        api('POST', '/auth/logout').catch(() => {});
        setToken(null);
        onSignOut();
      },
    };
  }, [me.data, onSignOut]);
  if (!session || !me.data) return <Shell>{<Loading what="your account" error={me.error} />}</Shell>;
  return (
    <SessionContext.Provider value={session}>
      <Shell org={me.data[1]}>
        <Routes />
      </Shell>
    </SessionContext.Provider>
  );
}

function Shell({ org, children }: { org?: Org; children: ReactNode }) {
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to main content
      </a>
      <header className="top">
        <a className="brand" href="#/">
          Ferry
        </a>
        {org ? <span className="org">{org.name}</span> : null}
        <SessionMenu />
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function SessionMenu() {
  const s = useContext(SessionContext);
  if (!s) return null;
  return (
    <nav aria-label="Account" className="account">
      {s.permissions.has('user.read') ? <a href="#/admin">Administration</a> : null}
      <span className="who">Signed in as {s.username}</span>
      <button type="button" className="secondary" onClick={s.signOut}>
        Sign out
      </button>
    </nav>
  );
}

function Routes() {
  const { path, query } = useRoute();
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'admin') return <Admin />;
  if (parts[0] === 'p' && parts[1]) return <ProjectShell projectId={parts[1]} rest={parts.slice(2)} query={query} />;
  return <Picker />;
}

const TABS: Array<{ path: string; label: string; show: (p: ProjectScope) => boolean }> = [
  { path: '', label: 'Contract versions', show: (p) => p.can('contract.read') },
  { path: '/new', label: 'New migration', show: (p) => p.can('contract.submit') },
  { path: '/runs', label: 'Runs', show: (p) => p.can('run.read') },
  { path: '/syncs', label: 'Syncs', show: (p) => p.can('run.read') },
  { path: '/release', label: 'Release board', show: (p) => p.can('release.read') },
  { path: '/audit', label: 'Audit', show: (p) => p.can('audit.read') },
  { path: '/lineage', label: 'Lineage', show: (p) => p.can('run.read') },
  { path: '/hazards', label: 'Hazard log', show: (p) => p.can('safety.read') },
  { path: '/reviews', label: 'Reviews', show: (p) => p.can('review.read') },
  { path: '/settings', label: 'Settings', show: (p) => p.can('project.settings') },
];

function ProjectShell({ projectId, rest, query }: { projectId: string; rest: string[]; query: URLSearchParams }) {
  const loaded = useLoad(() => Promise.all([api<Project>('GET', `/projects/${projectId}`), api<ProjectPermissions>('GET', `/projects/${projectId}/permissions`)]), [projectId]);
  const scope = useMemo<ProjectScope | null>(() => {
    if (!loaded.data) return null;
    const permissions = new Set(loaded.data[1].permissions);
    return { project: loaded.data[0], permissions, can: (p) => permissions.has(p) };
  }, [loaded.data]);
  if (!scope) return <Loading what="the project" error={loaded.error} />;
  const base = `/p/${projectId}`;
  const current = `/${rest[0] ?? ''}`.replace(/^\/$/, '');
  const active = current === '/v' ? '' : current;
  return (
    <ProjectContext.Provider value={scope}>
      <p className="crumbs">
        <a href="#/">Projects</a> › <span>{scope.project.name}</span>
      </p>
      <nav aria-label="Project" className="tabs">
        <ul>
          {TABS.filter((t) => t.show(scope)).map((t) => (
            <li key={t.path}>
              <a href={`#${base}${t.path}`} aria-current={active === t.path ? 'page' : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ProjectPage rest={rest} query={query} />
    </ProjectContext.Provider>
  );
}

function ProjectPage({ rest, query }: { rest: string[]; query: URLSearchParams }) {
  const [section, id, sub] = rest;
  if (section === 'v' && id && sub === 'diff') return <DiffView versionId={id} from={query.get('from')} />;
  if (section === 'v' && id) return <Workbench versionId={id} />;
  if (section === 'new') return <Wizard />;
  if (section === 'runs' && id) return <RunDetail runId={id} />;
  if (section === 'runs') return <Runs />;
  if (section === 'syncs') return <Syncs />;
  if (section === 'release') return <Release />;
  if (section === 'audit') return <Audit />;
  if (section === 'lineage') return <LineageLookup />;
  if (section === 'settings') return <ProjectSettings />;
  if (section === 'hazards') return <Hazards />;
  if (section === 'reviews' && id && sub !== undefined && /^\d+$/.test(sub)) return <ReviewPatient reviewId={id} position={Number(sub)} />;
  if (section === 'reviews' && id) return <ReviewDetail reviewId={id} />;
  if (section === 'reviews') return <Reviews />;
  return <Versions />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
