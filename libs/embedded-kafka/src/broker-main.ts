// Standalone entry (tests, bench): `node -r ./tools/register.js libs/embedded-kafka/src/broker-main.ts --port 0 --data-dir X`.
import { createBrokerCommand } from './broker-command';

createBrokerCommand()
  .parseAsync(['node', 'broker', ...process.argv.slice(2)])
  .catch((err: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', msg: err instanceof Error ? err.message : String(err) })}\n`,
    );
    process.exit(1);
  });
