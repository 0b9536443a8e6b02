import { collectSignals, type ScoringEvent, type ScoringModel, type SignalHit } from '../../shared/scoring/index.ts';

/** What one timeline item says happened: the event's relevant properties, each bounded. */
export type EventDetails = Record<string, string | number | boolean | string[]>;

/** A derived signal as a timeline item shows it. */
export interface DerivedSignal {
  signal: string;
  label: string;
  category: string;
  points: number;
}

const TEXT_MAX = 500;
const CHAT_MAX = 280;
const LIST_MAX = 50;

const PAGE = ['url', 'title', 'path', 'referrer'];
const CLICK = ['text', 'href', 'kind'];
const FORM = ['formId', 'formName', 'fields'];
/** Content, document, email and meeting events: what was read, and what derived rules key on. */
const CONTENT = ['document', 'title', 'name', 'url', 'subject', 'attendees'];
/** Time spent, under the names sources use; shown for every kind. */
const DURATION = ['duration', 'seconds', 'durationSeconds', 'minutes', 'timeOnPage'];

/**
 * The properties of an event that tell a rep what happened, by kind: a page's url, title,
 * path and referrer; a click's text, href and kind; a form's id, name and field names; a
 * chat message's text; other events' document, title, name, url (and email subject,
 * meeting attendees); durations wherever present. Texts are cut at 500 characters (a chat
 * message at 280), lists at 50 entries; objects and empty values are left out.
 */
export function eventDetails(e: ScoringEvent): EventDetails {
  const p = e.properties ?? {};
  const out: EventDetails = {};
  const pick = (keys: readonly string[], max = TEXT_MAX) => {
    for (const key of keys) {
      const value = bounded(p[key], max);
      if (value !== undefined && !(key in out)) out[key] = value;
    }
  };
  if (e.type === 'page' || e.type === 'screen') {
    const title = bounded(p.title ?? e.name, TEXT_MAX);
    const fallback = { url: bounded(e.url, TEXT_MAX), title, path: bounded(e.path, TEXT_MAX) };
    pick(PAGE);
    for (const [key, value] of Object.entries(fallback)) if (value !== undefined && !(key in out)) out[key] = value;
  } else if (e.type === 'track') {
    if (e.event === 'Element Clicked') pick(CLICK);
    else if (e.event === 'Form Started' || e.event === 'Form Submitted') pick(FORM);
    else if (e.event === 'Chat Message') pick(['text'], CHAT_MAX);
    else pick(CONTENT);
  }
  pick(DURATION);
  return out;
}

function bounded(value: unknown, max: number): string | number | boolean | string[] | undefined {
  if (typeof value === 'string') return value === '' ? undefined : cut(value, max);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    const texts = value.filter((v): v is string => typeof v === 'string' && v !== '').slice(0, LIST_MAX);
    return texts.length > 0 ? texts.map((v) => cut(v, TEXT_MAX)) : undefined;
  }
  return undefined;
}

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * The derived signals (3+ pages in a session, return visit, ...) that arose at each event,
 * by the event's id: the pure model run over one person's `history`, oldest first. Derivation
 * only looks backwards, so a history that ends with the page's events and starts early
 * enough before them gives the signals the person's whole history would.
 */
export function derivedByEvent(history: readonly ScoringEvent[], model: ScoringModel): Map<string, DerivedSignal[]> {
  const byEvent = new Map<string, DerivedSignal[]>();
  for (const hit of collectSignals(history, model)) {
    if (!hit.derived) continue;
    const list = byEvent.get(hit.eventId);
    if (list) list.push(toDerived(hit));
    else byEvent.set(hit.eventId, [toDerived(hit)]);
  }
  return byEvent;
}

const toDerived = (h: SignalHit): DerivedSignal => ({
  signal: h.signal,
  label: h.label,
  category: h.category,
  points: h.points,
});
