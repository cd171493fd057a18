/**
 * Fastify's own response serializers (fast-json-stringify, which also drops any field a route's
 * schema does not declare), compiled the first time a route answers instead of when the route is
 * added. Compiled at start, the ~300 answers of the API held ~3.4 MiB of generated source plus its
 * bytecode in every gateway, though a hall's gateway answers only a handful of them on most days
 * (issue 14, memory; `npx tsx scripts/bench/rss-probe.ts 1000`).
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Factory = ReturnType<typeof SerializerSelector>;
type Serializer = (doc: unknown) => string;

/** For `Fastify({ schemaController: { compilersFactory: { buildSerializer } } })`. */
export const buildLazySerializer: Factory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: Serializer | undefined;
    return (doc) => {
      serialize ??= compile(route);
      return serialize(doc);
    };
  };
};
