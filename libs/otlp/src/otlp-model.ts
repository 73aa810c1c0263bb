import { OtlpDecodeError } from './otlp-proto';

/** A scalar OTLP attribute value; arrays of scalars are kept as arrays. */
export type OtlpValue = string | number | boolean | OtlpValue[];
export type OtlpAttributes = Record<string, OtlpValue>;

export interface OtlpEventView {
  name: string;
  timeMs: number;
  attributes: OtlpAttributes;
}

/** One span, normalised from either OTLP/protobuf (protobufjs) or OTLP/JSON. */
export interface OtlpSpanView {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  startMs: number;
  endMs: number;
  attributes: OtlpAttributes;
  events: OtlpEventView[];
  /** 0 unset, 1 OK, 2 ERROR (opentelemetry.proto.trace.v1.Status.StatusCode). */
  statusCode: number;
  statusMessage: string;
  resource: OtlpAttributes;
}

/** A span that could not even be read (bad id, bad time); counted as rejected. */
export interface OtlpUnreadableSpan {
  error: string;
}

type Obj = Record<string, unknown>;

const has = (o: Obj, key: string) => Object.prototype.hasOwnProperty.call(o, key);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function list(o: Obj, key: string, where: string): unknown[] {
  if (!has(o, key) || o[key] === null || o[key] === undefined) return [];
  const value = o[key];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${where}.${key} must be an array`);
  return value;
}

/** Long (protobufjs), number, bigint or decimal string → number (ids aside, exact enough). */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  if (isObj(value) && typeof value.toString === 'function' && 'low' in value) {
    return Number(String(value));
  }
  return undefined;
}

/** Nanoseconds since the epoch (Long, string or number) → milliseconds, floor. */
function nanosToMs(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  let text: string | undefined;
  if (typeof value === 'string' && /^\d+$/.test(value)) text = value;
  else if (typeof value === 'number' && Number.isFinite(value) && value >= 0)
    text = BigInt(Math.floor(value)).toString();
  else if (isObj(value) && 'low' in value) text = String(value);
  if (text === undefined) return undefined;
  return Number(BigInt(text) / 1_000_000n);
}

/** Binary id (protobuf) or hex string (OTLP/JSON) → lower-case hex; '' when absent. */
function idToHex(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  // protobufjs's default for an unset bytes field is an empty array.
  if (Array.isArray(value) && value.length === 0) return '';
  if (typeof value === 'string' && /^[0-9a-fA-F]*$/.test(value)) return value.toLowerCase();
  return undefined;
}

function anyValue(value: unknown, depth = 0): OtlpValue | undefined {
  if (!isObj(value)) return undefined;
  if (has(value, 'stringValue')) return String(value.stringValue);
  if (has(value, 'boolValue')) return Boolean(value.boolValue);
  if (has(value, 'intValue')) return toNumber(value.intValue);
  if (has(value, 'doubleValue')) {
    const n = Number(value.doubleValue);
    return Number.isFinite(n) ? n : undefined;
  }
  if (has(value, 'arrayValue') && depth === 0 && isObj(value.arrayValue)) {
    const values = Array.isArray(value.arrayValue.values) ? value.arrayValue.values : [];
    return values.map((v) => anyValue(v, depth + 1)).filter((v): v is OtlpValue => v !== undefined);
  }
  // kvlist and bytes values have no place in a flat attribute map: dropped.
  return undefined;
}

function attributes(raw: unknown[]): OtlpAttributes {
  const out: OtlpAttributes = {};
  for (const kv of raw) {
    if (!isObj(kv) || typeof kv.key !== 'string') continue;
    const value = anyValue(kv.value);
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

function readSpan(span: unknown, resource: OtlpAttributes): OtlpSpanView | OtlpUnreadableSpan {
  if (!isObj(span)) return { error: 'span must be an object' };
  const traceId = idToHex(span.traceId);
  const spanId = idToHex(span.spanId);
  const parentSpanId = idToHex(span.parentSpanId);
  if (!traceId || !/^[0-9a-f]{32}$/.test(traceId) || /^0+$/.test(traceId))
    return { error: 'traceId must be 16 bytes (32 hex characters), not all zero' };
  if (!spanId || !/^[0-9a-f]{16}$/.test(spanId) || /^0+$/.test(spanId))
    return { error: `span of trace ${traceId}: spanId must be 8 bytes (16 hex characters)` };
  if (parentSpanId === undefined || (parentSpanId !== '' && !/^[0-9a-f]{16}$/.test(parentSpanId)))
    return { error: `span ${spanId}: parentSpanId must be 8 bytes (16 hex characters) or empty` };
  const startMs = nanosToMs(span.startTimeUnixNano);
  const endMs = nanosToMs(span.endTimeUnixNano);
  if (startMs === undefined || endMs === undefined)
    return { error: `span ${spanId}: startTimeUnixNano/endTimeUnixNano must be integers` };
  let events: OtlpEventView[];
  let attrs: OtlpAttributes;
  try {
    attrs = attributes(list(span, 'attributes', 'span'));
    events = list(span, 'events', 'span')
      .filter(isObj)
      .map((event) => ({
        name: typeof event.name === 'string' ? event.name : '',
        timeMs: nanosToMs(event.timeUnixNano) ?? 0,
        attributes: attributes(list(event, 'attributes', 'event')),
      }));
  } catch (error) {
    return { error: `span ${spanId}: ${(error as Error).message}` };
  }
  const status = isObj(span.status) ? span.status : {};
  return {
    traceId,
    spanId,
    parentSpanId: /^0+$/.test(parentSpanId) ? '' : parentSpanId,
    name: typeof span.name === 'string' ? span.name : '',
    startMs,
    endMs,
    attributes: attrs,
    events,
    statusCode: statusCode(status.code),
    statusMessage: typeof status.message === 'string' ? status.message : '',
    resource,
  };
}

function statusCode(code: unknown): number {
  if (code === 2 || code === 'STATUS_CODE_ERROR') return 2;
  if (code === 1 || code === 'STATUS_CODE_OK') return 1;
  return 0;
}

/**
 * Every span of an ExportTraceServiceRequest, from the protobufjs message or the parsed OTLP/JSON
 * object (same lowerCamelCase field names; ids hex in JSON, bytes in protobuf). A request that is
 * not shaped like one throws OtlpDecodeError; a span that cannot be read is returned as an error
 * so the rest of the batch still goes through (partial success).
 */
export function readOtlpRequest(request: unknown): (OtlpSpanView | OtlpUnreadableSpan)[] {
  if (!isObj(request))
    throw new OtlpDecodeError('body must be an ExportTraceServiceRequest object');
  const out: (OtlpSpanView | OtlpUnreadableSpan)[] = [];
  for (const resourceSpans of list(request, 'resourceSpans', 'request')) {
    if (!isObj(resourceSpans)) throw new OtlpDecodeError('resourceSpans[] must be objects');
    const resource = isObj(resourceSpans.resource)
      ? attributes(list(resourceSpans.resource, 'attributes', 'resource'))
      : {};
    for (const scopeSpans of list(resourceSpans, 'scopeSpans', 'resourceSpans')) {
      if (!isObj(scopeSpans)) throw new OtlpDecodeError('scopeSpans[] must be objects');
      for (const span of list(scopeSpans, 'spans', 'scopeSpans'))
        out.push(readSpan(span, resource));
    }
  }
  return out;
}

/** How many spans the request holds, without reading them (for the per-request cap). */
export function countOtlpSpans(request: unknown): number {
  if (!isObj(request) || !Array.isArray(request.resourceSpans)) return 0;
  let count = 0;
  for (const rs of request.resourceSpans) {
    if (!isObj(rs) || !Array.isArray(rs.scopeSpans)) continue;
    for (const ss of rs.scopeSpans)
      if (isObj(ss) && Array.isArray(ss.spans)) count += ss.spans.length;
  }
  return count;
}
