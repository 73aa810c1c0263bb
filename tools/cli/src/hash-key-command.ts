import { createHash } from 'node:crypto';
import { Command } from 'commander';

/** Keys are configured as digests only, so the gateway's environment never holds a usable key. */
export function createHashKeyCommand(): Command {
  return new Command('hash-key')
    .description(
      'print the GATEWAY_API_KEYS entry for an API key (or a CONSOLE_TOKENS entry: projects joined by +)',
    )
    .argument('<project-id>', 'the project the key belongs to')
    .argument('<api-key>', 'the key agents will send')
    .action((projectId: string, apiKey: string) => {
      process.stdout.write(
        `${projectId}:${createHash('sha256').update(apiKey, 'utf8').digest('hex')}\n`,
      );
    });
}
