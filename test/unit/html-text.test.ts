import { describe, expect, it } from 'vitest';
import { htmlToText, plainText } from '../../src/core/html-text.js';

// DESIGN §1.4: "convert HTML to plain text (a maintained library, scripts and styles dropped)".
describe('HTML to text', () => {
  it('drops scripts, styles and images, keeps the words', () => {
    const html = `<html><head><style>p{color:red}</style><title>t</title></head><body>
      <script>alert('x')</script><p>Hi Jane,</p><p>See the <a href="https://x.test/q">quote</a>.</p>
      <img src="https://t.test/pixel.gif"></body></html>`;
    const text = htmlToText(html);
    expect(text).toContain('Hi Jane,');
    expect(text).toContain('See the quote.');
    expect(text).not.toMatch(/alert|color:red|pixel|https:/);
  });
  it('prefers the text part and falls back to HTML', () => {
    expect(plainText({ text: ' plain ', html: '<p>html</p>' })).toBe('plain');
    expect(plainText({ text: null, html: '<p>html &amp; more</p>' })).toBe('html & more');
    expect(plainText({ text: null, html: null })).toBe('');
  });
});
