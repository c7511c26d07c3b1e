import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { finishUploads, parseMultipartRequest, type UploadLimits } from '../uploads.js';
import { isMultipart } from './use-body-limit.js';

/**
 * Replaces yoga's multipart parser, which reads every file into memory, with one that streams
 * each file from the socket to its resolver (see uploads.ts). After the response, parts no
 * resolver read are drained so the connection can be reused.
 */
export function useStreamingUploads(limits: UploadLimits): Plugin<object, { req?: IncomingMessage }> {
  return {
    onRequestParse({ request, serverContext, setRequestParser }) {
      if (request.method === 'POST' && isMultipart(request)) {
        setRequestParser((req) => parseMultipartRequest(req, serverContext.req, limits));
      }
    },
    onResponse({ request }) {
      finishUploads(request);
    },
  };
}
