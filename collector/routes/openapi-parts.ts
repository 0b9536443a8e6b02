import { z } from 'zod';
import { intentSchema } from './answers.ts';

/**
 * The pieces the OpenAPI document (openapi.ts) is built of: JSON Schemas from the zod
 * schemas that validate requests and answers, and the shared parameters and error answers.
 */

/** A request body or answer as the validator sees it (input side: before transforms). */
export const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
/**
 * Messages use the output side: their ids are `string | number` piped into a bounded
 * string, and only the output side carries the bound (numbers are also accepted, as strings).
 */
export const jsonOut = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
export const content = (schema: z.ZodType) => ({ 'application/json': { schema: json(schema) } });
export const ref = (name: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } });
/** Answers use the output side, where objects are closed: an undocumented field fails validation. */
export const answer = (schema: z.ZodType) => ({ 'application/json': { schema: jsonOut(schema) } });
/** Query parameters from the schema the route parses them with. */
export const queryParams = (schema: z.ZodObject) =>
  Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: json(field as z.ZodType),
  }));
export const idParam = (description: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export const ingestAnswerSchema = z.object({
  success: z.literal(true),
  accepted: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), messageId: z.string().nullable(), error: z.string() })),
  intent: intentSchema.optional(),
});

export const errors = {
  400: { description: 'Invalid request', content: ref('Error') },
  401: { description: 'Missing or unknown key', content: ref('Error') },
};
export const notFound = { 404: { description: 'Not on this site', content: ref('Error') } };
