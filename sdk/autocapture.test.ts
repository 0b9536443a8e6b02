// @vitest-environment happy-dom
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { autocapture } from './autocapture.ts';

// autocapture patches history and listens on the document, once per page: one page, one start.
const views: string[] = [];
const events: [string, Record<string, unknown>][] = [];
const identified: [string, unknown][] = [];

beforeAll(() => {
  autocapture({
    page: () => views.push(location.href),
    track: (event, properties) => events.push([event, properties]),
    identify: (userId, traits) => identified.push([userId, traits]),
    clean_: (url) => new URL(url, location.href).href,
  });
});
beforeEach(() => {
  views.length = 0;
  events.length = 0;
  identified.length = 0;
  document.body.innerHTML = '';
});

const html = (markup: string) => {
  document.body.innerHTML = markup;
};
const el = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector(selector) as T;
const clicks = () => events.filter(([e]) => e === 'Element Clicked').map(([, p]) => p);

describe('page views', () => {
  it('should count pushState to a new URL once, and not a pushState or replaceState that stays', () => {
    history.pushState({}, '', '/pricing');
    history.pushState({ tab: 1 }, '', '/pricing');
    history.replaceState({}, '', '/pricing?sort=asc');
    expect(views).toEqual([`${location.origin}/pricing`]);
  });

  it('should count a replaceState that changes the path', () => {
    history.replaceState({}, '', '/docs/intro');
    expect(views).toEqual([`${location.origin}/docs/intro`]);
  });

  it('should count one view when popstate and hashchange both signal one navigation', () => {
    history.pushState({}, '', '/app#/home');
    views.length = 0;
    history.pushState({}, '', '/app#/settings');
    history.pushState({}, '', '/app#/home');
    views.length = 0;
    // A back navigation: the URL changes, then both events arrive.
    history.replaceState({}, '', '/app#/settings');
    window.dispatchEvent(new PopStateEvent('popstate'));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(views).toEqual([`${location.origin}/app#/settings`]);
  });

  it('should count a page restored from the back/forward cache, and not an ordinary pageshow', () => {
    // (happy-dom's PageTransitionEvent lacks `persisted`: built as a browser delivers it.)
    const pageshow = (persisted: boolean) => Object.assign(new Event('pageshow'), { persisted });
    window.dispatchEvent(pageshow(false));
    expect(views).toEqual([]);
    window.dispatchEvent(pageshow(true));
    expect(views).toEqual([location.href]);
  });

  it('should keep the history API working for the page', () => {
    history.pushState({ n: 7 }, '', '/state-check');
    expect(history.state).toEqual({ n: 7 });
    expect(location.pathname).toBe('/state-check');
  });
});

describe('clicks', () => {
  it('should describe a link click: text trimmed, absolute href, id, short selector', () => {
    html('<a id="go" class="nav primary" href="/pricing">  See   <b>pricing</b>\n </a>');
    el('#go b').click();
    expect(clicks()).toEqual([
      {
        kind: 'link',
        text: 'See pricing',
        href: `${location.origin}/pricing`,
        id: 'go',
        selector: 'a#go',
        outbound: false,
        download: false,
      },
    ]);
  });

  it('should recognise outbound links and downloads', () => {
    html(
      '<a class="out" href="https://elsewhere.example/x">x</a><a href="/files/report.PDF">pdf</a><a href="/get" download>dl</a><a href="mailto:a@b.c">mail</a>',
    );
    // (This page keeps its visitor: happy-dom would otherwise really navigate to mailto: and away.)
    const stay = (e: Event) => e.preventDefault();
    document.addEventListener('click', stay);
    for (const a of document.querySelectorAll('a')) a.click();
    document.removeEventListener('click', stay);
    expect(clicks().map((c) => [c.selector, c.outbound, c.download])).toEqual([
      ['a.out', true, false],
      ['a', false, true],
      ['a', false, true],
      ['a', false, false],
    ]);
  });

  it('should capture buttons, role=button and data-inkling-* elements, with text bounded to 100 characters', () => {
    html(
      `<button id="b">${'Buy '.repeat(40)}</button><input type="submit" value="Send it"><div role="button">Menu</div><div data-inkling-cta="x"><span>Marked</span></div>`,
    );
    el('#b').click();
    el('input').click();
    el('[role=button]').click();
    el('span').click();
    const [b, input, role, marked] = clicks();
    expect(b).toMatchObject({ kind: 'button', id: 'b' });
    expect(String(b?.text).length).toBe(100);
    expect(input).toMatchObject({ kind: 'button', text: 'Send it', selector: 'input' });
    expect(role).toMatchObject({ kind: 'button', text: 'Menu' });
    expect(marked).toMatchObject({ kind: 'other', text: 'Marked', selector: 'div' });
  });

  it('should ignore plain text, personalization-only elements, and right clicks', () => {
    html('<p>text</p><div data-inkling-show="high">offer</div><a id="l" href="/x">x</a>');
    el('p').click();
    el('[data-inkling-show]').click();
    el('#l').dispatchEvent(new MouseEvent('auxclick', { button: 2, bubbles: true }));
    expect(clicks()).toEqual([]);
  });

  it('should capture a middle click (new tab) and never prevent the default action', () => {
    html('<a id="l" href="/x">x</a>');
    const middle = new MouseEvent('auxclick', { button: 1, bubbles: true, cancelable: true });
    el('#l').dispatchEvent(middle);
    const ctrl = new MouseEvent('click', { ctrlKey: true, bubbles: true, cancelable: true });
    el('#l').dispatchEvent(ctrl);
    expect(clicks()).toHaveLength(2);
    expect(middle.defaultPrevented).toBe(false);
    expect(ctrl.defaultPrevented).toBe(false);
  });

  it("should never read a form field's value, even on a marked field", () => {
    html('<input id="t" data-inkling-field="x" value="typed secret"><textarea data-inkling-x>typed too</textarea>');
    el<HTMLInputElement>('#t').value = 'typed secret';
    el('#t').click();
    el('textarea').click();
    expect(JSON.stringify(events)).not.toContain('secret');
  });
});

