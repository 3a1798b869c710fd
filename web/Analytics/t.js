/*! Publisher site analytics. Add <script src="https://PUBLISHER/t.js" defer></script>. When the brand requires consent (or with data-consent="required") it waits for publisher.consent(true). */
(function (w, d, n) {
  'use strict';
  var s = d.currentScript;
  if (!s || w.publisher) return;
  var api = new URL('/t/collect', s.src).href, C = '_pub', IDLE = 1800;
  var off = n.doNotTrack === '1' || w.doNotTrack === '1' || n.globalPrivacyControl === true;
  // The server sets the first figure to 1 when the brand requires consent; reports then say whether it was given.
  var ask = /*brand-consent*/0 || s.getAttribute('data-consent') === 'required', ok = !ask, given = 0;
  function id() {
    if (w.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === 'x' ? r : (r & 3 | 8)).toString(16);
    });
  }
  function read() {
    var m = d.cookie.match(/(?:^|; )_pub=([^;]*)/);
    if (!m) return null;
    var p = decodeURIComponent(m[1]).split('|');
    return p.length < 3 ? null : { v: p[0], s: p[1], t: +p[2], c: p[3] ? p[3].split('.') : [] };
  }
  function write(st) {
    d.cookie = C + '=' + encodeURIComponent([st.v, st.s, st.t, st.c.join('.')].join('|')) + ';path=/;max-age=15552000;samesite=lax' +
      (location.protocol === 'https:' ? ';secure' : '');
  }
  // The visitor's state: their id, the session, the last page view and the click ids they arrived with.
  // Without a cookie (Do Not Track, Global Privacy Control) every page is a visit of its own and nothing is kept.
  function state() {
    var now = Math.floor(Date.now() / 1000), st = off ? null : read(), fresh = false;
    if (!st) st = { v: off ? null : id(), s: id(), t: 0, c: [] };
    if (now - st.t >= IDLE) { st.s = id(); fresh = true; }
    var pcid = new URLSearchParams(location.search).get('pcid');
    if (pcid && st.c.indexOf(pcid) < 0) { st.c = st.c.concat(pcid).slice(-5); st.s = id(); fresh = true; }
    st.t = now;
    if (!off) write(st);
    return { st: st, fresh: fresh };
  }
  function send(body) {
    var json = JSON.stringify(body);
    if (!(n.sendBeacon && n.sendBeacon(api, json))) fetch(api, { method: 'POST', body: json, keepalive: true, credentials: 'omit' });
  }
  function view() {
    if (!ok) return;
    var x = state();
    send({ k: 'view', u: location.href, r: d.referrer, s: x.st.s, v: x.st.v, n: x.fresh ? 1 : 0, g: given });
  }
  function track(kind, o) {
    if (!ok) return;
    o = o || {};
    var st = state().st;
    function go(e) {
      send({ k: kind, u: location.href, s: st.s, v: st.v, id: o.id == null ? id() : String(o.id), val: o.value, cur: o.currency, e: e, c: st.c[st.c.length - 1], g: given });
    }
    if (o.email && w.crypto && crypto.subtle) {
      crypto.subtle.digest('SHA-256', new TextEncoder().encode(String(o.email).trim().toLowerCase())).then(function (h) {
        go(Array.prototype.map.call(new Uint8Array(h), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join(''));
      });
    } else go(o.emailSha256);
  }
  w.publisher = {
    track: track,
    consent: function (yes) {
      var was = ok;
      ok = !!yes;
      given = ok ? 1 : 0;
      if (ok && !was) view();
      if (!ok) d.cookie = C + '=;path=/;max-age=0';
    },
    visitorId: function () { var c = read(); return c ? c.v : null; }
  };
  view();
})(window, document, navigator);
