import { describe, expect, it } from 'vitest';
import { html, jsonScript, linkOrText, safeHref, trusted } from './html.ts';

describe('the html template', () => {
  it('should escape every interpolation, in text and in attributes', () => {
    const name = `<script>alert('x')</script>`;
    const attr = `" onmouseover="alert(1)`;
    expect(html`<td title="${attr}">${name}</td>`.value).toBe(
      '<td title="&quot; onmouseover=&quot;alert(1)">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>',
    );
    expect(html`${'a & b `c`'}`.value).toBe('a &amp; b &#96;c&#96;');
  });

  it('should insert nested templates and trusted markup as they are, join arrays and drop empty values', () => {
    const items = ['<b>', 'ok'].map((s) => html`<li>${s}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}${trusted('<hr>')}`.value).toBe(
      '<ul><li>&lt;b&gt;</li><li>ok</li></ul>0<hr>',
    );
  });
});

describe('links', () => {
  it('should link only http(s) URLs and local paths', () => {
    expect(safeHref('https://acme.example/pricing?a=1')).toBe('https://acme.example/pricing?a=1');
    expect(safeHref('/dashboard/accounts/a1')).toBe('/dashboard/accounts/a1');
    for (const bad of [
      'javascript:alert(1)',
      ' JaVaScRiPt:alert(1)',
      'java\nscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      '//evil.example/x',
      '/\\evil.example',
      'mailto:a@b.example',
      42,
      null,
    ]) {
      expect(safeHref(bad), String(bad)).toBeNull();
    }
  });

  it('should show an unsafe URL as text, never as a link', () => {
    expect(linkOrText('javascript:alert(1)', 'click').value).toBe('click');
    expect(linkOrText('https://acme.example/"x', 'go').value).toBe(
      '<a href="https://acme.example/%22x" rel="noopener noreferrer nofollow">go</a>',
    );
  });
});

describe('jsonScript', () => {
  it('should keep a stored string from closing the script element, and parse back to the same data', () => {
    const data = { name: '</script><script>alert(1)</script>', amp: 'a&b', sep: '\u2028' };
    const block = jsonScript('d', data).value;
    expect(block).not.toContain('</script><script>');
    expect(block.match(/<\/script>/g)).toHaveLength(1);
    const json = /<script type="application\/json" id="d">(.*)<\/script>/s.exec(block)?.[1] ?? '';
    expect(JSON.parse(json)).toEqual(data);
  });
});
