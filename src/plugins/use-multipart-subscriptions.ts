import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface MultipartSubscriptionOptions {
  /**
   * Interval of the empty `{}` parts that keep an idle subscription's connection open through
   * proxies. Default 5000 ms, Apollo Router's: a status subscription can be silent for minutes.
   */
  heartbeatMs?: number;
}

/** Whether the Accept header asks for Apollo's protocol: `multipart/mixed;subscriptionSpec=1.0`. */
function acceptsApolloMultipart(request: Request): boolean {
  const accept = request.headers.get('accept');
  if (accept === null) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    return (
      type === 'multipart/mixed' &&
      params.some((param) => param.replace(/\s/g, '').replace(/"/g, '') === 'subscriptionspec=1.0')
    );
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

const BOUNDARY = 'graphql';
const PART_HEAD = `\r\n--${BOUNDARY}\r\ncontent-type: application/json; charset=utf-8\r\n\r\n`;
const END = `\r\n--${BOUNDARY}--\r\n`;

/**
 * Subscriptions over Apollo's multipart HTTP protocol, which Apollo Client's HttpLink speaks
 * (it asks for `multipart/mixed;boundary=graphql;subscriptionSpec=1.0`): each event is a part
 * `{"payload": <result>}`, an idle connection gets a `{}` part every `heartbeatMs`, and the
 * closing boundary ends the subscription. Yoga serves multipart/mixed only to queries (for
 * @defer and @stream) and answered these subscriptions with a bare 406.
 *
 * An error that ends the stream itself (not a result's errors, which stay in the payload) is a
 * last part `{"payload": null, "errors": [...]}`, as the protocol defines transport errors.
 */
export function useMultipartSubscriptions(opts: MultipartSubscriptionOptions = {}): Plugin {
  const heartbeatMs = opts.heartbeatMs ?? 5000;
  const subscriptions = new WeakSet<Request>();
  return {
    onSubscribe({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (request) subscriptions.add(request);
    },
    onResultProcess({ request, result, setResultProcessor }) {
      if (!subscriptions.has(request) || !isAsyncIterable(result) || !acceptsApolloMultipart(request)) return;
      setResultProcessor((events, fetchAPI) => {
        const iterator = (events as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
        const encoder = new fetchAPI.TextEncoder();
        let heartbeat: NodeJS.Timeout | undefined;
        let closed = false;
        const close = (controller: ReadableStreamDefaultController<Uint8Array>, last?: unknown) => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          if (last !== undefined) controller.enqueue(encoder.encode(PART_HEAD + JSON.stringify(last)));
          controller.enqueue(encoder.encode(END));
          controller.close();
        };
        const body = new fetchAPI.ReadableStream<Uint8Array>({
          start(controller) {
            // A first part at once: some proxies and browsers hold the headers until a body byte.
            controller.enqueue(encoder.encode(`${PART_HEAD}{}`));
            heartbeat = setInterval(() => {
              if (!closed && (controller.desiredSize ?? 0) > 0)
                controller.enqueue(encoder.encode(`${PART_HEAD}{}`));
            }, heartbeatMs);
            heartbeat.unref?.();
          },
          async pull(controller) {
            try {
              const next = await iterator.next();
              if (closed) return;
              if (next.done) close(controller);
              else controller.enqueue(encoder.encode(PART_HEAD + JSON.stringify({ payload: next.value })));
            } catch (error) {
              // Yoga turns resolver failures into results; what reaches here ended the stream.
              const message = error instanceof GraphQLError ? error.message : 'Unexpected error.';
              close(controller, { payload: null, errors: [{ message }] });
            }
          },
          async cancel() {
            closed = true;
            clearInterval(heartbeat);
            await iterator.return?.();
          },
        });
        return new fetchAPI.Response(body, {
          status: 200,
          headers: {
            'content-type': `multipart/mixed; boundary="${BOUNDARY}"; subscriptionSpec="1.0"`,
            'cache-control': 'no-cache',
          },
        });
      }, 'multipart/mixed');
    },
  };
}
