import { userInputSchema } from '../dashboard/users.ts';
import { siteInputSchema, siteUpdateSchema } from './admin.ts';
import { healthAnswer, siteAnswer, siteCreatedAnswer, sitesAnswer, userCreatedAnswer } from './answers.ts';
import { answer, content, errors, ref } from './openapi-parts.ts';

/**
 * The OpenAPI paths of operations (health, the SDK and the demo site, metrics, this
 * document) and of the admin API (sites and their dashboard users, `INKLING_ADMIN_TOKEN`).
 */
export const operationPaths = {
  '/healthz': {
    get: {
      summary: 'The process answers',
      responses: { 200: { description: 'Up', content: answer(healthAnswer) } },
    },
  },
  '/readyz': {
    get: {
      summary: 'The database answers too',
      responses: {
        200: { description: 'Ready', content: answer(healthAnswer) },
        503: { description: 'Not ready', content: answer(healthAnswer) },
      },
    },
  },
  '/inkling.js': {
    get: {
      summary: 'The browser SDK (ETag, 304)',
      responses: { 200: { description: 'Script', content: { 'text/javascript': { schema: { type: 'string' } } } } },
    },
  },
  '/examples': {
    get: { summary: 'Redirects to /examples/', responses: { 301: { description: 'To /examples/' } } },
  },
  '/examples/{path}': {
    get: {
      summary: 'The demo site (`?key=` sets its write key)',
      parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 200: { description: 'Page', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics (unauthenticated: counts and latencies, no event data)',
      responses: {
        200: {
          description: 'The Prometheus text format',
          content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } },
        },
      },
    },
  },
  '/openapi.json': {
    get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } },
  },
  '/v1/admin/sites': {
    post: {
      summary: 'Creates a site with its keys',
      security: [{ adminToken: [] }],
      requestBody: { required: true, content: content(siteInputSchema) },
      responses: { 201: { description: 'Created', content: answer(siteCreatedAnswer) }, ...errors },
    },
    get: {
      summary: 'Lists sites',
      security: [{ adminToken: [] }],
      responses: { 200: { description: 'Sites', content: answer(sitesAnswer) }, 401: errors[401] },
    },
  },
  '/v1/admin/sites/{siteId}': {
    patch: {
      summary: "Changes a site's settings (its event retention)",
      security: [{ adminToken: [] }],
      parameters: [{ name: 'siteId', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: { required: true, content: content(siteUpdateSchema) },
      responses: {
        200: { description: 'The site', content: answer(siteAnswer) },
        ...errors,
        404: { description: 'No such site', content: ref('Error') },
      },
    },
  },
  '/v1/admin/sites/{siteId}/users': {
    post: {
      summary: 'Creates a dashboard user of the site (admin or rep)',
      security: [{ adminToken: [] }],
      parameters: [{ name: 'siteId', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: { required: true, content: content(userInputSchema) },
      responses: {
        201: { description: 'Created', content: answer(userCreatedAnswer) },
        ...errors,
        404: { description: 'No such site', content: ref('Error') },
        409: { description: 'The site already has a user with this email', content: ref('Error') },
      },
    },
  },
};
