import { Hono } from 'hono';
import { z } from 'zod';
import { LINK_PARAM, LINK_PATH, MAX_SLUG_LENGTH } from '../../shared/links.ts';
import { scoringConfigSchema } from '../../shared/scoring/config.ts';
import { ROUTES } from '../ingest/paths.ts';
import { batchEnvelopeSchema, messageSchema } from '../ingest/schema.ts';
import { listQuerySchema, pageQuerySchema } from '../sales/list-params.ts';
import {
  accountAnswer,
  accountsPage,
  calibrationAnswer,
  erasureAnswer,
  intentSchema,
  peoplePage,
  personAnswer,
  ruleStatsAnswer,
  timelinePage,
} from './answers.ts';
import { calibrationQuerySchema } from './calibration.ts';
import { exportQuerySchema } from './export.ts';
import { intentQuerySchema } from './intent.ts';
import { createdLinkSchema, createLinkSchema } from './links.ts';
import { operationPaths } from './openapi-operations.ts';
import {
  answer,
  content,
  errorSchema,
  errors,
  idParam,
  ingestAnswerSchema,
  json,
  jsonOut,
  notFound,
  queryParams,
  ref,
} from './openapi-parts.ts';
import { ownerBodySchema } from './owners.ts';
import { ruleAnswer, ruleInputSchema, rulesAnswer } from './rule-schema.ts';
import { ruleStatsQuerySchema } from './rule-stats.ts';

const personRef = 'person id, userId or anonymousId';
const accountRef = 'account id, domain, groupId, or a name it absorbed in a merge';

const writeKey = [{ writeKeyBasic: [] }, { writeKeyQuery: [] }];
const secretKey = [{ secretKey: [] }];

/** `PUT` of a person's or an account's owner: answers the whole record, as GET does. */
const putOwner = (what: string, ref: string, schema: z.ZodType) => ({
  summary: `Sets (or, with null, clears) the ${what}'s owner: an email, alerts route to it`,
  security: secretKey,
  parameters: [idParam(ref)],
  requestBody: { required: true, content: content(ownerBodySchema) },
  responses: { 200: { description: `The ${what}`, content: answer(schema) }, ...errors, ...notFound },
});

const single = (type: string) => ({
  post: {
    summary: `One ${type} message`,
    security: writeKey,
    requestBody: { required: true, content: ref('Message') },
    responses: { 200: { description: 'Stored', content: ref('IngestResponse') }, ...errors },
  },
});

const batch = {
  post: {
    summary: 'A batch of messages',
    security: writeKey,
    requestBody: { required: true, content: ref('Batch') },
    responses: { 200: { description: 'Stored', content: ref('IngestResponse') }, ...errors },
  },
};

/**
 * The OpenAPI 3.1 document, built from the same zod schemas that validate requests, so the
 * two cannot drift. Built once: the schemas are static.
 */
