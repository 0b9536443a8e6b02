/**
 * The script-tag build (`/inkling.js`). Its data- attributes are the options (`data-key`,
 * `data-api`, `data-autocapture`, `data-respect-dnt`, `data-cookie-domain`,
 * `data-strip-params`); the calls the snippet queued before load are replayed first; then
 * `inkling(method, ...args)` calls the tracker:
 *
 * <script>window.inkling=window.inkling||function(){(inkling.q=inkling.q||[]).push(arguments)}</script>
 * <script async src="https://COLLECTOR/inkling.js" data-key="pk_..."></script>
 */
import { doc, safe, win } from './env.ts';
import { call, createInkling } from './inkling.ts';

type Stub = ((...args: unknown[]) => void) & { q?: IArguments[]; l?: 1 };

safe(() => {
  const w = win as unknown as { inkling?: Stub };
  // Loaded twice (two tags, a tag manager): the first copy keeps the page.
  if (w.inkling?.l) return;
  const s = doc.currentScript as HTMLScriptElement;
  const ink = createInkling({ api: new URL(s.src).origin, ...s.dataset, queue: w.inkling?.q });
  const inkling: Stub = (...args) => call(ink, args);
  inkling.l = 1;
  w.inkling = inkling;
})();
