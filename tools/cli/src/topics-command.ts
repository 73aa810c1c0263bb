import { loadConfig } from '@agentmon/config';
import { ALL_TOPICS } from '@agentmon/contracts';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import { createLogger } from '@agentmon/observability';
import { Command } from 'commander';

export function createTopicsCommand(): Command {
  return new Command('topics')
    .description('create AgentMon topics on KAFKA_BROKERS (existing ones are kept)')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger('agentmon-topics', config.LOG_LEVEL);
      const kafka = createKafka({
        brokers: config.KAFKA_BROKERS,
        clientId: `${config.KAFKA_CLIENT_ID}-cli`,
        logger,
      });
      const created = await ensureTopics(kafka, ALL_TOPICS, config.KAFKA_TOPIC_PARTITIONS);
      logger.info({ created }, 'topics ready');
    });
}
