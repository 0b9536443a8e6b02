// Inkling dashboard: numbers and dates in the visitor's locale, and the charts (uPlot, served
// by the collector). The pages work without this script; it only adds to them.
(() => {
  document.documentElement.classList.add('js');
  const locale = navigator.language || undefined;
  const numbers = new Intl.NumberFormat(locale);
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const dateTimes = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const days = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const clock = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  const day = (seconds) => (seconds == null ? '—' : days.format(new Date(seconds * 1000)));

  const localize = () => {
    for (const el of document.querySelectorAll('[data-num]')) {
      const n = Number(el.getAttribute('data-num'));
      if (Number.isFinite(n)) el.textContent = numbers.format(n);
    }
    for (const el of document.querySelectorAll('time[datetime]')) {
      const d = new Date(el.getAttribute('datetime'));
      if (!Number.isNaN(d.getTime())) {
        el.textContent = (el.getAttribute('data-style') === 'date' ? dates : dateTimes).format(d);
        el.title = d.toISOString();
      }
    }
  };

  const PALETTE = [
    '#3346d3',
    '#d9480f',
    '#2b8a3e',
    '#ae3ec9',
    '#f08c00',
    '#1098ad',
    '#c2255c',
    '#5c940d',
    '#495057',
    '#845ef7',
  ];

  const readData = () => {
    const el = document.getElementById('today-data');
    if (!el) return null;
    try {
      return JSON.parse(el.textContent || 'null');
    } catch {
      return null;
    }
  };

  const charts = [];
  const draw = (el, series, data, opts) => {
    const width = Math.max(260, el.clientWidth);
    const plot = new window.uPlot(
      {
        width,
        height: 220,
        series: [{ label: 'Day', value: (_u, t) => day(t) }, ...series],
        axes: [
          { values: (_u, ticks) => ticks.map(opts.xLabel || day) },
          { values: (_u, ticks) => ticks.map((t) => numbers.format(t)) },
        ],
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, ...(opts.scales || {}) },
      },
      data,
      el,
    );
    charts.push({ el, plot });
  };

  const drawCharts = () => {
    const data = readData();
    if (!data || !window.uPlot) return;
    const volume = document.getElementById('chart-volume');
    if (volume) {
      const series = data.volume.map((v, i) => ({
        label: v.label,
        stroke: PALETTE[i % PALETTE.length],
        width: 2,
        value: (_u, n) => (n == null ? '—' : numbers.format(n)),
      }));
      draw(volume, series, [data.days, ...data.volume.map((v) => v.counts)], {});
    }
    const average = document.getElementById('chart-average');
    if (average) {
      draw(
        average,
        [
          {
            label: 'Average score',
            stroke: '#3346d3',
            width: 2,
            spanGaps: true,
            value: (_u, n) => (n == null ? '—' : numbers.format(n)),
          },
        ],
        [data.days, data.averageScore],
        { scales: { y: { range: [0, 100] } } },
      );
    }
  };

  // The account and person pages: the score over time, tier crossings as points on the line.
  const drawHistory = () => {
    const el = document.getElementById('chart-history');
    const source = document.getElementById('history-data');
    if (!el || !source || !window.uPlot) return;
    let data;
    try {
      data = JSON.parse(source.textContent || 'null');
    } catch {
      return;
    }
    if (!data || data.at.length === 0) return;
    const now = Math.floor(Date.now() / 1000);
    const at = [...data.at, now];
    const score = [...data.score, data.score[data.score.length - 1]];
    const crossings = new Map(data.crossings.map((x) => [x.at, x.score]));
    const marks = at.map((t, i) => (i < data.at.length && crossings.has(t) ? crossings.get(t) : null));
    const fmt = (_u, n) => (n == null ? '—' : numbers.format(n));
    draw(
      el,
      [
        { label: 'Score', stroke: '#3346d3', width: 2, paths: window.uPlot.paths.stepped({ align: 1 }), value: fmt },
        {
          label: 'Tier change',
          stroke: '#b3261e',
          width: 0,
          paths: () => null,
          points: { show: true, size: 9, fill: '#b3261e' },
          value: fmt,
        },
      ],
      [at, score, marks],
      {
        scales: { y: { range: [0, 100] } },
        // Within two days the ticks are hours: label them with the time, not the same day over and over.
        xLabel: now - at[0] < 2 * 86400 ? (t) => (t == null ? '—' : clock.format(new Date(t * 1000))) : day,
      },
    );
  };

  const resize = () => {
    for (const { el, plot } of charts) plot.setSize({ width: Math.max(260, el.clientWidth), height: 220 });
  };

  const start = () => {
    localize();
    drawCharts();
    drawHistory();
    let pending = 0;
    window.addEventListener('resize', () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(resize);
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
