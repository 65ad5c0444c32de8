/** The page's one escaping helper: every value escaped, fragments kept, nothing double-escaped. */
import { describe, expect, it } from 'vitest';
import { html, raw } from '../../../src/app/ops/html.js';

describe('html``', () => {
  it('escapes strings, numbers and arrays of strings; keeps nested fragments once', () => {
    const name = `<script>alert('x')</script> & "co"`;
    const row = html`<td title="${name}">${name}</td>`;
    expect(row.value).toBe('<td title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;</td>');
    expect(html`<tr>${[row, '<b>']}</tr>`.value).toBe(`<tr>${row.value}&lt;b&gt;</tr>`);
    expect(html`${0}${null}${undefined}${false}${raw('<hr>')}`.value).toBe('0<hr>');
  });
});
