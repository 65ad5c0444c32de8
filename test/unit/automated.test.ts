/**
 * The `automated` rule, table-driven. Every case names the sentence it comes from:
 * - [D1.3]  DESIGN §1.3: "`automated` (List-Unsubscribe, List-Id, Precedence bulk/list/junk,
 *           Auto-Submitted other than `no`, no-reply / mailer-daemon / postmaster style senders,
 *           bounces, calendar notices …)"
 * - [D1.4]  DESIGN §1.4: "A second, body-level check (unsubscribe links, tracking pixels, bulk
 *           templates) may still reject the message as `automated`"
 * - [DPR]   DESIGN §2 Precise readings: "Sender, Reply-To and Return-Path are read (for automated
 *           detection) but are not participants."
 * - [JIM]   Jiminny seed: "Jiminny has rules to identify transactional and marketing emails to
 *           avoid importing such emails, even when the domain matches a customer."
 * - [I2W]   Issue 2: "look wider (ESP fingerprints in Received, DKIM `d=`, Feedback-ID,
 *           Return-Path/From mismatch, X-Mailer)"
 * - [I2P]   Issue 2: "Precision matters as much as recall: person-to-person mail, HTML or not,
 *           must not be called automated"
 * Messages are written here; none is copied from a corpus.
 */
import { describe, expect, it } from 'vitest';
import { automatedByBody, automatedByHeaders } from '../../src/core/automated.js';
import { parseRawMessage } from '../../src/core/parse-message.js';
import type { MailAddress, MessageBody, MessageMeta } from '../../src/core/types.js';

interface MetaInput {
  from?: string;
  name?: string;
  sender?: string;
  replyTo?: string;
  to?: string[];
  cc?: string[];
  subject?: string;
  headers?: Record<string, string | string[]>;
}

const addr = (address: string, name = ''): MailAddress => ({ name, address });

/** A person-to-person baseline that each case changes in one respect. */
function meta(input: MetaInput = {}): MessageMeta {
  const headers: Record<string, string[]> = {
    from: ['x'],
    to: ['x'],
    subject: ['x'],
    date: ['Tue, 03 Mar 2026 10:00:00 +0000'],
    'message-id': ['<a1@mail.acme-energy.com>'],
    'content-type': ['text/plain; charset=utf-8'],
  };
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = Array.isArray(v) ? v : [v];
  return {
    id: 'm1',
    folder: 'inbox',
    isDraft: false,
    messageId: '<a1@mail.acme-energy.com>',
    from: addr(input.from ?? 'jane.doe@acme-energy.com', input.name ?? 'Jane Doe'),
    sender: input.sender ? addr(input.sender) : null,
    replyTo: input.replyTo ? [addr(input.replyTo)] : [],
    to: (input.to ?? ['sam@seller.example']).map((a) => addr(a)),
    cc: (input.cc ?? []).map((a) => addr(a)),
    bcc: [],
    subject: input.subject ?? 'Pricing for the Q3 renewal',
    sentAt: '2026-03-03T10:00:00.000Z',
    inReplyTo: null,
    references: [],
    headers,
  };
}

