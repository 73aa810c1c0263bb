import { ApiKeyRegistry } from './api-key-registry';
import { signGatewayRecord, verifyGatewayRecord, type SignedRecord } from './gateway-mac';
import { API_KEY_HEADER, GATEWAY_MAC_HEADER } from './kafka-headers';
import { authenticateProducer, recordKeyProblem, type ProducerAuthPolicy } from './producer-auth';

const SECRET = 'gateway-secret-0123456789abcdef-0123';
const OTHER_SECRET = 'another-secret-0123456789abcdef-0123';
const record: SignedRecord = {
  topic: 'agentmon.spans.v1',
  key: 'trace-1',
  value: Buffer.from('{"kind":"span","project_id":"proj-a"}'),
};

describe('gateway mark (HMAC-SHA256 of topic, key and value)', () => {
  const mark = signGatewayRecord(SECRET, record);

  it('verifies the gateway’s own record', () => {
    expect(mark).toMatch(/^v1=[A-Za-z0-9_-]{43}$/);
    expect(verifyGatewayRecord(SECRET, record, mark)).toBe(true);
    expect(verifyGatewayRecord([OTHER_SECRET, SECRET], record, mark)).toBe(true);
  });

  it.each<[string, SignedRecord, string | undefined, string]>([
    ['a forged mark', record, 'v1=' + Buffer.alloc(32, 7).toString('base64url'), SECRET],
    ['no mark', record, undefined, SECRET],
    ['a mark without version', record, mark.slice(3), SECRET],
    ['a truncated mark', record, mark.slice(0, -4), SECRET],
    [
      'a replaced value',
      { ...record, value: '{"kind":"span","project_id":"proj-b"}' },
      mark,
      SECRET,
    ],
    ['a replaced key', { ...record, key: 'trace-2' }, mark, SECRET],
    ['a null key', { ...record, key: null }, mark, SECRET],
    ['another topic', { ...record, topic: 'agentmon.traces.v1' }, mark, SECRET],
    [
      'key/value boundary moved',
      { ...record, key: 'trace-1{', value: record.value.slice(1) },
      mark,
      SECRET,
    ],
    ['the wrong secret', record, mark, OTHER_SECRET],
  ])('rejects %s', (_name, r, header, secret) => {
    expect(verifyGatewayRecord(secret, r, header)).toBe(false);
  });

  it('a mark made with a guessed secret does not verify', () => {
    expect(verifyGatewayRecord(SECRET, record, signGatewayRecord(OTHER_SECRET, record))).toBe(
      false,
    );
  });

  it('refuses a short secret', () => {
    expect(() => signGatewayRecord('short', record)).toThrow(RangeError);
  });
});

describe('authenticateProducer', () => {
  const registry = new ApiKeyRegistry([
    { projectId: 'proj-a', keySha256: ApiKeyRegistry.digest('key-a') },
  ]);
  const policy: ProducerAuthPolicy = {
    registry,
    gatewaySecrets: [SECRET],
    requireProducerKey: true,
  };
  const withHeaders = (headers: Record<string, string | Buffer>) => ({ ...record, headers });

  it.each<[string, Record<string, string | Buffer>, boolean, unknown]>([
    [
      'a gateway record',
      { [GATEWAY_MAC_HEADER]: signGatewayRecord(SECRET, record) },
      true,
      { ok: true, via: 'gateway' },
    ],
    [
      'a direct producer with a valid key',
      { [API_KEY_HEADER]: Buffer.from('key-a') },
      true,
      { ok: true, via: 'api_key', projectId: 'proj-a' },
    ],
    [
      'an unknown key',
      { [API_KEY_HEADER]: 'key-x' },
      true,
      { ok: false, reason: 'unauthenticated', message: `unknown ${API_KEY_HEADER}` },
    ],
    [
      'no key',
      {},
      true,
      {
        ok: false,
        reason: 'unauthenticated',
        message: expect.stringContaining('no agentmon-api-key'),
      },
    ],
    [
      'a forged gateway mark',
      { [GATEWAY_MAC_HEADER]: signGatewayRecord(OTHER_SECRET, record) },
      true,
      { ok: false, reason: 'unauthenticated', message: expect.any(String) },
    ],
    ['no key when keys are not required', {}, false, { ok: true, via: 'unauthenticated_allowed' }],
  ])('%s', (_name, headers, requireProducerKey, expected) => {
    expect(authenticateProducer({ ...policy, requireProducerKey }, withHeaders(headers))).toEqual(
      expected,
    );
  });
});

describe('recordKeyProblem', () => {
  it('accepts the trace_id as key, names a wrong or missing one', () => {
    expect(recordKeyProblem(Buffer.from('trace-1'), 'trace-1')).toBeNull();
    expect(recordKeyProblem('trace-2', 'trace-1')).toMatch(/does not match its trace_id/);
    expect(recordKeyProblem(null, 'trace-1')).toMatch(/no key/);
  });
});
