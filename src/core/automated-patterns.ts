/**
 * The fingerprints automated-mail detection looks for, kept apart from the logic so the lists can
 * grow without touching it. Every regex is compiled once at load time: the header check runs on
 * hundreds of thousands of messages per second.
 *
 * Sources: DESIGN §1.3 ("List-Unsubscribe, List-Id, Precedence bulk/list/junk, Auto-Submitted
 * other than `no`, no-reply / mailer-daemon / postmaster style senders, bounces, calendar
 * notices") and the Jiminny seed ("rules to identify transactional and marketing emails"),
 * widened with what the corpora show (see test/corpus/automated.test.ts for the measures).
 */

/**
 * Header names that only mail sent by an email service provider or a list server carries.
 * Exact names; `ESP_HEADER_PREFIXES` below covers the families.
 */
export const ESP_HEADERS: ReadonlyMap<string, string> = new Map([
  ['x-mc-user', 'Mailchimp'],
  ['x-mandrill-user', 'Mailchimp Transactional'],
  ['x-sg-eid', 'SendGrid'],
  ['x-sg-id', 'SendGrid'],
  ['x-ses-outgoing', 'Amazon SES'],
  ['x-csa-complaints', 'CSA-certified sender'],
  ['feedback-id', 'bulk sender'],
  ['x-feedback-id', 'bulk sender'],
  ['x-report-abuse', 'bulk sender'],
  ['x-pm-message-id', 'Postmark'],
  ['x-pm-tag', 'Postmark'],
  ['x-sfmc-stack', 'Salesforce Marketing Cloud'],
  ['x-mktomail', 'Marketo'],
  ['x-mkto-tracking', 'Marketo'],
  ['x-hs-cid', 'HubSpot'],
  ['x-bulkmail', 'bulk mailer'],
  ['x-mailing', 'bulk mailer'],
  ['x-mailjet-campaign', 'Mailjet'],
  ['x-mj-mid', 'Mailjet'],
  ['x-sib-id', 'Brevo'],
  ['x-klaviyo-message', 'Klaviyo'],
  ['x-ems-stag', 'emarsys'],
  ['x-rpcampaign', 'Rapidmail'],
  ['x-ulpe', 'bulk mailer'],
]);

/** Headers that list servers add (Mailman, ezmlm, Yahoo Groups, Google Groups). */
export const LIST_SERVER_HEADERS: ReadonlyMap<string, string> = new Map([
  ['x-mailman-version', 'Mailman'],
  ['x-beenthere', 'Mailman'],
  ['x-egroups-return', 'Yahoo Groups'],
  ['x-google-group-id', 'Google Groups'],
  ['x-mailing-list', 'mailing list'],
  ['mailing-list', 'mailing list'],
  // Not X-Loop: procmail forwarders add it to a person's own forwarded mail too.
]);

/** Header name prefixes of ESP families (`X-Mailgun-Sid`, `X-Campaign-Id`, `X-CleverReach-…`). */
export const ESP_HEADER_PREFIXES: readonly (readonly [string, string])[] = [
  ['x-mailgun-', 'Mailgun'],
  ['x-campaign', 'campaign mailer'],
  ['x-mailchimp', 'Mailchimp'],
  ['x-cleverreach', 'CleverReach'],
  ['x-inxmail', 'Inxmail'],
  ['x-sparkpost', 'SparkPost'],
  ['x-msys-', 'SparkPost'],
  ['x-sendgrid', 'SendGrid'],
  ['x-ses-', 'Amazon SES'],
  ['x-cmae-', 'Campaign Monitor'],
  ['x-ctct-', 'Constant Contact'],
  ['x-roving-', 'Constant Contact'],
  ['x-listmonk', 'listmonk'],
];

/**
 * ESP and bulk-MTA host names as they appear in Received, DKIM `d=` and Return-Path domains.
 * Matched on label boundaries, so `mcsv.net` hits `mail12.mcsv.net` but not `xmcsv.net`.
 */