describe('automatedByHeaders: signals that must fire', () => {
  const cases: [string, MessageMeta, RegExp][] = [
    ['[D1.3] List-Unsubscribe header', meta({ headers: { 'List-Unsubscribe': '<https://acme-energy.com/u/1>' } }), /List-Unsubscribe/],
    ['[D1.3] List-Id header', meta({ headers: { 'List-Id': 'Gas traders <traders.lists.acme-energy.com>' } }), /List-Id/],
    ['[D1.3] List-Post (other List-* headers)', meta({ headers: { 'List-Post': '<mailto:traders@lists.example.org>' } }), /List-Post/],
    ['[D1.3] Precedence: bulk', meta({ headers: { Precedence: 'bulk' } }), /Precedence: bulk/],
    ['[D1.3] Precedence: list', meta({ headers: { Precedence: 'list' } }), /Precedence: list/],
    ['[D1.3] Precedence: junk', meta({ headers: { Precedence: 'junk' } }), /Precedence: junk/],
    ['[D1.3] Auto-Submitted: auto-replied', meta({ headers: { 'Auto-Submitted': 'auto-replied' } }), /Auto-Submitted: auto-replied/],
    ['[D1.3] Auto-Submitted: auto-generated', meta({ headers: { 'Auto-Submitted': 'auto-generated' } }), /Auto-Submitted/],
    [
      '[D1.3] X-Auto-Response-Suppress with hidden recipients (two weak signals)',
      meta({ to: ['undisclosed-recipients:;'], headers: { 'X-Auto-Response-Suppress': 'All' } }),
      /weak signals: X-Auto-Response-Suppress \+ undisclosed recipients/,
    ],
    ['[D1.3] no-reply sender', meta({ from: 'no-reply@acme-energy.com' }), /^no-reply sender$/],
    ['[D1.3] noreply sender', meta({ from: 'noreply@billing.acme-energy.com' }), /no-reply/],
    ['[D1.3] do-not-reply sender', meta({ from: 'do_not_reply@acme-energy.com' }), /no-reply/],
    ['[D1.3] mailer-daemon sender (bounce)', meta({ from: 'MAILER-DAEMON@mx.acme-energy.com' }), /mailer-daemon/],
    ['[D1.3] postmaster sender (bounce)', meta({ from: 'postmaster@acme-energy.com' }), /mailer-daemon\/postmaster/],
    ['[D1.3] notifications sender', meta({ from: 'notifications@acme-energy.com' }), /machine sender: notifications@/],
    ['[D1.3] bounces sender', meta({ from: 'bounces@acme-energy.com' }), /machine sender: bounces@/],
    ['[JIM] newsletter sender (marketing)', meta({ from: 'newsletter@acme-energy.com' }), /machine sender/],
    ['[JIM] news sender (marketing)', meta({ from: 'news@acme-energy.com' }), /news@/],
    ['[JIM] marketing sender', meta({ from: 'marketing@acme-energy.com' }), /marketing@/],
    ['[JIM] alerts sender (transactional)', meta({ from: 'alerts@acme-energy.com' }), /alerts@/],
    ['[DPR] no-reply in Sender, person in From', meta({ sender: 'noreply@esp.example.net' }), /no-reply Sender/],
    ['[DPR] no-reply in Reply-To', meta({ replyTo: 'donotreply@acme-energy.com' }), /no-reply Reply-To/],
    ['[D1.3] bounce: multipart/report', meta({ headers: { 'Content-Type': 'multipart/report; report-type=delivery-status; boundary="b"' } }), /bounce: multipart\/report/],
    ['[D1.3] read receipt: disposition-notification report', meta({ headers: { 'Content-Type': 'multipart/report; report-type=disposition-notification; boundary="b"' } }), /read receipt/],
    ['[D1.3] bounce: null Return-Path', meta({ headers: { 'Return-Path': '<>' } }), /null Return-Path/],
    ['[D1.3] bounce: X-Failed-Recipients', meta({ headers: { 'X-Failed-Recipients': 'ghost@acme-energy.com' } }), /bounce/],
    ['[D1.3] bounce subject from a relay', meta({ subject: 'Undeliverable: Pricing for the Q3 renewal' }), /undeliverable/],
    ['[D1.3] auto-reply subject', meta({ subject: 'Automatic reply: Pricing for the Q3 renewal' }), /automatic reply/],
    ['[D1.3] Exchange out-of-office subject', meta({ subject: 'Out of Office AutoReply: Pricing for the Q3 renewal' }), /out of office/],
    ['[D1.3] calendar notice: text/calendar body', meta({ subject: 'Kick-off', headers: { 'Content-Type': 'text/calendar; method=REQUEST' } }), /calendar/],
    ['[D1.3] calendar notice: Outlook Content-Class', meta({ subject: 'Kick-off', headers: { 'Content-Class': 'urn:content-classes:calendarmessage' } }), /calendar/],
    ['[D1.3] calendar notice: Google invitation', meta({ subject: 'Invitation: Kick-off @ Tue 3 Mar 2026', sender: 'calendar-notification@google.com' }), /calendar notice/],
    ['[D1.3] calendar notice: Accepted with text/calendar', meta({ subject: 'Accepted: Kick-off', headers: { 'Content-Type': 'multipart/alternative; method=REPLY; boundary=x' } }), /calendar notice/],
    ['[I2W] ESP: Mailchimp X-MC-User', meta({ headers: { 'X-MC-User': '5e78d7ef2297cc80842b7591e' } }), /^ESP fingerprint: Mailchimp \(X-MC-User\)$/],
    ['[I2W] ESP: SendGrid X-SG-EID', meta({ headers: { 'X-SG-EID': 'abc' } }), /SendGrid \(X-SG-EID\)/],
    ['[I2W] ESP: Mailgun X-Mailgun-Sid', meta({ headers: { 'X-Mailgun-Sid': 'WyI1' } }), /Mailgun/],
    ['[I2W] ESP: X-Campaign-Id', meta({ headers: { 'X-Campaign-Id': '42' } }), /campaign/],
    ['[I2W] ESP: Feedback-ID', meta({ headers: { 'Feedback-ID': '1:2:3:esp' } }), /Feedback-ID/],
    ['[I2W] ESP: X-CSA-Complaints (CleverReach, Inxmail)', meta({ headers: { 'X-CSA-Complaints': 'csa-complaints@eco.de' } }), /X-CSA-Complaints/],
    ['[I2W] ESP: X-SES-Outgoing', meta({ headers: { 'X-SES-Outgoing': '2026.03.03-1.2.3.4' } }), /Amazon SES/],
    ['[I2W] ESP fingerprint in Received', meta({ headers: { Received: 'from mail135-4.atl141.mcsv.net (mail135-4.atl141.mcsv.net [1.2.3.4]) by mx.seller.example' } }), /Mailchimp \(Received\)/],
    ['[I2W] bulk MTA in Received', meta({ headers: { Received: 'from agent7 (10.0.0.7) by mta2.acme-energy.com (PowerMTA(TM) v3.5); Tue, 3 Mar 2026' } }), /PowerMTA/],
    ['[I2W] ESP in DKIM d=', meta({ headers: { 'DKIM-Signature': 'v=1; a=rsa-sha256; c=relaxed/relaxed; d=sendgrid.net; s=smtpapi; h=from:to' } }), /SendGrid \(DKIM d=\)/],
    ['[I2W] ESP in Return-Path domain', meta({ headers: { 'Return-Path': '<bounces+123-abc=seller.example@em1234.amazonses.com>' } }), /Amazon SES/],
    ['[I2W] VERP Return-Path ≠ From', meta({ headers: { 'Return-Path': '<bounce-1234-5678@acme-energy.com>' } }), /VERP/],
    ['[I2W] Return-Path of a web server account (ticket system)', meta({ headers: { 'Return-Path': '<prvs=701fd58e1=www-data@support.acme-energy.com>' } }), /server account/],
    ['[I2W] X-Mailer of a mass mailer', meta({ headers: { 'X-Mailer': 'Accucast (http://www.accucast.com)' } }), /X-Mailer accucast/i],
    ['[I2W] bulk-mail host subdomain', meta({ from: 'dispatch@newsletter.acme-energy.com' }), /newsletter\. subdomain/],
    ['[JIM] info@ plus Reply-To on another domain and hidden recipients', meta({ from: 'info@acme-energy.com', to: ['undisclosed-recipients:;'], replyTo: 'replies@crm-vendor.example' }), /weak signals: info@ sender/],
  ];
  it.each(cases)('%s', (_name, message, expected) => {
    expect(automatedByHeaders(message)).toMatch(expected);
  });
});

