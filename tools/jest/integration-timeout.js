// Integration tests wait on real servers (consumer-group joins, ClickHouse merges): allow a minute.
jest.setTimeout(60000);
