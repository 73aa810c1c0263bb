/** Injection token for the app-wide logger. */
export const LOGGER = Symbol('agentmon.logger');