describe('automatedByHeaders: person-to-person mail that must not fire', () => {
  const cases: [string, MessageMeta][] = [
    ['[I2P] plain person-to-person mail', meta()],
    ['[I2P] a person whose name contains "news" (Newsome)', meta({ from: 'pat.newsome@acme-energy.com', name: 'Pat Newsome' })],
    ['[I2P] a person whose local part contains "alert" (Alerta)', meta({ from: 'maria.alerta@acme-energy.com' })],
    // info@ alone is often the owner of a small company (decided from the Enron data: see the corpus test).
    ['[JIM] info@ of a small company, nothing else', meta({ from: 'info@smallbakery.example', name: 'Ann (Small Bakery)' })],
    ['[JIM] sales@ writing to one buyer', meta({ from: 'sales@smallbakery.example', subject: 'Re: your order' })],
    ['[I2P] a reply to a newsletter, written by a person', meta({ subject: 'Re: Weekly gas market newsletter', headers: { 'In-Reply-To': '<n1@news.example>' } })],
    ['[D1.3] Auto-Submitted: no is a person', meta({ headers: { 'Auto-Submitted': 'no' } })],
    ['[D1.3] Precedence: normal / first-class is not bulk', meta({ headers: { Precedence: 'first-class' } })],
    ['[DPR] Return-Path equal to the From address', meta({ headers: { 'Return-Path': '<jane.doe@acme-energy.com>' } })],
    ['[I2P] a person on a mail. host', meta({ from: 'kim.lee@mail.sprint-example.com' })],
    ['[I2P] Outlook and Apple Mail X-Mailer', meta({ headers: { 'X-Mailer': 'Microsoft Outlook 16.0' } })],
    // Exchange and Outlook add it to ordinary mail: it only asks servers not to auto-reply.
    ['[I2P] a person’s Outlook mail with X-Auto-Response-Suppress', meta({ headers: { 'X-Auto-Response-Suppress': 'DR, OOF, AutoReply' } })],
    ['[I2P] an ordinary Received chain', meta({ headers: { Received: 'from mail-ej1.google.com (mail-ej1.google.com [209.85.218.1]) by mx.seller.example with ESMTPS' } })],
    ['[I2P] DKIM signed by the sender’s own domain', meta({ headers: { 'DKIM-Signature': 'v=1; a=rsa-sha256; d=acme-energy.com; s=s1; h=from:to' } })],
    ['[D1.3] a person writing about an invitation', meta({ subject: 'Invitation to tender: pipeline capacity' })],
    ['[D1.3] a person announcing time off ("Out of office next week")', meta({ subject: 'Out of office next week - who to call' })],
    ['[JIM] a deal desk answering a customer', meta({ from: 'deals@seller-desk.example', subject: 'Re: your pricing question' })],
    ['[I2P] free-mail person, digits in the address', meta({ from: 'john1975@gmail.com' })],
    [
      '[I2P] an Amazon WorkMail user (mailboxes that send through SES)',
      meta({
        headers: {
          'X-Mailer': 'Amazon WorkMail',
          'X-SES-Outgoing': '2026.03.03-54.240.27.5',
          'Message-ID': '<0100018e-abc@email.amazonses.com>',
          Received: 'from a27-5.smtp-out.us-west-2.amazonses.com (a27-5.smtp-out.us-west-2.amazonses.com [54.240.27.5])',
        },
      }),
    ],
    [
      '[I2P] a person who works at an ESP, writing from its domain',
      meta({
        from: 'jane@sendgrid.com',
        headers: { 'Return-Path': '<jane@sendgrid.com>', 'DKIM-Signature': 'v=1; a=rsa-sha256; d=sendgrid.com; s=s1; h=from:to' },
      }),
    ],
    ['[DPR] SRS-rewritten Return-Path of a forwarded person mail', meta({ headers: { 'Return-Path': '<SRS0=Ab1c=K2=acme-energy.com=jane.doe@alumni-forwarder.example>' } })],
    ['[DPR] BATV-tagged Return-Path of a person (prvs=)', meta({ headers: { 'Return-Path': '<prvs=0123abcd=jane.doe@acme-energy.com>' } })],
    ['[DPR] Gmail auto-forward Return-Path', meta({ headers: { 'Return-Path': '<sam+caf_=sam=seller.example@gmail.com>' } })],
    ['[I2P] a company whose mail host is called Momentum', meta({ headers: { Received: 'from mx1.momentum-partners.example (Momentum mail gateway) by mx.seller.example' } })],
    ['[I2P] a role-looking address that is one person (hello@ replying)', meta({ from: 'hello@ianbell-example.com', subject: 'Re: voice applications' })],
    ['[I2P] a person sending to many colleagues (count rule is in qualify)', meta({ to: Array.from({ length: 20 }, (_, i) => `p${i}@seller.example`) })],
  ];
  it.each(cases)('%s', (_name, message) => {
    expect(automatedByHeaders(message)).toBeNull();
  });
});

