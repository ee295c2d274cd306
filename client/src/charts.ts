/**
 * Draws chart specs with chart.js. Only the parts used are registered (bar and line
 * charts on category/linear scales, tooltip and legend), which keeps the bundle small.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { ChartSpec, SeriesColour } from './chart-data.js';
import type { Theme } from './teams.js';

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
);

interface Palette {
  text: string;
  grid: string;
  series: Record<SeriesColour, string>;
}

// Severity colours run hot to cool; each theme keeps them distinguishable on its background.
export const PALETTES: Record<Theme, Palette> = {
  default: {
    text: '#242424',
    grid: '#e0e0e0',
    series: {
      P0: '#c4314b',
      P1: '#e97548',
      P2: '#d6a100',
      P3: '#3f8a5f',
      P4: '#2f6fb3',
      unknown: '#8a8886',
      median: '#5b5fc7',
      p90: '#c4314b',
      opened: '#e97548',
      closed: '#3f8a5f',
      backlog: '#5b5fc7',
      count: '#5b5fc7',
    },
  },
  dark: {
    text: '#f0f0f0',
    grid: '#3d3d3d',
    series: {
      P0: '#f1707b',
      P1: '#f4a261',
      P2: '#f2d675',
      P3: '#7fd1a1',
      P4: '#7fb5ee',
      unknown: '#b3b0ad',
      median: '#9ea2ff',
      p90: '#f1707b',
      opened: '#f4a261',
      closed: '#7fd1a1',
      backlog: '#9ea2ff',
      count: '#9ea2ff',
    },
  },
  contrast: {
    text: '#ffffff',
    grid: '#ffffff',
    series: {
      P0: '#ff5c5c',
      P1: '#ffa500',
      P2: '#ffff00',
      P3: '#3ff23f',
      P4: '#1aebff',
      unknown: '#ffffff',
      median: '#1aebff',
      p90: '#ffff00',
      opened: '#ffff00',
      closed: '#3ff23f',
      backlog: '#1aebff',
      count: '#1aebff',
    },
  },
};

export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec, theme: Theme): Chart {
  const palette = PALETTES[theme];
  const axis = (stacked: boolean, title?: string) => ({
    stacked,
    beginAtZero: true,
    ticks: { color: palette.text, precision: 0 },
    grid: { color: palette.grid },
    ...(title ? { title: { display: true, text: title, color: palette.text } } : {}),
  });
  const config: ChartConfiguration<'bar' | 'line', Array<number | null>, string> = {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s, index) => ({
        type: s.kind,
        label: s.label,
        data: s.data,
        backgroundColor: palette.series[s.colour],
        borderColor: palette.series[s.colour],
        borderWidth: s.kind === 'line' ? 2 : 0,
        pointRadius: s.kind === 'line' ? 2 : 0,
        spanGaps: true,
        order: s.kind === 'line' ? 0 : index + 1,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: spec.horizontal ? 'y' : 'x',
      plugins: {
        legend: { display: spec.series.length > 1, labels: { color: palette.text, boxWidth: 12 } },
        tooltip: { enabled: true },
      },
      scales: spec.horizontal
        ? { x: axis(false, spec.unit), y: { ...axis(false), beginAtZero: false } }
        : { x: { ...axis(spec.stacked), beginAtZero: false }, y: axis(spec.stacked, spec.unit) },
    },
  };
  return new Chart(canvas, config as ChartConfiguration);
}
