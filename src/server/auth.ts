/**
 * Request authentication: `Authorization: Bearer <session token or personal API token>`,
 * resolved by the control plane. Nothing about the token is logged or echoed back.
 */
import type { IncomingMessage } from 'node:http';
import type { Actor, ControlPlane } from '../control/plane.js';
import { FerryError } from '../errors.js';

/** The bearer token of a request, or null when there is none. */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}

/** Resolves the request's bearer token to an actor; 401 (`auth.*`) when it is missing or not valid. */
export async function authenticateRequest(plane: ControlPlane, req: IncomingMessage): Promise<Actor> {
  const token = bearerToken(req);
  if (!token) {
    throw new FerryError('forbidden', 'auth.missing_token', 'sign in first: send Authorization: Bearer <token> with a token from POST /auth/login or a personal API token');
  }
  return plane.authenticate(token);
}
