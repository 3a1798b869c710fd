// Answers what the networks' own libraries make of each text, as JSON, for Publisher's differential tests.
// Input: a JSON array of strings (file named by the first argument). Output (stdout): one JSON object with
// the answer for every text, in order, and the data the libraries decide with (Bluesky's list of TLDs).
//
// X: twitter-text 3.1.0's parseTweet (weighted length, validity) and extractEntitiesWithIndices (UTF-16 ranges).
// Bluesky: @atproto/api's RichText.detectFacetsWithoutResolution, then the link shortening Bluesky's app applies
// before it posts (each link's text becomes host + path/query/fragment, cut to 13 characters and "..." past 15;
// written here from that public rule), so the text, facets and grapheme count are those of the post as sent.
'use strict';
const fs = require('fs');
const twitter = require('twitter-text');
const { RichText, UnicodeString } = require('@atproto/api');
const tlds = require('tlds');

const texts = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

function xAnswer(text) {
  const parsed = twitter.parseTweet(text);
  const entities = twitter.extractEntitiesWithIndices(text).map((e) => {
    const [start, end] = e.indices;
    if (e.url !== undefined) return { type: 'url', start, end, value: e.url };
    if (e.hashtag !== undefined) return { type: 'hashtag', start, end, value: e.hashtag };
    if (e.cashtag !== undefined) return { type: 'cashtag', start, end, value: e.cashtag };
    return { type: 'mention', start, end, value: e.screenName + (e.listSlug || '') };
  });
  return { weightedLength: parsed.weightedLength, valid: parsed.valid, entities };
}

// The short form Bluesky's app shows for a link's text; text that is not an http(s) URL stays as it is.
function shortForm(linkText) {
  let url;
  try {
    url = new URL(linkText);
  } catch {
    return linkText;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return linkText;
  const rest = (url.pathname === '/' ? '' : url.pathname) + url.search + url.hash;
  return url.host + (rest.length > 15 ? rest.slice(0, 13) + '...' : rest);
}

function blueskyAnswer(text) {
  const rt = new RichText({ text });
  rt.detectFacetsWithoutResolution();
  for (const facet of rt.facets || []) {
    if (!facet.features.some((f) => f.$type === 'app.bsky.richtext.facet#link')) continue;
    const { byteStart, byteEnd } = facet.index;
    const original = rt.unicodeText.slice(byteStart, byteEnd);
    // The app also "replaces" a link whose short form is its own text; RichText.insert then moves the facets
    // after it by the inserted text's UTF-16 length instead of its UTF-8 length, which garbles the rest of the
    // post when that text is not ASCII (a link written without scheme, with a non-ASCII path). A short form
    // that differs is always ASCII (the URL parser encodes it), so leaving unchanged links alone is the app's
    // result wherever the app does not garble the text.
    const shownText = shortForm(original);
    if (shownText === original) continue;
    const shown = new UnicodeString(shownText);
    rt.insert(byteStart, shown.utf16);
    facet.index.byteStart = byteStart;
    facet.index.byteEnd = byteStart + shown.length;
    rt.delete(byteStart + shown.length, byteEnd + shown.length);
  }
  const facets = (rt.facets || []).map((facet) => {
    const feature = facet.features[0];
    const range = { byteStart: facet.index.byteStart, byteEnd: facet.index.byteEnd };
    switch (feature.$type) {
      case 'app.bsky.richtext.facet#link': return { type: 'link', ...range, value: feature.uri };
      case 'app.bsky.richtext.facet#tag': return { type: 'tag', ...range, value: feature.tag };
      // Unresolved, the mention carries its handle where the DID goes: resolving needs the network.
      default: return { type: 'mention', ...range, value: feature.did };
    }
  });
  return { text: rt.text, graphemes: rt.graphemeLength, facets };
}

const answers = texts.map((text) => ({ x: xAnswer(text), bluesky: blueskyAnswer(text) }));
process.stdout.write(JSON.stringify({ blueskyTlds: tlds, answers }));
