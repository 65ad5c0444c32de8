/**
 * Consumer mailbox providers: domains where anyone can open a personal mailbox, so the domain
 * says nothing about the company behind an address (DESIGN §2: free mail never matches by
 * domain). Universities, employers, hosting companies and web-hosting mail (GoDaddy, IONOS,
 * Zoho for business domains, …) are NOT here: their domains do identify an organisation.
 *
 * Curated by hand, because no maintained package holds consumer providers only (checked
 * 2026-12): `free-email-domains-list` (~96,000 domains) holds universities and shops
 * (`rice.edu`, `skishop24.de`); `email-providers` `common.json` holds `facebook.com`,
 * `alibaba.com`, `nus.edu.sg`; `@mikkelscheike/email-provider-links` holds hosting and company
 * domains (`godaddy.com`, `telekom.de`, `vodafone.de`). Sources consulted: the public-provider
 * entries of `@mikkelscheike/email-provider-links` 5.2 and `email-providers` 2.26 `common.json`,
 * each entry kept only when it is a provider's consumer mailbox domain.
 *
 * Registrable domains only (matching compares the registrable domain of an address).
 * A tenant adds or removes entries with `freeMail.add` / `freeMail.remove` (docs/rules.md).
 */

/** Brands whose every registrable domain (`yahoo.<any public suffix>`) is a consumer mailbox. */
export const FREE_MAIL_BRANDS: readonly string[] = ['gmx', 'hotmail', 'yahoo', 'yandex'];

export const FREE_MAIL_DOMAINS: readonly string[] = [
  // Google, Microsoft, Apple, Yahoo/AOL/Verizon Media
  'gmail.com', 'googlemail.com',
  'outlook.com', 'outlook.de', 'outlook.fr', 'outlook.es', 'outlook.it', 'outlook.jp', 'outlook.sa', 'outlook.cn',
  'live.com', 'live.ca', 'live.co.uk', 'live.com.au', 'live.de', 'live.fr', 'live.it', 'live.nl', 'live.be', 'live.jp',
  'msn.com', 'msn.cn', 'passport.com',
  'icloud.com', 'me.com', 'mac.com',
  'ymail.com', 'rocketmail.com', 'myyahoo.com',
  'aol.com', 'aol.co.uk', 'aol.de', 'aol.fr', 'aim.com', 'love.com', 'ygm.com', 'wow.com',
  // Privacy-minded and paid consumer mail
  'proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me',
  'tutanota.com', 'tutanota.de', 'tutamail.com', 'tuta.io', 'tuta.com', 'keemail.me',
  'fastmail.com', 'fastmail.fm', 'hey.com', 'hushmail.com', 'mailfence.com', 'mailbox.org',
  'posteo.de', 'posteo.net', 'runbox.com', 'startmail.com', 'countermail.com', 'disroot.org',
  'zohomail.com', 'zoho.com', 'zoho.eu',
  'mail.com', 'email.com', 'usa.com', 'myself.com', 'consultant.com', 'europe.com', 'inbox.com',
  'duck.com', 'privaterelay.appleid.com',
  // Germany, Austria, Switzerland
  'web.de', 't-online.de', 'magenta.de', 'freenet.de', 'arcor.de', 'online.de', 'bluewin.ch',
  // France, Belgium, Netherlands
  'orange.fr', 'wanadoo.fr', 'free.fr', 'laposte.net', 'sfr.fr', 'neuf.fr', 'bbox.fr', 'numericable.fr', 'club-internet.fr',
  'skynet.be', 'telenet.be', 'ziggo.nl', 'home.nl', 'planet.nl', 'kpnmail.nl', 'hetnet.nl', 'xs4all.nl', 'chello.nl',
  // Italy, Spain, Portugal
  'libero.it', 'virgilio.it', 'alice.it', 'tin.it', 'tiscali.it', 'email.it', 'sapo.pt',
  // United Kingdom, Ireland
  'btinternet.com', 'btopenworld.com', 'sky.com', 'talktalk.net', 'virginmedia.com', 'ntlworld.com', 'blueyonder.co.uk',
  'plus.com', 'plusnet.com', 'tiscali.co.uk', 'eircom.net',
  // Nordics, Central and Eastern Europe
  'seznam.cz', 'email.cz', 'post.cz', 'centrum.cz', 'centrum.sk', 'wp.pl', 'o2.pl', 'onet.pl', 'op.pl', 'interia.pl',
  'freemail.hu', 'abv.bg', 'mail.bg', 'ukr.net', 'i.ua', 'inbox.lv',
  // Russia
  'mail.ru', 'bk.ru', 'list.ru', 'inbox.ru', 'internet.ru', 'ya.ru', 'rambler.ru', 'lenta.ru', 'autorambler.ru',
  // China, Korea, Japan, India, South-East Asia
  'qq.com', 'foxmail.com', '163.com', '126.com', '188.com', 'yeah.net', 'sina.com', 'sina.cn', 'sina.com.cn', 'sohu.com',
  'aliyun.com', '139.com', 'naver.com', 'daum.net', 'hanmail.net', 'nate.com',
  'docomo.ne.jp', 'ezweb.ne.jp', 'softbank.ne.jp', 'i.softbank.jp', 'biglobe.ne.jp', 'nifty.com', 'ocn.ne.jp',
  'rediffmail.com', 'sify.com', 'indiatimes.com',
  // North America
  'comcast.net', 'verizon.net', 'att.net', 'sbcglobal.net', 'bellsouth.net', 'pacbell.net', 'ameritech.net', 'snet.net', 'flash.net',
  'cox.net', 'charter.net', 'spectrum.net', 'rr.com', 'twc.com', 'earthlink.net', 'juno.com', 'netzero.net', 'netzero.com',
  'optonline.net', 'optimum.net', 'frontier.com', 'frontiernet.net', 'centurylink.net', 'windstream.net', 'q.com',
  'shaw.ca', 'rogers.com', 'sympatico.ca', 'bell.net', 'telus.net', 'videotron.ca',
  // Latin America, Africa, Oceania
  'uol.com.br', 'bol.com.br', 'terra.com.br', 'ig.com.br', 'globo.com', 'oi.com.br',
  'telkom.co.za', 'vodamail.co.za',
  'bigpond.com', 'bigpond.net.au', 'optusnet.com.au', 'iinet.net.au', 'tpg.com.au', 'xtra.co.nz',
];
