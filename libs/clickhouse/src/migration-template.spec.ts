import { renderMigration, splitStatements } from './migration-template';
import { capabilitiesFor } from './server-capabilities';

const sql = `CREATE TABLE {{database}}.t (a {{lc String}}) ENGINE = MergeTree ORDER BY a
{{#ttl}}TTL d + INTERVAL {{retention_days}} DAY{{/ttl}}{{^ttl}}-- no ttl{{/ttl}};`;

describe('renderMigration', () => {
  it('drops features 18.16 lacks', () => {
    const out = renderMigration(sql, {
      database: 'db',
      retentionDays: 7,
      capabilities: capabilitiesFor('18.16.1'),
    });
    expect(out).toContain('(a String)');
    expect(out).not.toContain('TTL');
    expect(out).toContain('-- no ttl');
  });

  it('keeps them on a current release', () => {
    const out = renderMigration(sql, {
      database: 'db',
      retentionDays: 7,
      capabilities: capabilitiesFor('24.3.1'),
    });
    expect(out).toContain('(a LowCardinality(String))');
    expect(out).toContain('TTL d + INTERVAL 7 DAY');
    expect(out).not.toContain('no ttl');
  });

  it('refuses unknown tags rather than sending them to the server', () => {
    expect(() =>
      renderMigration('{{nope}}', {
        database: 'db',
        retentionDays: 1,
        capabilities: capabilitiesFor('18.16.1'),
      }),
    ).toThrow(/unknown migration template tag/);
  });
});

describe('splitStatements', () => {
  it('splits on line-ending semicolons and drops comments', () => {
    expect(splitStatements('-- c\nCREATE A;\nCREATE B;\n')).toEqual(['CREATE A', 'CREATE B']);
  });
});
