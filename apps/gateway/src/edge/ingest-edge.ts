import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { ApiKeyRegistry, apiKeyFromHeaders } from '../auth/api-key-registry';

export type ContentEncoding = 'identity' | 'gzip' | 'deflate';

/** `Content-Encoding` → what the gateway does with it; undefined for one it does not take (415). */
export function contentEncodingOf(
  header: string | string[] | undefined,
): ContentEncoding | undefined {
  if (header === undefined) return 'identity';
  const codings = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return 'identity';
  if (codings.length > 1) return undefined;
  if (codings[0] === 'gzip' || codings[0] === 'x-gzip') return 'gzip';
  if (codings[0] === 'deflate') return 'deflate';
  return undefined;
}

class BodyTooLargeError extends Error {
  readonly statusCode = 413;
  readonly code = 'FST_ERR_CTP_BODY_TOO_LARGE';
  constructor(limit: number) {
    super(`decompressed request body is larger than ${limit} bytes`);
  }
}

/**
 * Inflates a gzip/deflate body as it streams in, failing with 413 the moment the DECOMPRESSED
 * size passes the limit (a gzip bomb costs at most `limit` bytes plus one zlib chunk).
 * `receivedEncodedLength` tells Fastify how many wire bytes came, for its Content-Length check.
 */
export function inflateCapped(
  payload: Readable,
  encoding: Exclude<ContentEncoding, 'identity'>,
  limit: number,
): Readable & { receivedEncodedLength: number } {
  let decoded = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      decoded += chunk.length;
      if (decoded > limit) callback(new BodyTooLargeError(limit));
      else callback(null, chunk);
    },
  }) as Transform & { receivedEncodedLength: number };
  counter.receivedEncodedLength = 0;
  // Fastify listens for errors while it reads; this keeps a late one from going unhandled.
  counter.on('error', () => undefined);
  payload.on('data', (chunk: Buffer) => {
    counter.receivedEncodedLength += chunk.length;
  });
  const inflater = encoding === 'gzip' ? createGunzip() : createInflate();
  inflater.on('error', (error) =>
    // A corrupt stream is the client's fault: 400 naming the encoding.
    counter.destroy(
      Object.assign(new Error(`request body is not valid ${encoding}: ${error.message}`), {
        statusCode: 400,
      }),
    ),
  );
  payload.on('error', (error) => counter.destroy(error));
  counter.on('close', () => {
    payload.unpipe(inflater);
    inflater.destroy();
  });
  payload.pipe(inflater).pipe(counter);
  return counter;
}

function refuse(reply: FastifyReply, status: number, body: object): FastifyReply {
  // The body was not read: close the connection instead of draining what the client still sends.
  return reply.code(status).header('connection', 'close').send(body);
}

export interface IngestEdgeOptions {
  keys: ApiKeyRegistry;
  maxBodyBytes: number;
  /** URL prefix of the authenticated ingest routes. */
  prefix?: string;
}

/**
 * What happens to an ingest request before its body is read, on the raw Fastify instance:
 * 1. the API key is checked from the headers (401 without reading a byte of the body);
 * 2. `Content-Encoding` must be identity, gzip or deflate (415 otherwise);
 * 3. a compressed body is inflated as a stream, the decompressed size capped (413).
 * Also teaches Fastify `application/x-protobuf` (raw bytes, same size cap) for OTLP.
 */
export function registerIngestEdge(fastify: FastifyInstance, options: IngestEdgeOptions): void {
  const prefix = options.prefix ?? '/v1/';
  fastify.addContentTypeParser(
    'application/x-protobuf',
    { parseAs: 'buffer', bodyLimit: options.maxBodyBytes },
    (_request, body, done) => done(null, body),
  );
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.url.startsWith(prefix)) return;
    const projectId = options.keys.projectFor(apiKeyFromHeaders(request.headers));
    if (!projectId) {
      return refuse(reply, 401, {
        error: 'unauthorized',
        message: 'missing or unknown API key (Authorization: Bearer <key> or x-api-key)',
      });
    }
    if (contentEncodingOf(request.headers['content-encoding']) === undefined) {
      return refuse(reply, 415, {
        error: 'unsupported_content_encoding',
        message: `Content-Encoding ${String(request.headers['content-encoding'])} is not supported; send identity, gzip or deflate`,
      });
    }
    (request as FastifyRequest & { projectId?: string }).projectId = projectId;
  });
  fastify.addHook('preParsing', async (request: FastifyRequest, _reply, payload) => {
    if (!request.url.startsWith(prefix)) return payload;
    const encoding = contentEncodingOf(request.headers['content-encoding']);
    if (encoding === 'gzip' || encoding === 'deflate')
      return inflateCapped(payload, encoding, options.maxBodyBytes);
    return payload;
  });
}
