import { Hono } from 'hono';
import { z } from 'zod';
import { scoringConfigSchema } from '../../shared/scoring/config.ts';
import { batchEnvelopeSchema, messageSchema } from '../ingest/schema.ts';
import { siteInputSchema } from './admin.ts';
import { intentQuerySchema, intentSchema } from './intent.ts';
import { createdLinkSchema, createLinkSchema } from './links.ts';

/** A request body or answer as the validator sees it (input side: before transforms). */
const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
/**
 * Messages use the output side: their ids are `string | number` piped into a bounded
 * string, and only the output side carries the bound (numbers are also accepted, as strings).
 */
const jsonOut = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
const content = (schema: z.ZodType) => ({ 'application/json': { schema: json(schema) } });
const ref = (name: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } });

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const ingestAnswerSchema = z.object({
  success: z.literal(true),
  accepted: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), messageId: z.string().nullable(), error: z.string() })),
  intent: intentSchema.optional(),
});

const errors = {
  400: { description: 'Invalid request', content: ref('Error') },
  401: { description: 'Missing or unknown key', content: ref('Error') },
};

const writeKey = [{ writeKeyBasic: [] }, { writeKeyQuery: [] }];
const secretKey = [{ secretKey: [] }];

const single = (type: string) => ({
  post: {
    summary: `One ${type} message`,
    security: writeKey,
    requestBody: { required: true, content: ref('Message') },
    responses: { 200: { description: 'Stored', content: ref('IngestResponse') }, ...errors },
  },
});

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
        writeKeyBasic: { type: 'http', scheme: 'basic', description: 'Write key as the username' },
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
      '/v1/batch': {
        post: {
          summary: 'A batch of messages',
          security: writeKey,
          requestBody: { required: true, content: ref('Batch') },
          responses: { 200: { description: 'Stored', content: ref('IngestResponse') }, ...errors },
        },
      },
      '/v1/track': single('track'),
      '/v1/page': single('page'),
      '/v1/identify': single('identify'),
      '/v1/group': single('group'),
      '/v1/alias': single('alias'),
      '/v1/screen': single('screen'),
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
      '/l/{slug}': {
        get: {
          summary: 'Records the open and redirects with ink_lnk',
          parameters: [{ name: 'slug', in: 'path', required: true, schema: { type: 'string' } }],
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
      '/v1/admin/sites': {
        post: {
          summary: 'Creates a site with its keys',
          security: [{ adminToken: [] }],
          requestBody: { required: true, content: content(siteInputSchema) },
          responses: { 201: { description: 'Created' }, ...errors },
        },
        get: {
          summary: 'Lists sites',
          security: [{ adminToken: [] }],
          responses: { 200: { description: 'Sites' }, 401: errors[401] },
        },
      },
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
