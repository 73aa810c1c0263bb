// Public API of @agentmon/detector-domain: pure EWMA control charts, rules, trends and traffic drift. No I/O; `now` injected.
export {};
