/** Hall IT's management of console accounts (issue 11): list, create or change, disable, enable; each change audited. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { AccountBodySchema, AccountSchema, UsernameSchema, type ConsoleAccounts } from '../../accounts/console-accounts.js';
import { parse } from '../api.js';
import type { CoreServices } from './core-services.js';
import { HALL_IT, actorOf, routeOptions } from './console-route-options.js';

const AccountParams = z.object({ username: UsernameSchema });

export function accountRoutes(s: CoreServices, accounts: ConsoleAccounts): FastifyPluginAsync {
  const options = routeOptions(s.auth, 'accounts', HALL_IT);
  return async (app) => {
    app.get('/api/accounts', options({ description: 'The console accounts (never a password hash).', response: z.array(AccountSchema) }), async () => accounts.list());
    app.put(
      '/api/accounts',
      options({
        description:
          'Create an account (password required, at least 10 characters) or change one. A new password lifts a lockout and ends the account’s sessions. Nobody changes their own role; the last enabled hall IT account keeps its role.',
        body: AccountBodySchema,
        response: AccountSchema,
      }),
      async (req, reply) => {
        const b = parse(AccountBodySchema, req.body, reply);
        if (!b) return;
        return accounts.save(b, actorOf(req));
      },
    );
    for (const action of ['disable', 'enable'] as const) {
      app.post(
        `/api/accounts/:username/${action}`,
        options({
          description:
            action === 'disable'
              ? 'Disable an account and end its sessions. Refused for your own account and for the last enabled hall IT account.'
              : 'Enable an account again (also lifts a lockout after wrong passwords).',
          params: AccountParams,
          response: AccountSchema,
        }),
        async (req, reply) => {
          const p = parse(AccountParams, req.params, reply);
          if (!p) return;
          return accounts.setDisabled(p.username, action === 'disable', actorOf(req));
        },
      );
    }
  };
}