export const ESP_DOMAINS: readonly (readonly [string, string])[] = [
  ['mcsv.net', 'Mailchimp'],
  ['mcdlv.net', 'Mailchimp'],
  ['rsgsv.net', 'Mailchimp'],
  ['mandrillapp.com', 'Mailchimp Transactional'],
  ['list-manage.com', 'Mailchimp'],
  ['sendgrid.net', 'SendGrid'],
  ['sendgrid.com', 'SendGrid'],
  ['amazonses.com', 'Amazon SES'],
  ['mailgun.org', 'Mailgun'],
  ['mailgun.net', 'Mailgun'],
  ['exacttarget.com', 'Salesforce Marketing Cloud'],
  ['exct.net', 'Salesforce Marketing Cloud'],
  ['cmail1.com', 'Campaign Monitor'],
  ['cmail2.com', 'Campaign Monitor'],
  ['cmail19.com', 'Campaign Monitor'],
  ['cmail20.com', 'Campaign Monitor'],
  ['createsend.com', 'Campaign Monitor'],
  ['sparkpostmail.com', 'SparkPost'],
  ['mailjet.com', 'Mailjet'],
  ['sendinblue.com', 'Brevo'],
  ['brevo.com', 'Brevo'],
  ['mktomail.com', 'Marketo'],
  ['mktdns.com', 'Marketo'],
  ['hubspotemail.net', 'HubSpot'],
  ['hs-email.net', 'HubSpot'],
  ['constantcontact.com', 'Constant Contact'],
  ['rsys1.com', 'Oracle Responsys'],
  ['rsys2.com', 'Oracle Responsys'],
  ['rsys5.com', 'Oracle Responsys'],
  ['postmarkapp.com', 'Postmark'],
  ['mtasv.net', 'Postmark'],
  ['klaviyomail.com', 'Klaviyo'],
  ['crsend.com', 'CleverReach'],
  ['inxserver.com', 'Inxmail'],
  ['inxmail.de', 'Inxmail'],
  ['emarsys.net', 'emarsys'],
  ['sailthru.com', 'Sailthru'],
  ['bronto.com', 'Bronto'],
  ['lyris.net', 'Lyris'],
  ['messagereach.com', 'MessageReach'],
  ['icontact.com', 'iContact'],
  ['mailerlite.com', 'MailerLite'],
  ['elasticemail.com', 'Elastic Email'],
  ['customeriomail.com', 'Customer.io'],
  ['intercom-mail.com', 'Intercom'],
];

/**
 * Bulk MTAs and list servers that name themselves in Received lines. Only product names that no
 * company would use as a host name (so not "Momentum" or "Port25").
 */
export const BULK_MTA_RE = /\b(PowerMTA|StrongMail|MailEngine|Lyris|ListManager|LSMTP|ecartis|ezmlm|majordomo|listserv|GreenArrow)\b/i;

/** X-Mailer values of mass mailers and list managers (never a person's mail client). */
export const BULK_MAILER_RE =
  /\b(accucast|lyris|listmanager|mailchimp|mailing ?list|inxmail|gomailer|cleverreach|newsletter|mass ?mail|bulk|mailbeamer|octeth|email manager|ansmtp|emessaging|store-mailer|sunmail|aspmail|phpmailer|mailpoet|sendblaster|group ?mail|worldmerge|mailking|getresponse|constant ?contact|campaign|sendinblue|mailjet|emarsys|sailthru|marketo|eloqua|pardot|exacttarget|mailgun|sendgrid|postmark|sparkpost|svnmailer|git admin mailer|jenkins|redmine|jira|confluence|bugzilla|gitlab|github)\b/i;

/**
 * Sender local parts that only machines use. Substring matches for the long, unambiguous ones;
 * the short ones (`news`, `alerts`) must be a whole dot/dash-separated token, so that
 * `newsome@` or `newsham@` (people) never match.
 */
export const MACHINE_LOCAL_SUBSTRING_RE =
  /no[-_.]?reply|do[-_.]?not[-_.]?reply|donotrespond|do[-_.]?not[-_.]?respond|mailer[-_.]?daemon|newsletter|notification|autorespon|auto[-_.]?reply|auto[-_.]?confirm|unsubscribe|listserv|majordomo|mailman-|-bounces?$|-request$|-owner$|^owner-/;

/** Whole-token machine local parts (`alerts@`, `news.letter@` no, `news@` yes). */
export const MACHINE_LOCAL_TOKENS: ReadonlySet<string> = new Set([
  'postmaster',
  'mailer',
  'notify',
  'notifications',
  'alert',
  'alerts',
  'bounce',
  'bounces',
  'news',
  'enews',
  'newsletters',
  'marketing',
  'digest',
  'announce',
  'announcements',
  'updates',
  'update',
  'subscriptions',
  'subscription',
  'promotions',
  'promo',
  'automated',
  'robot',
  'bot',
  'daemon',
  'mailinglist',
  'listmanager',
  'nobody',
  // Feed-to-mail gateways (rss2email and the like).
  'rss',
  'rssfeeds',
  'feeds',
]);