describe('automatedByHeaders on parsed raw messages', () => {
  const raw = (head: string, body = 'Hello Sam,\n\nThanks for the call.\n\nJane\n'): string => `${head.trim()}\n\n${body}`;

  it('[D1.3] a parsed delivery-status report is a bounce', async () => {
    const { meta: m } = await parseRawMessage(
      raw(
        `From: Mail Delivery System <MAILER-DAEMON@mx.seller.example>
To: jane.doe@acme-energy.com
Subject: Undelivered Mail Returned to Sender
Date: Tue, 3 Mar 2026 10:00:00 +0000
Content-Type: multipart/report; report-type=delivery-status; boundary="r1"
MIME-Version: 1.0`,
        '--r1\nContent-Type: text/plain\n\nThe mail could not be delivered.\n--r1--\n',
      ),
      'bounce.eml',
    );
    expect(automatedByHeaders(m)).toBe('bounce: multipart/report');
  });

  it('[D1.3] a parsed list message carries its List-Unsubscribe', async () => {
    const { meta: m } = await parseRawMessage(
      raw(`From: Sam <sam@seller.example>
To: traders@lists.example.org
Subject: [traders] spreads
Date: Tue, 3 Mar 2026 10:00:00 +0000
List-Id: <traders.lists.example.org>
List-Unsubscribe: <mailto:traders-leave@lists.example.org>
Message-ID: <l1@seller.example>`),
      'list.eml',
    );
    expect(automatedByHeaders(m)).toBe('List-Unsubscribe header');
  });

  it('[I2P] a parsed person-to-person HTML message is not automated', async () => {
    const { meta: m, body } = await parseRawMessage(
      raw(
        `From: "Jane Doe" <jane.doe@acme-energy.com>
To: "Sam Seller" <sam@seller.example>
Subject: Re: renewal
Date: Tue, 3 Mar 2026 10:00:00 +0000
Message-ID: <p1@acme-energy.com>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8`,
        '<html><body><p>Hi Sam,</p><p>Friday works. <b>Can you send the draft?</b></p><p>Jane<br><img src="cid:logo" width="120" height="40"></p></body></html>',
      ),
      'person.eml',
    );
    expect(automatedByHeaders(m)).toBeNull();
    expect(automatedByBody(body)).toBeNull();
  });
});

