export { startLocalInfrastructure } from './local-infrastructure';
export type { LocalInfrastructure, LocalInfrastructureOptions } from './local-infrastructure';
export { startRedisServer } from './redis-server';
export { startClickHouseServer } from './clickhouse-server';
export { OrphanWatchdog } from './orphan-watchdog';
export { freePort } from './free-port';
export { GiveUpWaiting, waitFor } from './wait-for';
export { AppProcess, NODE_FLAGS } from './app-process';
export type { AppProcessOptions } from './app-process';