/**
 * Role mailboxes that are often a real person at a small company (`info@`, `sales@`): a weak
 * signal only, counted when a second signal agrees. In the Enron inboxes, info@/sales@ senders
 * of small firms write person-to-person mail; alone they must not reject.
 */
export const ROLE_LOCAL_TOKENS: ReadonlySet<string> = new Set([
  'info',
  'hello',
  'contact',
  'team',
  'sales',
  'office',
  'admin',
  'webmaster',
  'editor',
  'editors',
  'subscriber',
  'subscribers',
  'service',
  'customerservice',
  'members',
  'membership',
  'community',
  'events',
  'feedback',
  'replies',
  'reply',
  'mail',
  'email',
  'list',
  'lists',
  // A deal desk or an offers mailbox may be people answering customers.
  'deals',
  'offers',
]);

/** Subdomain labels that mark a sending domain as a bulk-mail host (`newsletter.acme.com`). */
export const BULK_SUBDOMAIN_LABELS: ReadonlySet<string> = new Set([
  'news',
  'newsletter',
  'newsletters',
  'list',
  'lists',
  'mailings',
  'mailing',
  'mailer',
  'bounce',
  'bounces',
  'alerts',
  'notifications',
  'notify',
  'marketing',
  'campaigns',
  'promo',
  'offers',
  'euromailer',
]);

/** Subdomain labels that are only a weak hint (`mail.`, `email.`, `e.`, `mail3.`). */
export const WEAK_SUBDOMAIN_RE = /^(e|em|m|mail\d*|email\d*|e-?mail|mkt|reply|send|info|web|www|ummail\d*|mta\d*|smtp\d+)$/;

/**
 * Bounce-address local parts: VERP envelopes (`bounce-123@`, `bounces+user=dom@`, `…-bounces@`,
 * `owner-list@`). A bare `=` is not enough: forwarders rewrite a person's envelope too (SRS
 * `SRS0=…`, Gmail's `+caf_=`), see `FORWARDER_LOCAL_RE`.
 */
export const BOUNCE_LOCAL_RE = /(^|[-_.+])(bounces?|bnc|bo|rp|return|errors?|env)([-_.+=]|\d|$)|^owner-|-request$|^env_/;

/** Envelope rewrites by forwarders (SRS, Gmail auto-forwarding): the mail is still a person's. */
export const FORWARDER_LOCAL_RE = /^srs[01][=+-]|\+caf_=/;

/** BATV tags that many MTAs put on every envelope, person mail included (`prvs=1a2b3c=jane@`). */
export const BATV_PREFIX_RE = /^(prvs|btv1|msprvs1)=[^=]{1,40}=/;

/** Envelope senders that are server accounts: web applications, cron, ticket systems. */
export const SERVER_ACCOUNT_RE = /^(www-data|apache|nginx|httpd|wwwrun|root|cron|daemon|nobody)$/;

/**
 * A machine-generated local part: a long run of digits or an id-like tail, as VERP and tracking
 * engines produce (`Online#3.19578.34-UgGT…@`, `R-1-270241-5399979-…@`, `body_21986283-159…@`).
 */
export const MACHINE_ID_LOCAL_RE = /#|\d{5,}.*\d{4,}|\d[-.]\d{4,}[-.]\d|[0-9a-f]{16,}/i;

/** Calendar subjects as Google, Outlook and Exchange write them. */
export const CALENDAR_SUBJECT_RE =
  /^(updated )?invitation( from google calendar)?:|^(accepted|declined|tentative(ly accepted)?|canceled|cancelled)( event)?:|^(new|updated|canceled|cancelled) event:|^invitation mise à jour|^einladung:|^(zugesagt|abgesagt|mit vorbehalt):/i;

/** Calendar systems that send notices on behalf of a person. */
export const CALENDAR_SENDER_RE = /calendar-notification@google\.com|calendar-server|@calendar\.|noreply.*calendar|calendar.*noreply/i;

/** Precedence values that mean bulk or list mail (RFC 3834 §2). */
export const BULK_PRECEDENCE_RE = /^\s*(bulk|list|junk)\b/i;
