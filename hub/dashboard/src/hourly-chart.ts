import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { StoreMetrics } from './api.js';

/**
 * Traffic (bars) and conversion (line, right axis) per hour, from GET /stores/:id/metrics/hourly, with hours
 * labelled in the store's time zone. uPlot: ~50 kB, canvas, no dependencies (docs/drafts/dashboard.md).
 */
export function createHourlyChart(root: HTMLElement) {
  let plot: uPlot | null = null;
  let zone = '';

  function opts(width: number, timeZone: string): uPlot.Options {
    return {
      width,
      height: 220,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, pct: { range: [0, 100] } },
      series: [
        {},
        {
          label: 'Visitors',
          stroke: '#2563eb',
          fill: 'rgba(37,99,235,0.35)',
          paths: uPlot.paths.bars!({ size: [0.7, 60] }),
          points: { show: false },
        },
        { label: 'Conversion %', stroke: '#d97706', width: 2, scale: 'pct', value: (_u, v) => (v == null ? '–' : `${v.toFixed(1)}%`) },
      ],
      axes: [{}, { label: 'visitors', size: 50 }, { side: 1, scale: 'pct', label: '%', size: 50, grid: { show: false } }],
    };
  }

  return {
    render(hours: StoreMetrics[], timeZone: string): void {
      const xs = hours.map((h) => Date.parse(h.window.from) / 1000);
      const data: uPlot.AlignedData = [xs, hours.map((h) => h.unique_visitors), hours.map((h) => h.conversion_rate * 100)];
      root.dataset.hours = String(hours.length);
      const width = Math.max(280, root.clientWidth || 600);
      if (!plot || zone !== timeZone) {
        plot?.destroy();
        zone = timeZone;
        plot = new uPlot(opts(width, timeZone), data, root);
      } else {
        plot.setData(data);
      }
    },
    resize(): void {
      if (plot) plot.setSize({ width: Math.max(280, root.clientWidth), height: 220 });
    },
  };
}
