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
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` })}\n`,
  );
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
