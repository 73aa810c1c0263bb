// Integration tests wait on real servers (consumer-group joins, ClickHouse merges): allow two minutes on a loaded machine.
jest.setTimeout(120000);
