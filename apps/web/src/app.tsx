import { lazy, Suspense } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { WalletBar } from './wallet/wallet-bar';
import { CataloguePage } from './pages/catalogue-page';

// The catalogue is in the first chunk; every other page loads when it is opened.
const DatasetPage = lazy(() => import('./pages/dataset-page'));
const AuditPage = lazy(() => import('./pages/audit-page'));
const EarningsPage = lazy(() => import('./pages/earnings-page'));
const ContributePage = lazy(() => import('./pages/contribute-page'));
const LabPage = lazy(() => import('./pages/lab-page'));
const RunPage = lazy(() => import('./pages/run-page'));
const GovernancePage = lazy(() => import('./pages/governance-page'));

const NAV = [
  { href: '/app/datasets', label: 'Catalogue' },
  { href: '/app/contribute', label: 'Contribute' },
  { href: '/app/lab', label: 'Lab' },
  { href: '/app/earnings', label: 'Earnings' },
  { href: '/app/audit', label: 'Audit' },
  { href: '/app/governance', label: 'Governance' },
];

export function App() {
  const [location] = useLocation();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link href="/app/datasets" className="brand">
          Upstream
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={location.startsWith(item.href) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <WalletBar />
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">Loading the page…</p>}>
          <Switch>
            <Route path="/">
              <Redirect to="/app/datasets" replace />
            </Route>
            <Route path="/app">
              <Redirect to="/app/datasets" replace />
            </Route>
            <Route path="/app/datasets" component={CataloguePage} />
            <Route path="/app/datasets/:id">{(params) => <DatasetPage id={params.id} />}</Route>
            <Route path="/app/contribute" component={ContributePage} />
            <Route path="/app/lab" component={LabPage} />
            <Route path="/app/runs/:id">{(params) => <RunPage id={params.id} />}</Route>
            <Route path="/app/earnings" component={EarningsPage} />
            <Route path="/app/audit" component={AuditPage} />
            <Route path="/app/governance" component={GovernancePage} />
            <Route>
              <h1>Page not found</h1>
              <p>
                <Link href="/app/datasets">Back to the catalogue</Link>
              </p>
            </Route>
          </Switch>
        </Suspense>
      </main>
      <footer className="site-footer">
        <p>
          Everything shown here is public and can be re-checked: the API&apos;s OpenAPI document is at{' '}
          <a href="/docs">/docs</a>.
        </p>
      </footer>
    </>
  );
}
