/** Injection tokens for the app-wide logger and metrics registry. */
export const LOGGER = Symbol('agentmon.logger');
export const APP_NAME = Symbol('agentmon.app-name');
