/**
 * How a service tells the process that started it where it listens, whatever the log level: an
 * IPC message when it was spawned with an IPC channel (the launcher's AppProcess does that).
 */
export interface ListeningMessage {
  type: 'agentmon.listening';
  app: string;
  url: string;
  pid: number;
}

export function announceListening(app: string, url: string): void {
  if (!process.send || !process.connected) return;
  const message: ListeningMessage = { type: 'agentmon.listening', app, url, pid: process.pid };
  // A parent that went away is not our problem: the callback swallows ERR_IPC_CHANNEL_CLOSED.
  process.send(message, undefined, {}, () => undefined);
}
