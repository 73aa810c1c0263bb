// Re-runs every existing contract conformance spec with each exported schema's safeParse/parse
// also running the compiled path (compileParser, parseIngestBatch, the canonical item checks)
// and failing the test on any divergence from zod: same acceptance, same output, same issues.
import { equivalenceLog } from './compiled-equivalence';

jest.mock('@agentmon/contracts', () => {
  const { instrumentContracts } =
    jest.requireActual<typeof import('./compiled-equivalence')>('./compiled-equivalence');
  return instrumentContracts(jest.requireActual('@agentmon/contracts'));
});

/* eslint-disable @typescript-eslint/no-require-imports */
require('./span.schema.spec');
require('./trace-event.schema.spec');
require('./ingest-batch.schema.spec');
require('./records.schema.spec');
require('./topic-schemas.spec');
require('./trace-contribution.schema.spec');
require('./well-formed-strings.spec');
/* eslint-enable @typescript-eslint/no-require-imports */

afterAll(() => {
  // The re-run specs really went through the comparison, and nothing diverged.
  expect(equivalenceLog.accepted).toBeGreaterThan(40);
  expect(equivalenceLog.rejected).toBeGreaterThan(80);
  expect(equivalenceLog.divergences).toEqual([]);
});
