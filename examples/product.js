// A tiny single-page app: the tabs change the URL with history.pushState.
const text = {
  overview: 'Capture, score and act on first-party intent.',
  scoring: 'Weight × recency × frequency × diversity, 0–100.',
  alerts: 'Threshold, spike and behavioural triggers, delivered as signed webhooks.',
};
const show = (route) => {
  document.getElementById('panel').textContent = text[route] || text.overview;
  document.title = `Product tour: ${route} — Acme Analytics`;
};
const current = () => new URLSearchParams(location.search).get('tab') || 'overview';

document.querySelector('.tabs').addEventListener('click', (e) => {
  const a = e.target.closest('a[data-route]');
  if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  show(a.dataset.route);
  history.pushState({ route: a.dataset.route }, '', a.getAttribute('href'));
});
window.addEventListener('popstate', () => show(current()));
show(current());
