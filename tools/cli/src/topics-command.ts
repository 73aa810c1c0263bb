import { loadConfig } from '@agentmon/config';
import { createLogger } from '@agentmon/observability';
import { Command } from 'commander';
import { createTopics } from './prepare-storage';

export function createTopicsCommand(): Command {
  return new Command('topics')
    .description('create AgentMon topics on KAFKA_BROKERS (existing ones are kept)')
    .action(async () => {
      const config = loadConfig();
      await createTopics(
        config.KAFKA_BROKERS,
        config,
        createLogger('agentmon-topics', config.LOG_LEVEL),
      );
    });
}
