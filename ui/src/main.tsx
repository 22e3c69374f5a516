import { render } from 'preact';
import './style.css';
import { useRoute } from './hooks';
import { DeploymentsPage } from './views/Deployments';
import { DeploymentPage } from './views/Deployment';
import { MeshPage } from './views/Mesh';
import { RolloutPage, RolloutsPage } from './views/Rollouts';
import { PlanPage } from './views/Plan';
import { ActivityPage } from './views/Activity';

const SECTIONS = [
  { path: 'deployments', label: 'Deployments' },
  { path: 'mesh', label: 'Mesh' },
  { path: 'rollouts', label: 'Rollouts' },
  { path: 'activity', label: 'Activity' },
  { path: 'plan', label: 'Plan & deploy' },
];

function App() {
  const route = useRoute();
  const [section = 'deployments', ...rest] = route;
  let page;
  if (section === 'deployments' && rest[0]) page = <DeploymentPage key={rest[0]} id={rest[0]} />;
  else if (section === 'mesh') page = <MeshPage />;
  else if (section === 'rollouts' && rest[0] && rest[1]) page = <RolloutPage key={`${rest[0]}/${rest[1]}`} service={rest[0]} id={rest[1]} />;
  else if (section === 'rollouts') page = <RolloutsPage service={rest[0]} />;
  else if (section === 'plan') page = <PlanPage />;
  else if (section === 'activity') page = <ActivityPage />;
  else page = <DeploymentsPage />;
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById("main")?.focus()}>
        Skip to content
      </button>
      <header>
        <span class="brand">meshctl ui</span>
        <nav aria-label="Sections">
          {SECTIONS.map((s) => (
            <a key={s.path} href={`#/${s.path}`} aria-current={s.path === section ? 'page' : undefined}>
              {s.label}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
