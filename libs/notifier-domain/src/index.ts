// Public API of @agentmon/notifier-domain: pure cooldown, grouping, inhibition, silences, digests and Slack message rendering. No I/O.
export {};
