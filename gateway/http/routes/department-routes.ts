/**
 * Departments (a tree) and the service items (事项) they offer, for the console's Registry screen
 * (issue 11). Readers see the whole hall, a department head only their department and the ones
 * below it; hall IT changes them, each change audited.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { DepartmentBodySchema, DepartmentIdSchema, DepartmentSchema, type Departments } from '../../registry/departments.js';
import { ItemBodySchema, ItemCodeSchema, ItemSchema, type ServiceItems } from '../../registry/service-items.js';
import { parse } from '../api.js';
import { visibleDepartments } from '../scope.js';
import type { CoreServices } from './core-services.js';
import { HALL_IT, OkSchema, REGISTRY_READERS, actorOf, routeOptions } from './console-route-options.js';

const DepartmentParams = z.object({ departmentId: DepartmentIdSchema });
const ItemParams = z.object({ itemCode: ItemCodeSchema });

export function departmentRoutes(s: CoreServices, departments: Departments, items: ServiceItems): FastifyPluginAsync {
  const read = routeOptions(s.auth, 'registry', REGISTRY_READERS);
  const change = routeOptions(s.auth, 'registry', HALL_IT);
  return async (app) => {
    app.get(
      '/api/departments',
      read({ description: 'The departments, a tree by parentId (a department head: theirs and those below it).', response: z.array(DepartmentSchema) }),
      async (req) => departments.list(await visibleDepartments(s.store.db, req.user!)),
    );
    app.put(
      '/api/departments',
      change({
        description: 'Create a department (no departmentId: it gets one) or rename or move one. Refused: a parent below itself, a name already used, an unknown parent.',
        body: DepartmentBodySchema,
        response: DepartmentSchema,
      }),
      async (req, reply) => {
        const b = parse(DepartmentBodySchema, req.body, reply);
        if (!b) return;
        const { department, windowIds } = await departments.save(b, actorOf(req));
        for (const w of windowIds) s.registryChanged(w);
        return department;
      },
    );
    app.delete(
      '/api/departments/:departmentId',
      change({
        description: 'Delete a department that no window, service item, account or department below it uses (409 names what does).',
        params: DepartmentParams,
        response: OkSchema,
      }),
      async (req, reply) => {
        const p = parse(DepartmentParams, req.params, reply);
        if (!p) return;
        await departments.remove(p.departmentId, actorOf(req));
        return { ok: true };
      },
    );

    app.get(
      '/api/items',
      read({ description: 'The service items (事项), retired ones included (a department head: those of their departments).', response: z.array(ItemSchema) }),
      async (req) => items.list(await visibleDepartments(s.store.db, req.user!)),
    );
    app.put(
      '/api/items',
      change({ description: 'Create or change a service item by its code; saving a retired item offers it again.', body: ItemBodySchema, response: ItemSchema }),
      async (req, reply) => {
        const b = parse(ItemBodySchema, req.body, reply);
        if (!b) return;
        return items.save(b, actorOf(req));
      },
    );
    app.post(
      '/api/items/:itemCode/retire',
      change({ description: 'Stop offering a service item (kept for the cases and ratings that name it).', params: ItemParams, response: ItemSchema }),
      async (req, reply) => {
        const p = parse(ItemParams, req.params, reply);
        if (!p) return;
        return items.retire(p.itemCode, actorOf(req));
      },
    );
  };
}
