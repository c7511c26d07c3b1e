import type { Server } from 'node:http';
import { type DocumentNode, type ExecutionArgs, GraphQLError } from 'graphql';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GatewayYoga } from './yoga.js';

type Run = (args: ExecutionArgs) => ReturnType<NonNullable<Parameters<typeof useServer>[0]['execute']>>;

interface RootValue {
  execute: Run;
  subscribe: Run;
}

/**
 * GraphQL over WebSocket (graphql-ws) on the same port and path as HTTP, executed through
 * yoga's envelope so plugins, limits and context are the same as over HTTP and SSE.
 *
 * Each operation gets a Request built from the upgrade request (its headers carry an
 * Authorization header when the client could set one; browsers use connectionParams) whose
 * signal aborts when the client completes that operation or the socket closes. Subscriptions
 * listen to that signal, so they release pollers and abort upstream streams at once instead
 * of at their next event.
 */
export function attachWebSocket(
  server: Server,
  yoga: GatewayYoga,
): { close(graceMs?: number): Promise<void> } {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const operations = new WeakMap<object, Map<string, AbortController>>();

  const controllersOf = (extra: Extra): Map<string, AbortController> => {
    let map = operations.get(extra.socket);
    if (!map) {
      map = new Map();
      operations.set(extra.socket, map);
      const socket = extra.socket;
      socket.on('message', (data) => {
        // graphql-ws awaits the iterator's return() on "complete"; this gets there first.
        try {
          const message = JSON.parse(String(data)) as { type?: string; id?: string };
          if (message.type === 'complete' && message.id) map?.get(message.id)?.abort();
        } catch {
          // graphql-ws answers malformed messages itself.
        }
      });
      socket.once('close', () => {
        for (const controller of map?.values() ?? []) controller.abort();
        map?.clear();
      });
    }
    return map;
  };

  const disposable = useServer<Record<string, unknown> | undefined, Record<string, never>>(
    {
      execute: (args) => (args.rootValue as RootValue).execute(args),
      subscribe: (args) => (args.rootValue as RootValue).subscribe(args),
      onSubscribe: async (ctx, id, payload) => {
        const controller = new AbortController();
        controllersOf(ctx.extra).set(id, controller);
        const upgrade = ctx.extra.request;
        const headers = new Headers();
        for (const [name, value] of Object.entries(upgrade.headers)) {
          if (typeof value === 'string') headers.set(name, value);
        }
        const request = new Request(
          `http://${upgrade.headers.host ?? 'localhost'}${upgrade.url ?? '/graphql'}`,
          {
            headers,
            signal: controller.signal,
          },
        );
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          request,
          req: upgrade,
          socket: ctx.extra.socket,
          params: payload,
        });
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          // A syntax error is this operation's, as over HTTP; thrown, it would make graphql-ws
          // close the whole socket with 4500 (internal error) and its other operations with it.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const rootValue: RootValue = { execute: execute as Run, subscribe: subscribe as Run };
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory({ request, connectionParams: ctx.connectionParams }),
          rootValue,
        };
      },
      onComplete: (ctx, id) => {
        const map = operations.get(ctx.extra.socket);
        map?.get(id)?.abort();
        map?.delete(id);
      },
    },
    wss,
  );

  const openOperations = () => {
    let count = 0;
    for (const client of wss.clients) count += operations.get(client)?.size ?? 0;
    return count;
  };

  return {
    /**
     * Lets operations that are completing (the gateway ended its watch subscriptions) send
     * their last messages, for at most `graceMs`, then closes every socket with 1001.
     */
    async close(graceMs = 2000) {
      const deadline = Date.now() + graceMs;
      while (openOperations() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
