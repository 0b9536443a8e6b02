/**
 * The head snippet for flicker-free personalization (`data-inkling-show` /
 * `data-inkling-hide`), which a page puts in its `<head>` before the Inkling snippet. Not part
 * of the bundle: the script tag is `async`, so whatever must hold before the first paint has
 * to be inline in the page. The README and the example site carry it verbatim (a test checks).
 *
 * - The style hides, for each tier, the elements not meant for it (`display: none`), keyed
 *   on the `inkling-tier-<tier>` class of `<html>`; while `<html>` has no tier class yet,
 *   every personalized element is invisible (`visibility: hidden`, its space kept).
 * - The script applies the tier cached by the last visit (localStorage `ink_t`, written by
 *   sdk/personalize.ts) at once, and after FALLBACK_MS sets the low tier if nothing set a
 *   tier: when the collector is slow or down, /inkling.js itself may never arrive.
 */

/** The tiers of CONTRACT "Tier lookup". */
export const TIERS = ['low', 'medium', 'high'] as const;

/** How long personalized elements may stay hidden before the low tier's content shows. */
export const FALLBACK_MS = 1000;

const hide = TIERS.map(
  (t) =>
    `.inkling-tier-${t} [data-inkling-show]:not([data-inkling-show~=${t}]),.inkling-tier-${t} [data-inkling-hide~=${t}]`,
).join(',');
const unknown = 'html:not([class*=inkling-tier-])';

/** The `<style>` element. */
export const PERSONALIZATION_STYLE = `<style>${hide}{display:none!important}${unknown} [data-inkling-show],${unknown} [data-inkling-hide]{visibility:hidden}</style>`;

/** The `<script>` element. */
export const PERSONALIZATION_SCRIPT = `<script>((h)=>{try{const t=JSON.parse(localStorage.ink_t).tier;t&&(h.className+=\` inkling-tier-\${t}\`)}catch{}setTimeout(()=>/inkling-tier-/.test(h.className)||(h.className+=' inkling-tier-low'),${FALLBACK_MS})})(document.documentElement)</script>`;

/** Both, one per line, as a page's `<head>` carries them. */
export const PERSONALIZATION_SNIPPET = `${PERSONALIZATION_STYLE}\n${PERSONALIZATION_SCRIPT}`;
