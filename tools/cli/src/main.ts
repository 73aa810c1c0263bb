import 'reflect-metadata';
import { createBrokerCommand } from '@agentmon/embedded-kafka';
import { Command } from 'commander';
import { createDetectCommand } from './detect-command';
import { createHashKeyCommand } from './hash-key-command';
import { createMigrateCommand } from './migrate-command';
import { createSilenceCommand } from './silence-command';
import { createStartCommand } from './start-command';
import { createTopicsCommand } from './topics-command';

async function main(): Promise<void> {
  const program = new Command('agentmon').description(
    'AgentMon: production monitoring for AI agents',
  );
  program.addCommand(createStartCommand());
  program.addCommand(createMigrateCommand());
  program.addCommand(createTopicsCommand());
  program.addCommand(createHashKeyCommand());
  program.addCommand(createBrokerCommand());
  program.addCommand(createDetectCommand());
  program.addCommand(createSilenceCommand());
  await program.parseAsync(process.argv);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', app: 'agentmon', msg: error instanceof Error ? error.message : String(error) })}\n`,
  );
  process.exit(1);
});
