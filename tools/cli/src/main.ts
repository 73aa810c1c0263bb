import 'reflect-metadata';
import { Command } from 'commander';
import { createMigrateCommand } from './migrate-command';
import { createStartCommand } from './start-command';

async function main(): Promise<void> {
  const program = new Command('agentmon').description(
    'AgentMon: production monitoring for AI agents',
  );
  program.addCommand(createStartCommand());
  program.addCommand(createMigrateCommand());
  // The broker's own command comes from its lib; loaded lazily so other commands stay light.
  const { createBrokerCommand } = await import('@agentmon/embedded-kafka');
  program.addCommand(createBrokerCommand());
  await program.parseAsync(process.argv);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', app: 'agentmon', msg: error instanceof Error ? error.message : String(error) })}\n`,
  );
  process.exit(1);
});