describe('automatedByBody: signals that must fire', () => {
  const text = (t: string): MessageBody => ({ text: t, html: null });
  const html = (h: string): MessageBody => ({ text: null, html: h });
  const cases: [string, MessageBody, RegExp][] = [
    ['[D1.4] unsubscribe link (HTML)', html('<p>Our spring offers</p><a href="https://acme-energy.com/unsubscribe?u=1">Unsubscribe</a>'), /unsubscribe link/],
    ['[D1.4] Mailchimp list-manage link', html('<a href="https://acme.us3.list-manage.com/profile?u=1">update</a>'), /unsubscribe link/],
    [
      '[D1.4] tracking pixel in a bulk template',
      html('<table><tr><td>Spring deals</td></tr><tr><td>Subscriber services</td></tr></table><img src="https://t.example.net/o/abc" width="1" height="1" alt="">'),
      /tracking pixel/,
    ],
    [
      '[D1.4] tracking pixel in CSS with a bulk footer word',
      html('<div>Offer of the week</div><div>Tell a friend</div><img src="https://t.example.net/o.gif" style="width:1px;height:1px;border:0">'),
      /tracking pixel/,
    ],
    ['[D1.4] transactional template: "trouble with the button above"', html("<p>Reset your password.</p><p>If you're having trouble with the button above, copy and paste the URL below into your web browser.</p>"), /wording/],
    ['[D1.4] unsubscribe as link text', html('<p>Alerts</p><a href="https://vendor.example/a?b=c">Unsubscribe</a> from these alerts.'), /unsubscribe link/],
    ['[D1.4] transactional template classes', html('<table class="email-wrapper"><tr><td class="email-masthead">Acme</td></tr></table>'), /bulk template markup/],
    ['[D1.4] bulk template markup (MJML)', html('<div class="mj-column-per-100 mj-outlook-group-fix">Spring news</div>'), /bulk template markup/],
    ['[D1.4] bulk template merge tag', html('<td>*|MC_PREVIEW_TEXT|*</td>'), /bulk template markup/],
    ['[D1.4] "view in browser" header', html('<p>View this email in your browser</p><h1>Spring deals</h1>'), /wording/],
    ['[D1.4] "To unsubscribe" in its own HTML cell', html('<table><tr><td>Weekly prices</td></tr><tr><td>To unsubscribe reply STOP</td></tr></table>'), /wording/],
    ['[D1.4] plain-text unsubscribe footer', text('Gas prices rose 3% this week.\n\n--\nTo unsubscribe, reply with REMOVE in the subject.'), /wording/],
    ['[D1.4] "you are receiving this email because"', text('New release of the report.\nYou are receiving this email because you registered on our site.'), /wording/],
    ['[D1.4] list footer "currently subscribed to"', text('Agenda attached.\n---\nYou are currently subscribed to gas_traders as: sam@seller.example'), /wording/],
    ['[JIM] transactional "do not reply to this email"', text('Your order has shipped.\nPlease do not reply to this email.'), /wording/],
    ['[JIM] "this is an automated message"', text('Password changed.\nThis is an automated message from the portal.'), /wording/],
    ['[JIM] a notice to a crowd ("Dear Market Participants")', text('Dear Market Participants,\nThe auction is delayed to Monday.\nCustomer Relations'), /wording/],
    ['[JIM] a pipeline bulletin ("notice to all interested parties")', text('TRANSMISSION COMPANY\nNOTICE TO ALL INTERESTED PARTIES\nThe compressor is out of service.'), /wording/],
    ['[D1.4] German newsletter footer', text('Neuigkeiten im März.\n\nNewsletter abbestellen: https://example.de/abmelden'), /wording/],
    ['[D1.4] template footer words', text('Deals of the week…\n\nPrivacy Policy | Terms of Use | Subscriber services\n© 2026 Acme Energy. All rights reserved.'), /footer/],
  ];
  it.each(cases)('%s', (_name, body, expected) => {
    expect(automatedByBody(body)).toMatch(expected);
  });
});

