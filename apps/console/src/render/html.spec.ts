import { escapeHtml, jsonForScript, layout, pct, qs } from './html';

describe('console HTML rendering', () => {
  it('escapes tenant text everywhere it is placed', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe(
      '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;',
    );
  });

  it('embeds page data so no stored text can close the script element', () => {
    const text = jsonForScript({ message: '</script><script>alert(1)</script>' });
    expect(text).not.toContain('</script>');
    expect(JSON.parse(text)).toEqual({ message: '</script><script>alert(1)</script>' });
    const page = layout({
      title: 'T',
      active: '/',
      project: 'p<1>',
      projects: ['p<1>'],
      body: '',
      data: { x: '</script>' },
    });
    expect(page.match(/<\/script>/g)).toHaveLength(3);
    expect(page).toContain('p&lt;1&gt;');
  });

  it('formats missing numbers as n/a and builds query strings without empty values', () => {
    expect(pct(null)).toBe('n/a');
    expect(pct(0.1234)).toBe('12.3%');
    expect(qs({ project: 'a b', since: '', metric: undefined })).toBe('?project=a+b');
  });
});
