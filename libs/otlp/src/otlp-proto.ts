import { join } from 'node:path';
import * as protobuf from 'protobufjs';

/** Where the vendored official .proto files live (see proto/VERSION.md). */
const PROTO_DIR = join(__dirname, '..', 'proto');

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // The files import each other by repository path ("opentelemetry/proto/…"): resolve under PROTO_DIR.
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  root.resolveAll();
  return root;
}

const root = loadRoot();

export const ExportTraceServiceRequestType = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
);
export const ExportTraceServiceResponseType = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
);

/**
 * google.rpc.Status, the body of an OTLP/HTTP error response. Declared here (three fields) rather
 * than vendoring googleapis; `details` (repeated Any) is left out, which the spec allows.
 */
const StatusType = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(StatusType);

export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

/**
 * Decodes a binary ExportTraceServiceRequest. The result keeps protobufjs's shapes (ids as
 * Uint8Array, 64-bit integers as Long); `readOtlpRequest` normalises them.
 */
export function decodeExportTraceRequest(body: Uint8Array): unknown {
  try {
    return ExportTraceServiceRequestType.decode(body);
  } catch (error) {
    throw new OtlpDecodeError(`not a valid ExportTraceServiceRequest: ${(error as Error).message}`);
  }
}

/** Encodes an ExportTraceServiceRequest given in protobufjs object form (tests, Kafka fixtures). */
export function encodeExportTraceRequest(request: Record<string, unknown>): Uint8Array {
  return ExportTraceServiceRequestType.encode(
    ExportTraceServiceRequestType.fromObject(request),
  ).finish();
}

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** The OTLP success body. Fully accepted: an empty message (partial_success unset). */
export function encodeExportTraceResponse(partial?: PartialSuccess): Uint8Array {
  const message =
    partial && (partial.rejectedSpans > 0 || partial.errorMessage)
      ? {
          partialSuccess: {
            rejectedSpans: partial.rejectedSpans,
            errorMessage: partial.errorMessage,
          },
        }
      : {};
  return ExportTraceServiceResponseType.encode(
    ExportTraceServiceResponseType.fromObject(message),
  ).finish();
}

/** The same body in OTLP/JSON (int64 as a decimal string, as proto3 JSON maps it). */
export function exportTraceResponseJson(partial?: PartialSuccess): Record<string, unknown> {
  if (!partial || (partial.rejectedSpans === 0 && !partial.errorMessage)) return {};
  return {
    partialSuccess: {
      rejectedSpans: String(partial.rejectedSpans),
      errorMessage: partial.errorMessage,
    },
  };
}

export function decodeExportTraceResponse(body: Uint8Array): {
  partialSuccess?: { rejectedSpans: number; errorMessage: string };
} {
  return ExportTraceServiceResponseType.toObject(ExportTraceServiceResponseType.decode(body), {
    longs: Number,
  }) as { partialSuccess?: { rejectedSpans: number; errorMessage: string } };
}

/** google.rpc.Status for an OTLP/HTTP error answered in protobuf. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return StatusType.encode(StatusType.fromObject({ code, message })).finish();
}