describe('automatedByBody: person-to-person mail that must not fire', () => {
  const cases: [string, MessageBody][] = [
    ['[I2P] a short plain note', { text: 'Hi Sam,\n\nFriday at 10 works for me.\n\nJane', html: null }],
    [
      // Sellers' one-to-one mail sent through a tracking tool carries a pixel and must be imported.
      '[I2P] a seller’s tracked one-to-one mail (pixel, no template)',
      { text: null, html: '<div>Hi Jane,<br>as promised, the quote is attached.<br>Sam</div><img src="https://track.salestool.example/o/1" width="1" height="1">' },
    ],
    [
      '[I2P] a seller’s tracked mail under a table signature with a privacy-policy link',
      {
        text: null,
        html: '<div>Hi Jane, see you Tuesday.</div><table><tr><td><table><tr><td>Sam Seller</td></tr></table></td><td><table><tr><td><a href="https://seller.example/privacy">Privacy Policy</a> © 2026 Seller Inc.</td></tr></table></td></tr></table><img src="https://track.salestool.example/o/2" width="1" height="1">',
      },
    ],
    [
      '[I2P] a person’s HTML mail with a logo and a link',
      {
        text: null,
        html: '<div>Hi Sam,<br>the draft is on <a href="https://acme-energy.com/docs/q3">our site</a>.<br>Jane<br><img src="https://acme-energy.com/logo.png" width="160" height="48"></div>',
      },
    ],
    [
      '[I2P] a Re: thread with a quoted unsubscribe link (plain text)',
      {
        text: 'Sam, see the note below: worth a look.\n\nJane\n\n-----Original Message-----\nFrom: Gas Weekly\nSent: Monday\nTo: Jane\n\nTo unsubscribe click here: https://gasweekly.example/u',
        html: null,
      },
    ],
    [
      '[I2P] a Re: thread with a quoted unsubscribe link (Gmail HTML)',
      {
        text: null,
        html: '<div>Agreed, let us meet.</div><div class="gmail_quote">On Mon, Gas Weekly wrote:<blockquote><a href="https://gasweekly.example/unsubscribe">Unsubscribe</a><img src="https://t.example/p.gif" width="1" height="1"></blockquote></div>',
      },
    ],
    [
      '[I2P] "> " quoted newsletter footer in a reply',
      { text: 'Thanks, I will read it.\n\n> Weekly update\n> To unsubscribe, reply REMOVE.\n', html: null },
    ],
    [
      '[I2P] a forwarded newsletter with the person’s own note (Lotus Notes header)',
      {
        text: 'Thought you would like this.\n\n---------------------- Forwarded by Jane Doe/HOU/ACME on 05/01/2001 10:12 AM ---------------------------\nYou are receiving this newsletter because you subscribed.',
        html: null,
      },
    ],
    [
      '[I2P] a reply above a Lotus Notes header that quotes a bulletin',
      {
        text: 'OU tickets are in, I will leave them under the mat.\n\nJane.Doe@acme-energy.com on 08/22/2001 10:42:07 AM\nTo: Sam Seller\nSubject: tickets\n\nYou are receiving this bulletin because you subscribed.',
        html: null,
      },
    ],
    [
      '[I2P] a law firm confidentiality disclaimer ("received this email in error")',
      {
        text: 'Kay, the revised opinion is attached.\n\nConfidentiality Notice\nThis message is being sent by or on behalf of a lawyer. If you have received this email in error please notify the sender.',
        html: null,
      },
    ],
    ['[I2P] a person writing to one customer ("Dear customer" is not plural)', { text: 'Dear customer,\nyour quote is attached as discussed.\nSam', html: null }],
    ['[I2P] a person asking to be taken off a list', { text: 'Hi, please unsubscribe me from the weekly report. Thanks, Bob', html: null }],
    // Customers write these to their account manager: first person, not a footer.
    ['[I2P] "I tried to unsubscribe from your newsletter"', { text: 'Sam, I tried to unsubscribe from your newsletter but it did not work.\nAnn', html: null }],
    ['[I2P] "I would like to be removed from the list"', { text: 'Hi Sam, I would like to be removed from the distribution list. Thanks', html: null }],
    ['[I2P] "I no longer wish to receive these calls"', { text: 'Sam, I no longer wish to receive these calls; email me instead.', html: null }],
    ['[I2P] "having trouble viewing the attachment"', { text: 'Hi Sam, I am having trouble viewing the attachment. Can you resend?', html: null }],
    ['[I2P] "the error message was generated by the portal"', { text: 'The error message was generated by the portal when I uploaded the file.', html: null }],
    ['[I2P] "I want to opt out of the pilot"', { text: 'We want to opt out of the pilot for now.\nAnn', html: null }],
    [
      // Company signatures carry legal footers too; none of these words is bulk-only.
      '[I2P] a person’s corporate signature with legal footer and newsletter plug',
      {
        text: 'Sam, the revised terms are attached.\n\nJane Doe | Account Director\nAcme Energy | Privacy Policy | Terms of Use\nSubscribe to our newsletter: click here\n© 2026 Acme Energy. All rights reserved.',
        html: null,
      },
    ],
    ['[I2P] a person mentioning a newsletter and a copyright', { text: 'Did you see the newsletter? I think the copyright 2026 line is wrong.\n\nBob', html: null }],
    ['[I2P] no body at all', { text: null, html: null }],
  ];
  it.each(cases)('%s', (_name, body) => {
    expect(automatedByBody(body)).toBeNull();
  });
});

describe('hostile bodies take linear time (the check runs on every fetched body)', () => {
  const hostile: [string, string][] = [
    ['200,000 unclosed "<"', '<'.repeat(200_000)],
    ['20,000 unclosed <img tags', '<img width=1 height=1 '.repeat(20_000)],
    ['20,000 unclosed <style tags', '<style>'.repeat(20_000)],
    ['100,000 dashes', '-'.repeat(100_000)],
  ];
  it.each(hostile)('%s', (_name, input) => {
    const started = performance.now();
    automatedByBody({ text: input, html: input });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('reasons never leak an address, a subject or a name (DESIGN §1.3: nothing is kept)', () => {
  it('a machine sender reason names only the role', () => {
    const reason = automatedByHeaders(meta({ from: 'alerts@secret-customer.example', subject: 'Very private subject' }));
    expect(reason).not.toBeNull();
    expect(reason).not.toMatch(/secret-customer|private/);
  });
  it('a VERP reason does not repeat the envelope address', () => {
    const reason = automatedByHeaders(meta({ headers: { 'Return-Path': '<bounce-991-sam=seller.example@acme-energy.com>' } }));
    expect(reason).not.toBeNull();
    expect(reason).not.toMatch(/seller\.example|991/);
  });
});
