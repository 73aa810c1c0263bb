import 'reflect-metadata';
import { createBrokerCommand } from '@agentmon/embedded-kafka';
import { Command } from 'commander';
import { createAlertsCommand } from './alerts-command';
import { createBaselineCommand } from './baseline-command';
import { createDetectCommand } from './detect-command';
import { createHashKeyCommand } from './hash-key-command';
import { createMigrateCommand } from './migrate-command';
import { createSchemaCommand } from './schema-command';
import { createSilenceCommand } from './silence-command';
import { createSimulateCommand } from './simulate-command';
import { createStartCommand } from './start-command';
import { createStatusCommand } from './status-command';
import { createTopicsCommand } from './topics-command';

async function main(): Promise<void> {
  const program = new Command('agentmon').description(
    'AgentMon: production monitoring for AI agents',
  );
  program.addCommand(createStartCommand());
  program.addCommand(createStatusCommand());
  program.addCommand(createMigrateCommand());
  program.addCommand(createTopicsCommand());
  program.addCommand(createHashKeyCommand());
  program.addCommand(createSchemaCommand());
  program.addCommand(createBrokerCommand());
  program.addCommand(createDetectCommand());
  program.addCommand(createBaselineCommand());
  program.addCommand(createAlertsCommand());
  program.addCommand(createSilenceCommand());
  program.addCommand(createSimulateCommand());
  await program.parseAsync(process.argv);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', app: 'agentmon', msg: error instanceof Error ? error.message : String(error) })}\n`,
  );
  process.exit(1);
});
