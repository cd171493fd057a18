/**
 * Route options of the console's registry routes (issue 11): the role guard, the bearer security,
 * a tag, and every request and response shape described for /openapi.json — the console's API
 * types are generated from that document (docs/STYLE.md §11), so nothing is left undescribed.
 * The request schemas only describe: bodies, params and queries are parsed with zod in the handler
 * (api.ts parse()), so errors name the field.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiErrorSchema } from '@hcp/contract';
import type { Actor } from '../../audit/audit-log.js';
import { doc } from '../api.js';
import type { ConsoleAuth, Role } from '../console-auth.js';

/** Everyone who reads the registry; a department head only what their department sees (scope.ts). */
export const REGISTRY_READERS: readonly Role[] = ['hall-it', 'manager', 'dept-head', 'supervisor'];
export const HALL_IT: readonly Role[] = ['hall-it'];

export const OkSchema = z.object({ ok: z.boolean() });

export interface RouteShape {
  description: string;
  response: z.ZodType;
  body?: z.ZodType;
  params?: z.ZodType;
  querystring?: z.ZodType;
}

/** Options for routes of one tag guarded by `roles`. */
export function routeOptions(auth: ConsoleAuth, tag: string, roles: readonly Role[]) {
  const preHandler = auth.require(...roles);
  return (r: RouteShape) => ({
    preHandler,
    schema: {
      tags: [tag],
      description: `${r.description} Roles: ${roles.join(', ')}.`,
      security: [{ bearer: [] }],
      ...(r.body ? { body: doc(r.body) } : {}),
      ...(r.params ? { params: doc(r.params) } : {}),
      ...(r.querystring ? { querystring: doc(r.querystring) } : {}),
      response: { 200: doc(r.response), '4xx': doc(ApiErrorSchema) },
    },
  });
}

/** Who makes a change, for the audit log. Only on guarded routes (require() set req.user). */
export const actorOf = (req: FastifyRequest): Actor => ({ username: req.user!.username, remote: req.ip });
