/**
 * The bundler build (`dist/inkling.mjs`): `import { createInkling } from 'inkling'`.
 * Intentionally not exported: the modules behind it (transport, queue, autocapture), which
 * are free to change.
 */
export { createInkling, type Inkling, type InklingOptions } from './inkling.ts';
export type { Intent } from './personalize.ts';
