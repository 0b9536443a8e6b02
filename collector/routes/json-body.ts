import { InklingError } from '../errors.ts';

/** A request's body as JSON, or `400 invalid_json` (the Sales and admin APIs' one answer to a body that is not JSON). */
export async function jsonBody(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  return c.req.json().catch(() => {
    throw new InklingError(400, 'invalid_json', 'Body is not valid JSON.');
  });
}