describe('forms', () => {
  // These pages post in the background, as most marketing forms do (happy-dom would navigate).
  const stay = (e: Event) => e.preventDefault();
  beforeAll(() => document.addEventListener('submit', stay));
  afterAll(() => document.removeEventListener('submit', stay));

  const form = `<form id="f" name="signup" action="/signup">
    <input name="email" data-inkling-identify><input name="password" type="password">
    <input name="plan" type="radio" value="a"><input name="plan" type="radio" value="b"><button>Go</button></form>`;

  it('should send Form Started once, on the first interaction, with field names only', () => {
    html(form);
    const email = el<HTMLInputElement>('[name=email]');
    email.value = 'ada@example.com';
    email.dispatchEvent(new Event('input', { bubbles: true }));
    email.dispatchEvent(new Event('input', { bubbles: true }));
    el('[name=password]').dispatchEvent(new Event('input', { bubbles: true }));
    expect(events).toEqual([
      [
        'Form Started',
        { formId: 'f', formName: 'signup', action: `${location.origin}/signup`, fields: ['email', 'password', 'plan'] },
      ],
    ]);
  });

  it('should identify by the marked field on submit (traits.email for an email) and send no value', () => {
    html(form);
    el<HTMLInputElement>('[name=email]').value = ' ada@example.com ';
    el<HTMLInputElement>('[name=password]').value = 'hunter2';
    el<HTMLFormElement>('form').requestSubmit();
    expect(identified).toEqual([['ada@example.com', { email: 'ada@example.com' }]]);
    expect(events.map(([e]) => e)).toEqual(['Form Submitted']);
    expect(JSON.stringify(events)).not.toContain('ada@');
    expect(JSON.stringify([events, identified])).not.toContain('hunter2');
  });

  it('should identify by a non-email id without traits, and never by a password field', () => {
    html(
      '<form><input name="user" data-inkling-identify value="u-42"></form><form id="p"><input type="password" data-inkling-identify value="hunter2"></form>',
    );
    el<HTMLFormElement>('form').requestSubmit();
    el<HTMLFormElement>('#p').requestSubmit();
    expect(identified).toEqual([['u-42', {}]]);
    expect(JSON.stringify([events, identified])).not.toContain('hunter2');
  });

  it('should send the action without its query, where an earlier GET submission may have left values', () => {
    history.pushState({}, '', '/search?q=private+words');
    html('<form><input name="q"></form>');
    el<HTMLFormElement>('form').requestSubmit();
    expect(events[0]?.[1]).toMatchObject({ action: `${location.origin}/search` });
  });

  it("should read the form's own attributes when fields are named id or action", () => {
    html('<form id="real" action="/real"><input name="id"><input name="action"></form>');
    el<HTMLFormElement>('form').requestSubmit();
    expect(events[0]?.[1]).toMatchObject({
      formId: 'real',
      action: `${location.origin}/real`,
      fields: ['id', 'action'],
    });
  });
});
