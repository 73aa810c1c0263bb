// Public API of @agentmon/service-runtime: how every app process runs — its validated config
// slice, HTTP health/metrics server, resources closed in order, signal-driven graceful shutdown.
export { runServiceMain } from './run-service-main';
export type { ServiceMainOptions } from './run-service-main';
export { exitOnSignals, startHttpService } from './start-http-service';
export type { HttpServiceOptions, RunningService } from './start-http-service';
export { ServiceModule } from './service.module';
export { ShutdownRegistry } from './shutdown-registry';