export function buildOpenApi() {
  return {
    openapi: '3.1.0',
    info: { title: 'Inkling collector', version: '1' },
    components: {
      securitySchemes: {
        writeKeyBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'Write key as the username (or, from a server, the secret key: trusted identity links)',
        },
        writeKeyQuery: { type: 'apiKey', in: 'query', name: 'key' },
        secretKey: { type: 'http', scheme: 'bearer', description: 'Secret key sk_...' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'INKLING_ADMIN_TOKEN' },
      },
      schemas: {
        Message: jsonOut(messageSchema),
        Batch: jsonOut(batchEnvelopeSchema),
        IngestResponse: json(ingestAnswerSchema),
        Intent: json(intentSchema),
        Error: json(errorSchema),
      },
    },
    paths: {
      // Every ingest path, long and short: a batch envelope or one message.
      ...Object.fromEntries(
        Object.entries(ROUTES).map(([name, kind]) => [`/v1/${name}`, kind === 'batch' ? batch : single(kind)]),
      ),
      '/v1/intent': {
        get: {
          summary: "The visitor's own tier (neutral for an unknown id)",
          security: writeKey,
          parameters: [
            { name: 'anonymousId', in: 'query', required: true, schema: json(intentQuerySchema.shape.anonymousId) },
          ],
          responses: { 200: { description: 'Intent', content: ref('Intent') }, ...errors },
        },
      },
      '/v1/links': {
        post: {
          summary: 'A tracked link',
          security: secretKey,
          requestBody: { required: true, content: content(createLinkSchema) },
          responses: { 201: { description: 'Created', content: content(createdLinkSchema) }, ...errors },
        },
      },
      [`${LINK_PATH}{slug}`]: {
        get: {
          summary: `Records the open and redirects with ${LINK_PARAM}`,
          parameters: [
            { name: 'slug', in: 'path', required: true, schema: { type: 'string', maxLength: MAX_SLUG_LENGTH } },
          ],
          responses: {
            302: { description: 'Redirect to the link' },
            404: { description: 'Unknown slug', content: ref('Error') },
          },
        },
      },
      '/v1/config': {
        get: {
          summary: "The site's scoring model",
          security: secretKey,
          responses: { 200: { description: 'Model', content: content(scoringConfigSchema) }, ...errors },
        },
        put: {
          summary: 'Replaces the scoring model and rescores',
          security: secretKey,
          requestBody: { required: true, content: content(scoringConfigSchema) },
          responses: { 200: { description: 'Saved' }, ...errors },
        },
      },
      '/v1/people': {
        get: {
          summary: "A page of the site's people, by score",
          security: secretKey,
          parameters: queryParams(listQuerySchema),
          responses: { 200: { description: 'People', content: answer(peoplePage) }, ...errors },
        },
      },
      '/v1/people/{id}': {
        get: {
          summary: 'A person: ids, traits, account, score, tier, type, trend, change7d, explanation',
          security: secretKey,
          parameters: [idParam(personRef)],
          responses: { 200: { description: 'Person', content: answer(personAnswer) }, ...errors, ...notFound },
        },
        put: putOwner('person', personRef, personAnswer),
        delete: {
          summary: "Erases the person's events, identities, scores and what names them",
          security: secretKey,
          parameters: [idParam(personRef)],
          responses: { 200: { description: 'Erased', content: answer(erasureAnswer) }, ...errors, ...notFound },
        },
      },
      '/v1/people/{id}/signals': {
        get: {
          summary: "The person's events, newest first, each with its signal, details and derived signals",
          security: secretKey,
          parameters: [idParam(personRef), ...queryParams(pageQuerySchema)],
          responses: { 200: { description: 'Timeline', content: answer(timelinePage) }, ...errors, ...notFound },
        },
      },
      '/v1/accounts': {
        get: {
          summary: "A page of the site's accounts, by score",
          security: secretKey,
          parameters: queryParams(listQuerySchema),
          responses: { 200: { description: 'Accounts', content: answer(accountsPage) }, ...errors },
        },
      },
      '/v1/accounts/{id}': {
        get: {
          summary: 'An account with its contacts (each with score), signal mix and explanation',
          security: secretKey,
          parameters: [idParam(accountRef)],
          responses: { 200: { description: 'Account', content: answer(accountAnswer) }, ...errors, ...notFound },
        },
        put: putOwner('account', accountRef, accountAnswer),
      },
      '/v1/rules/{id}/stats': {
        get: {
          summary: "A rule's firings by outcome, its deliveries by state, and conversion of fired vs held-out subjects",
          security: secretKey,
          parameters: [idParam('rule id'), ...queryParams(ruleStatsQuerySchema)],
          responses: { 200: { description: 'Stats', content: answer(ruleStatsAnswer) }, ...errors, ...notFound },
        },
      },
      '/v1/calibration': {
        get: {
          summary:
            'How well the scores predicted the outcomes: conversion by tier, lift of each signal, fitted weights (a proposal to review), threshold advice, trigger lift',
          security: secretKey,
          parameters: queryParams(calibrationQuerySchema),
          responses: { 200: { description: 'Report', content: answer(calibrationAnswer) }, ...errors },
        },
      },
      '/v1/accounts/{id}/signals': {
        get: {
          summary: "Every contact's events, newest first, each naming its person",
          security: secretKey,
          parameters: [idParam(accountRef), ...queryParams(pageQuerySchema)],
          responses: { 200: { description: 'Timeline', content: answer(timelinePage) }, ...errors, ...notFound },
        },
      },
      '/v1/export': {
        get: {
          summary: 'A streamed export of scores or signals (CSV or NDJSON)',
          security: secretKey,
          parameters: queryParams(exportQuerySchema),
          responses: {
            200: {
              description: 'One row a line',
              content: {
                'text/csv': { schema: { type: 'string' } },
                'application/x-ndjson': { schema: { type: 'string' } },
              },
            },
            ...errors,
          },
        },
      },
      '/v1/rules': {
        get: {
          summary: "The site's rules (alerts and triggers)",
          security: secretKey,
          responses: { 200: { description: 'Rules', content: answer(rulesAnswer) }, ...errors },
        },
        post: {
          summary: 'Creates a rule; the answer holds its id and signing secret (whsec_...)',
          security: secretKey,
          requestBody: { required: true, content: content(ruleInputSchema) },
          responses: { 201: { description: 'Created', content: answer(ruleAnswer) }, ...errors },
        },
      },
      '/v1/rules/{id}': {
        get: {
          summary: 'A rule',
          security: secretKey,
          parameters: [idParam('rule id')],
          responses: { 200: { description: 'Rule', content: answer(ruleAnswer) }, ...errors, ...notFound },
        },
        put: {
          summary: "Replaces a rule's definition (its id, secret and firings stay)",
          security: secretKey,
          parameters: [idParam('rule id')],
          requestBody: { required: true, content: content(ruleInputSchema) },
          responses: { 200: { description: 'Rule', content: answer(ruleAnswer) }, ...errors, ...notFound },
        },
        delete: {
          summary: 'Deletes a rule and its undelivered messages (its firings stay)',
          security: secretKey,
          parameters: [idParam('rule id')],
          responses: {
            200: { description: 'Deleted', content: answer(z.object({ deleted: z.literal(true) })) },
            ...errors,
            ...notFound,
          },
        },
      },
      ...operationPaths,
    },
  };
}

/** `GET /openapi.json` (no key: it describes the API, holds no data). */
export function openApiRoutes(): Hono {
  const app = new Hono();
  let doc: ReturnType<typeof buildOpenApi> | undefined;
  app.get('/openapi.json', (c) => {
    doc ??= buildOpenApi();
    return c.json(doc);
  });
  return app;
}
