import 'reflect-metadata';
import { createBrokerCommand } from '@agentmon/embedded-kafka';
import { Command } from 'commander';
import { createAlertsCommand } from './alerts-command';
import { createBaselineCommand } from './baseline-command';
import { createDashboardCommand } from './dashboard-command';
import { createDetectCommand } from './detect-command';
import { createEvalCandidatesCommand } from './eval-candidates-command';
import { createHashKeyCommand } from './hash-key-command';
import { createMigrateCommand } from './migrate-command';
import { createReportCommand } from './report-command';
import { createSchemaCommand } from './schema-command';
import { createSilenceCommand } from './silence-command';
import { createSimulateCommand } from './simulate-command';
import { createStartCommand } from './start-command';
import { createStatusCommand } from './status-command';
import { createTopicsCommand } from './topics-command';
import { createTracesCommand } from './traces-command';

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
  program.addCommand(createDashboardCommand());
  program.addCommand(createReportCommand());
  program.addCommand(createTracesCommand());
  program.addCommand(createEvalCandidatesCommand());
  program.addCommand(createSimulateCommand());
  await program.parseAsync(process.argv);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', app: 'agentmon', msg: error instanceof Error ? error.message : String(error) })}\n`,
  );
  process.exit(1);
});
