import { SpansTopicRecord, Topics } from '@agentmon/contracts';
import {
  authenticateProducer,
  recordKeyProblem,
  type ProducerAuthPolicy,
} from '@agentmon/ingest-auth';
import type { Admission, WireRecord } from '@agentmon/stream-runtime';

/**
 * Who may write to the spans topic, checked per record before assembly: the Kafka key must be
 * the trace id (else the trace splits across instances), and the producer is the gateway (its
 * signature) or holds an API key, from which the tenant is derived exactly as the gateway does.
 */
export class SpansAdmission {
  constructor(private readonly policy: ProducerAuthPolicy) {}

  admit(wire: WireRecord<SpansTopicRecord>): Admission<SpansTopicRecord> {
    const record = wire.record;
    const traceId = record.kind === 'span' ? record.span.trace_id : record.event.trace_id;
    const keyProblem = recordKeyProblem(wire.key, traceId);
    if (keyProblem) return { ok: false, reason: 'wrong_key', message: keyProblem };
    const auth = authenticateProducer(this.policy, {
      topic: Topics.spans,
      key: wire.key,
      value: wire.value ?? '',
      headers: wire.headers,
    });
    if (!auth.ok) return { ok: false, reason: 'unauthenticated', message: auth.message };
    if (auth.via === 'api_key' && record.project_id !== auth.projectId)
      return { ok: true, value: { ...record, project_id: auth.projectId } };
    return { ok: true, value: record };
  }
}
