import { ExportQuerySchema } from '@agentmon/contracts';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import type { ConsoleAccess } from './auth/console-token-registry';
import { parseQuery, type ConsoleDataService } from './console-data.service';

/** The eval-candidate JSONL download, the same for the API and the Export page's link. */
export function sendEvalExport(
  data: ConsoleDataService,
  access: ConsoleAccess,
  query: unknown,
  reply: FastifyReply,
): void {
  const q = parseQuery(ExportQuerySchema, query);
  const project = data.project(access, q.project);
  const range = data.range(q, '7d');
  void reply
    .type('application/x-ndjson; charset=utf-8')
    .header('content-disposition', `attachment; filename="eval-candidates-${project}.jsonl"`)
    .send(Readable.from(data.exportLines(project, q, range)));
}
