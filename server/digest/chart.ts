/**
 * The digest's optional chart: incidents per ISO week, stacked by severity, drawn on the
 * server with chart.js on @napi-rs/canvas (a prebuilt native binary from npm, no
 * browser) and encoded as PNG, because a card can only reference an image by URL.
 */
import { createCanvas } from '@napi-rs/canvas';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Title,
  type ChartItem,
  type Plugin,
} from 'chart.js';
import type { WeekCount } from '../domain/api.js';
import type { SeverityKey } from '../domain/types.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Title);

const SEVERITY_COLOURS: Record<SeverityKey, string> = {
  P0: '#b3261e',
  P1: '#e8710a',
  P2: '#f2b705',
  P3: '#4c8bf5',
  P4: '#7fa7d9',
  unknown: '#9e9e9e',
};
const SEVERITY_ORDER: SeverityKey[] = ['P0', 'P1', 'P2', 'P3', 'P4', 'unknown'];

export interface ChartOptions {
  width?: number;
  height?: number;
  title?: string;
}

/** A white background: a transparent PNG is unreadable on Teams' dark theme. */
const whiteBackground: Plugin<'bar'> = {
  id: 'whiteBackground',
  beforeDraw: (chart) => {
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** The weekly incident counts as a stacked bar chart, PNG bytes. */
export async function renderIncidentsPerWeekPng(weeks: WeekCount[], options: ChartOptions = {}): Promise<Buffer> {
  const width = options.width ?? 720;
  const height = options.height ?? 300;
  const present = SEVERITY_ORDER.filter((severity) => weeks.some((w) => (w.bySeverity[severity] ?? 0) > 0));
  const canvas = createCanvas(width, height);
  const chart = new Chart(canvas.getContext('2d') as unknown as ChartItem, {
    type: 'bar',
    data: {
      labels: weeks.map((w) => w.weekStart.slice(5)),
      datasets: present.map((severity) => ({
        label: severity,
        data: weeks.map((w) => w.bySeverity[severity] ?? 0),
        backgroundColor: SEVERITY_COLOURS[severity],
      })),
    },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: 1,
      scales: {
        x: { stacked: true, title: { display: true, text: 'week starting' } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
      },
      plugins: {
        legend: { display: present.length > 0, position: 'bottom' },
        title: { display: true, text: options.title ?? 'Incidents per week' },
      },
    },
    plugins: [whiteBackground],
  });
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
