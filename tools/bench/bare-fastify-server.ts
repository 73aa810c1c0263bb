import type { ListeningMessage } from '@agentmon/observability';
import Fastify from 'fastify';

// The ceiling the gateway is compared with: the same HTTP stack and JSON body parsing, no auth,
// validation or Kafka. Runs in its own process, as the gateway does.
async function main(): Promise<void> {
  const app = Fastify({ logger: false, bodyLimit: 5 * 1048576 });
  app.post('/v1/spans', async (request, reply) => {
    const spans = (request.body as { spans?: unknown[] }).spans ?? [];
    return reply.status(202).send({ accepted: spans.length });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // Reported as the apps do (libs/observability announceListening), without loading Nest here.
  const message: ListeningMessage = {
    type: 'agentmon.listening',
    app: 'bare-fastify',
    url,
    pid: process.pid,
  };
  process.send?.(message, undefined, {}, () => undefined);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
