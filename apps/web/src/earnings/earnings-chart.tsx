import { useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { HistoryItem } from '@upstream/api-contract';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { shortHex, units } from '../format';
import { TableScroll } from '../table-scroll';
import { earningsSeries, type EarningsSeries } from './earnings-series';

/** Colours told apart in light and dark, with 3:1 contrast against either background. */
const PALETTE = ['#1a73e8', '#e8710a', '#188038', '#c5221f', '#9334e6', '#b06000', '#007b83', '#d01884'];
const TITLES_LOOKED_UP = 12;

/**
 * A stacked bar chart of earnings per epoch and per dataset for one token (Chart.js, loaded with this
 * component), with its numbers in a table beside it for screen readers and for copying.
 */
export function EarningsChart({ items }: { items: HistoryItem[] }) {
  const epochs = useQuery({
    queryKey: ['epochs', 'chart'],
    queryFn: () => api('listEpochs', { query: { limit: 100 } }),
  });
  const tokens = useMemo(() => [...new Set(items.map((i) => i.token))], [items]);
  const [token, setToken] = useState<string | null>(null);
  const chosen = token ?? tokens[0] ?? null;
  const series = useMemo(
    () => (chosen && epochs.data ? earningsSeries(items, epochs.data.items, chosen) : null),
    [items, epochs.data, chosen],
  );
  const datasetIds = series?.datasets.map((d) => d.datasetId) ?? [];
  const titles = useQueries({
    queries: datasetIds.slice(0, TITLES_LOOKED_UP).map((id) => ({
      queryKey: ['dataset', id],
      queryFn: () => api('getDataset', { params: { id } }),
      staleTime: 60_000,
    })),
  });
  const titleOf = (id: string) => {
    const found = titles.find((q) => q.data?.contentRoot === id)?.data;
    return found ? found.title : shortHex(id);
  };

  if (items.length === 0) return null;
  return (
    <section aria-labelledby="earnings-chart">
      <h2 id="earnings-chart">Earnings per epoch and dataset</h2>
      <ErrorView error={epochs.error} title="The epochs could not be loaded" />
      {tokens.length > 1 && (
        <label>
          Token{' '}
          <select value={chosen ?? ''} onChange={(e) => setToken(e.target.value)}>
            {tokens.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      )}
      {series && series.labels.length > 0 && (
        <>
          <BarChart series={series} titleOf={titleOf} />
          <TableScroll label="Earnings per epoch and dataset">
            <table data-testid="earnings-by-epoch">
              <caption className="visually-hidden">
                Earnings per epoch and dataset, in smallest units of token {series.token}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Dataset</th>
                  {series.labels.map((l) => (
                    <th scope="col" key={l}>
                      {l}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {series.datasets.map((d) => (
                  <tr key={d.datasetId}>
                    <th scope="row">{titleOf(d.datasetId)}</th>
                    {d.amounts.map((a, i) => (
                      <td key={series.labels[i]}>{units(a.toString())}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <p className="muted">
            An epoch settles what was paid up to its basis block; &ldquo;next epoch&rdquo; is what waits for the next
            root. From the latest {items.length} ledger entries.
          </p>
        </>
      )}
    </section>
  );
}

function BarChart({ series, titleOf }: { series: EarningsSeries; titleOf: (id: string) => string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const names = series.datasets.map((d) => titleOf(d.datasetId)).join('\u0000');
  const dark = useDarkScheme();

  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let cancelled = false;
    void (async () => {
      try {
        const { Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip } =
          await import('chart.js');
        if (cancelled || !canvas.current) return;
        Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
        const style = getComputedStyle(document.documentElement);
        const fg = style.getPropertyValue('--fg').trim() || '#1a1c1e';
        const grid = style.getPropertyValue('--border').trim() || '#c9ced3';
        chart = new Chart(canvas.current, {
          type: 'bar',
          data: {
            labels: series.labels,
            datasets: series.datasets.map((d, i) => ({
              label: names.split('\u0000')[i],
              data: d.amounts.map((a) => Number(a)),
              backgroundColor: PALETTE[i % PALETTE.length],
            })),
          },
          options: {
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            color: fg,
            scales: {
              x: { stacked: true, ticks: { color: fg }, grid: { color: grid } },
              y: { stacked: true, beginAtZero: true, ticks: { color: fg }, grid: { color: grid } },
            },
            plugins: { legend: { position: 'bottom', labels: { color: fg } } },
          },
        });
      } catch (e) {
        if (!cancelled) setFailed((e as Error).message);
      }
    })();
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [series, names, dark]);

  const summary = `Stacked bars of earnings per epoch (${series.labels.join(', ')}), one colour per dataset; ${units(
    series.total.toString(),
  )} in all. The table below has the numbers.`;
  return (
    <div className="chart-box">
      {failed ? (
        <p role="alert" className="error">
          The chart could not be drawn: {failed}
        </p>
      ) : (
        <canvas ref={canvas} role="img" aria-label={summary} data-testid="earnings-chart" />
      )}
    </div>
  );
}

/** Whether the system asks for dark colours now; the chart is redrawn in the scheme's colours when it changes. */
function useDarkScheme(): boolean {
  const query = '(prefers-color-scheme: dark)';
  const [dark, setDark] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const onChange = () => setDark(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return dark;
}
