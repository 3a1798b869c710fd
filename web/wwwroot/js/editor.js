// The message editor: every change re-renders the chosen channels through POST /api/render and shows
// each variant as its network would, with the style guide's findings highlighted in place.
// Everything the user typed is inserted as text nodes only: nothing typed can become markup here.
(() => {
  const form = document.getElementById("message-form");
  if (!form) return;
  let timer = 0;
  let sequence = 0;
  const field = (name) => form.elements[`Input.${name}`];
  const value = (name) => field(name)?.value ?? "";
  const editBox = (card) => (card.dataset.edit ? document.getElementById(card.dataset.edit) : null);

  const fields = () => {
    const accountIds = [...form.querySelectorAll("input[name='Input.AccountIds']:checked")].map((c) => c.value);
    const edits = {};
    const accepted = {};
    document.querySelectorAll(".preview-card").forEach((card) => {
      if (!accountIds.includes(card.dataset.account)) return;
      const box = editBox(card);
      if (box) edits[card.dataset.account] = box.value;
      if (card.dataset.accepted) accepted[card.dataset.account] = card.dataset.accepted.split("\n");
    });
    return {
      message: {
        title: value("Title"),
        body: value("Body"),
        summary: value("Summary") || null,
        link: value("Link") || null,
        callToAction: value("CallToAction") || null,
        hashtags: value("Hashtags").split(/[\s,]+/).map((t) => t.replace(/^#/, "")).filter(Boolean),
        keyFacts: value("KeyFacts").split("\n").map((t) => t.trim()).filter(Boolean),
        campaignId: value("CampaignId") || null,
        sponsored: !!field("IsSponsored")?.checked,
      },
      accountIds,
      edits,
      accepted,
      messageId: form.dataset.messageId || null,
      media: window.publisher.attachments ? window.publisher.attachments() : [],
    };
  };

  // Links, hashtags, mentions and cashtags coloured exactly where the render API says the network finds them
  // (X's entities, Bluesky's facets, Mastodon's rules): the same server-side extraction the saved previews use.
  const entityClass = { link: "t-link", hashtag: "t-tag", cashtag: "t-tag", mention: "t-mention" };
  const styled = (container, text, from, to, entities) => {
    let at = from;
    for (const e of entities) {
      const cls = entityClass[e.type];
      const start = Math.max(e.start, from);
      const end = Math.min(e.end, to);
      if (!cls || end <= start || start < at) continue;
      if (start > at) container.append(document.createTextNode(text.slice(at, start)));
      const span = document.createElement("span");
      span.className = cls;
      if (e.type === "link") span.title = e.value;
      span.textContent = text.slice(start, end);
      container.append(span);
      at = end;
    }
    if (at < to) container.append(document.createTextNode(text.slice(at, to)));
  };

  const mark = (finding) => {
    const m = document.createElement("mark");
    m.className = `finding finding-${finding.severity}${finding.accepted ? " accepted" : ""}`;
    m.title = finding.message;
    m.dataset.rule = finding.ruleId;
    return m;
  };

  // Text with each finding's span (start/length in this text) highlighted, the entities coloured inside and out.
  const withFindings = (container, text, spans, entities = [], to = text.length) => {
    const sorted = [...entities].sort((a, b) => a.start - b.start);
    let last = 0;
    for (const s of spans.filter((f) => f.length > 0).sort((a, b) => a.start - b.start)) {
      if (s.start < last || s.start + s.length > to) continue;
      styled(container, text, last, s.start, sorted);
      const m = mark(s);
      styled(m, text, s.start, s.start + s.length, sorted);
      container.append(m);
      last = s.start + s.length;
    }
    styled(container, text, last, to, sorted);
  };

  // A finding may mark several places (reading ease marks each sentence that pulls the score down): one mark each.
  const spansOf = (findings) => findings.flatMap((f) => (f.highlights?.length
    ? f.highlights.map((h) => ({ ...f, start: h.start, length: h.length, matchedText: h.text }))
    : [f]));

  // In a thread part the linter's offsets do not apply: find each finding's text in the part instead.
  const inPart = (text, findings) => findings
    .filter((f) => f.length > 0 && f.matchedText)
    .map((f) => ({ ...f, start: text.indexOf(f.matchedText) }))
    .filter((f) => f.start >= 0);

  const applyFix = async (card, finding) => {
    const replaceIn = (input) => {
      const text = input.value;
      let at = text.slice(finding.start, finding.start + finding.length) === finding.matchedText ? finding.start : text.indexOf(finding.matchedText);
      if (at < 0) at = text.toLowerCase().indexOf(finding.matchedText.toLowerCase());
      if (at < 0) return false;
      let end = at + finding.matchedText.length;
      if (finding.fix === "") {
        // Taking a word out takes one space with it, as the server-side fix does.
        if (text[end] === " " && (at === 0 || text[at - 1] === " " || /[\p{L}\p{N}]/u.test(text[end + 1] ?? ""))) end += 1;
        else if (at > 0 && text[at - 1] === " ") at -= 1;
      }
      input.value = text.slice(0, at) + finding.fix + text.slice(end);
      return true;
    };
    let target;
    if (finding.field === "body") target = editBox(card) ?? field("Body");
    else if (finding.field === "title" || finding.field === "subject") target = field("Title");
    if (target && replaceIn(target)) {
      await render();
      // The fixed finding's button is gone with it: keep the keyboard in the card, on the next fix, or back in the field.
      const next = card.querySelector("button.fix");
      (next ?? target).focus();
    } else if (target) {
      target.focus();
    }
  };

  // The email and blog previews: the rendered document in a sandboxed frame, served by the app under its own strict policy.
  const showHtml = (card, url) => {
    const box = card.querySelector("[data-html]");
    if (!box) return;
    box.hidden = !url;
    const textPart = card.querySelector("[data-text-part]");
    if (!url) {
      if (textPart) textPart.open = true; // a hand edit is text only: show it
      return;
    }
    if (box.dataset.url === url) return; // same content, same address: nothing to reload
    box.dataset.url = url;
    // A new frame rather than a new address for the old one, which would add every keystroke to the browser's history;
    // the old frame stays until the new one has loaded, so the preview does not flicker.
    for (const pending of box.querySelectorAll("iframe.loading")) pending.remove();
    const frame = document.createElement("iframe");
    frame.className = "html-preview loading";
    frame.setAttribute("sandbox", "");
    frame.title = box.dataset.title;
    frame.addEventListener("load", () => {
      for (const old of box.querySelectorAll("iframe")) if (old !== frame) old.remove();
      frame.classList.remove("loading");
    }, { once: true });
    frame.src = url;
    box.append(frame);
  };

  // One short summary for screen readers, spoken only when it changes.
  const summary = document.getElementById("preview-summary");
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const announce = (variants) => {
    if (!summary) return;
    const over = variants.filter((v) => v.count?.overLimit).length;
    const count = (severity) => variants.reduce((n, v) => n
      + v.findings.filter((f) => f.severity === severity && !f.accepted).length
      + v.diagnostics.filter((d) => d.severity === severity).length, 0);
    const errors = count("error");
    const warnings = count("warning");
    const problems = [over ? `${over} over the limit` : "", errors ? plural(errors, "error") : "", warnings ? plural(warnings, "warning") : ""].filter(Boolean);
    const text = `${plural(variants.length, "preview")}: ${problems.length ? problems.join(", ") : "no errors or warnings"}.`;
    if (summary.textContent !== text) summary.textContent = text;
  };

  // The link's card as the post will carry it: the page's Open Graph title, description and image, read by the server
  // through its outbound guard, or the message's title and summary when the page cannot be read. One read per address
  // and wording; the card shows the message's title until the answer comes.
  const linkCards = new Map();
  const showLinkCard = (element, href) => {
    const title = value("Title");
    const summary = value("Summary");
    const key = JSON.stringify([href, title, summary]);
    const fill = (card) => {
      if (element.dataset.cardKey !== key) return;
      element.querySelector("[data-linkpath]").textContent = card ? card.title : title;
      const description = element.querySelector("[data-linkdescription]");
      description.textContent = card ? card.description : summary;
      description.hidden = !description.textContent;
      const image = element.querySelector("[data-linkimage]");
      image.hidden = !card?.imageUrl;
      if (card?.imageUrl) image.src = card.imageUrl; else image.removeAttribute("src");
    };
    element.dataset.cardKey = key;
    if (!linkCards.has(key)) {
      linkCards.set(key, fetch(`/api/link-card?${new URLSearchParams({ url: href, title, summary })}`, { headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    fill(null);
    linkCards.get(key).then(fill);
  };

  const show = (variant) => {
    const card = document.querySelector(`.preview-card[data-account="${variant.accountId}"]`);
    if (!card) return;
    card.hidden = false;
    const counter = card.querySelector("[data-counter]");
    const { used, limit, overLimit, threaded } = variant.count;
    // A thread is counted post by post: each part against the limit; the whole is no error.
    counter.textContent = threaded
      ? `${variant.parts.length} posts: ${variant.parts.map((p) => (p.count.limit ? `${p.count.used}/${p.count.limit}` : `${p.count.used}`)).join(" · ")}`
      : limit ? `${used}/${limit}` : `${used}`;
    counter.classList.toggle("over", overLimit);
    card.classList.toggle("has-error", !variant.success);
    const score = card.querySelector("[data-score]");
    score.textContent = `score ${variant.score}`;
    score.className = `score ${variant.score >= 90 ? "good" : variant.score >= 70 ? "fair" : "poor"}`;

    const findings = variant.findings;
    const bodyFindings = spansOf(findings.filter((f) => f.field === "body"));
    const subject = card.querySelector("[data-subject]");
    subject.hidden = !variant.subject;
    subject.replaceChildren();
    if (variant.subject) withFindings(subject, variant.subject, spansOf(findings.filter((f) => f.field === "subject")));
    showHtml(card, variant.htmlUrl);

    const text = card.querySelector("[data-text]");
    text.replaceChildren();
    const shown = variant.edited ? variant.editText : variant.text;
    if (threaded) {
      variant.parts.forEach((p, i) => {
        const part = document.createElement("div");
        part.className = "thread-part";
        const number = document.createElement("span");
        number.className = "part-no";
        number.textContent = `${i + 1}/${variant.parts.length}`;
        part.append(number);
        const body = document.createElement("div");
        withFindings(body, p.text, inPart(p.text, bodyFindings), p.entities);
        part.append(body);
        text.append(part);
      });
    } else if (overLimit && limit) {
      // Mark roughly what does not fit: the last (used − limit) characters.
      const chars = [...shown];
      const cut = chars.slice(0, Math.max(0, chars.length - (used - limit))).join("");
      const head = document.createElement("span");
      withFindings(head, shown, bodyFindings, variant.entities, cut.length);
      const tail = document.createElement("span");
      tail.className = "over-limit";
      tail.title = `Past the ${limit} limit`;
      tail.textContent = shown.slice(cut.length);
      text.append(head, tail);
    } else {
      withFindings(text, shown, bodyFindings, variant.entities);
    }

    showMedia(card, variant.media ?? []);

    const card_ = card.querySelector("[data-linkcard]");
    let url = null;
    try { url = variant.link ? new URL(variant.link) : null; } catch { url = null; }
    // The variant's own card (saved on the Edit page) goes out as it is, or none at all when it was removed; so does the
    // card read from the page when the variant was saved.
    const own = card.dataset.card;
    card_.hidden = !url || !/^https?:$/.test(url.protocol) || own === "removed";
    // The card stored from the page at the last save is what goes out, while the link still leads to that page.
    const stored = own === "stored" && value("Link").trim() === card.dataset.cardPage;
    if (!card_.hidden && (own === "edited" || stored)) {
      card_.href = url.href;
      card_.querySelector("[data-linkhost]").textContent = url.hostname;
      delete card_.dataset.cardKey;
      card_.querySelector("[data-linkpath]").textContent = card.dataset.cardTitle;
      const description = card_.querySelector("[data-linkdescription]");
      description.textContent = card.dataset.cardDescription ?? "";
      description.hidden = !description.textContent;
      const image = card_.querySelector("[data-linkimage]");
      image.hidden = !card.dataset.cardImage;
      if (card.dataset.cardImage) image.src = card.dataset.cardImage; else image.removeAttribute("src");
    } else if (!card_.hidden) {
      card_.href = url.href;
      card_.querySelector("[data-linkhost]").textContent = url.hostname;
      // The variant's link may be the app's tracked address: the card is read from where the message's link leads.
      let destination = url.href;
      try { const own = new URL(value("Link")); if (/^https?:$/.test(own.protocol)) destination = own.href; } catch { /* the variant's own */ }
      showLinkCard(card_, destination);
    }

    // Too long for one post: offer the thread (threads are an account setting), or say what the template left out.
    const fit = card.querySelector("[data-fit]");
    fit.replaceChildren();
    const tooLong = variant.diagnostics.some((d) => d.code === "variant.too-long");
    const leftOut = variant.diagnostics.filter((d) => d.code === "variant.left-out");
    if (tooLong && card.dataset.threads === "off" && ["X", "Mastodon", "Bluesky", "Threads"].includes(card.dataset.kind)) {
      const allow = document.createElement("a");
      allow.href = `/Channels#account-${variant.accountId}`;
      allow.dataset.allowThreads = "";
      allow.textContent = `allow threads for ${card.dataset.name}`;
      fit.append(document.createTextNode("Too long for one post: shorten it, or "), allow,
        document.createTextNode(" and it goes out as a numbered thread."));
    }
    leftOut.forEach((d) => {
      if (fit.childNodes.length) fit.append(document.createElement("br"));
      fit.append(document.createTextNode(d.message));
    });
    fit.hidden = !fit.childNodes.length;

    const list = card.querySelector("[data-diagnostics]");
    list.replaceChildren(...variant.diagnostics.filter((d) => d.severity !== "info").map((d) => {
      const item = document.createElement("li");
      item.className = `diag diag-${d.severity}`;
      item.textContent = d.message;
      return item;
    }));
    const found = card.querySelector("[data-findings]");
    found.replaceChildren(...findings.map((f) => {
      const item = document.createElement("li");
      item.className = `finding-item finding-${f.severity}${f.accepted ? " accepted" : ""}`;
      item.dataset.rule = f.ruleId;
      const sev = document.createElement("span");
      sev.className = "sev";
      sev.textContent = f.accepted ? "accepted" : f.severity;
      item.append(sev, document.createTextNode(` ${f.message}`));
      if (f.fix !== null && f.fix !== undefined && f.length > 0) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "fix";
        button.textContent = f.fix === "" ? "Fix: remove it" : `Fix: “${f.fix}”`;
        button.addEventListener("click", () => applyFix(card, f));
        item.append(document.createTextNode(" "), button);
      }
      return item;
    }));
  };

  // The media as the network lays them out: a grid by count, cropped or not by the network's rule (site.css), the
  // focal point kept where a crop cuts, and the alt text on each image.
  const showMedia = (card, media) => {
    const grid = card.querySelector("[data-media]");
    if (!grid) return;
    grid.hidden = media.length === 0;
    grid.className = `media-grid count-${Math.min(media.length, 4)}${media.length > 4 ? " count-many" : ""}`;
    grid.replaceChildren(...media.map((m) => {
      const figure = document.createElement("figure");
      figure.className = `media-item media-${m.kind}`;
      const img = document.createElement("img");
      img.src = m.kind === "video" ? m.posterUrl : m.url;
      img.alt = m.alt;
      img.width = m.width;
      img.height = m.height;
      if (m.width && m.height) figure.style.setProperty("--ratio", `${m.width} / ${m.height}`);
      if (m.focalX != null && m.focalY != null) img.style.objectPosition = `${m.focalX * 100}% ${m.focalY * 100}%`;
      figure.append(img);
      if (m.kind === "video") {
        const play = document.createElement("span");
        play.className = "play-badge";
        play.textContent = "▶";
        figure.append(play);
      }
      const alt = document.createElement("figcaption");
      alt.className = m.alt ? "alt-text" : "alt-text missing";
      alt.textContent = m.alt ? `ALT: ${m.alt}` : "No alt text";
      figure.append(alt);
      return figure;
    }));
  };

  const render = async () => {
    clearTimeout(timer);
    const request = fields();
    document.querySelectorAll(".preview-card").forEach((card) => {
      card.hidden = !request.accountIds.includes(card.dataset.account);
    });
    if (request.accountIds.length === 0) return;
    const mine = ++sequence;
    let response;
    try {
      response = await window.publisher.api("/api/render", { method: "POST", body: JSON.stringify(request) });
    } catch {
      return; // offline for a moment: the next keystroke tries again
    }
    if (mine !== sequence) return; // a newer request is on its way
    if (!response.ok) return;
    const data = await response.json();
    data.variants.forEach(show);
    announce(data.variants);
  };

  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(render, 150);
  };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  // Typing in "Edit this variant" previews that variant from the edit from then on.
  document.querySelectorAll(".manual-edit textarea").forEach((box) => box.addEventListener("input", () => {
    const card = document.querySelector(`.preview-card[data-account="${box.dataset.account}"]`);
    if (card) card.dataset.edit = box.id;
    soon();
  }));
  const zone = field("TimeZone");
  const zoneShown = document.querySelector("#zone-shown strong");
  zone?.addEventListener("change", () => { if (zoneShown) zoneShown.textContent = zone.value; });
  if (value("Title") || value("Body")) render();
})();
