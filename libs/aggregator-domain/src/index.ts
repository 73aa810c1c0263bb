// Public API of @agentmon/aggregator-domain: pure event-time windows, slices, sketches and metric windows. No I/O.
export {};
