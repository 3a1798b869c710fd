// Live previews: every change re-renders all chosen channels through POST /api/render.
(() => {
  const form = document.getElementById("message-form");
  if (!form) return;
  let timer = 0;
  let sequence = 0;

  const fields = () => {
    const value = (name) => form.elements[name]?.value ?? "";
    return {
      message: {
        title: value("title"),
        body: value("body"),
        summary: value("summary") || null,
        link: value("link") || null,
        callToAction: value("callToAction") || null,
        hashtags: value("hashtags").split(/[\s,]+/).filter(Boolean),
      },
      accountIds: [...form.querySelectorAll("input[name=accountIds]:checked")].map((c) => c.value),
    };
  };

  // Text is inserted as text nodes only: nothing the user types can become markup here.
  const styled = (container, text) => {
    container.replaceChildren();
    const pattern = /(https?:\/\/[^\s]+)|([#@][\p{L}\p{N}_]+)/gu;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      if (match.index > last) container.append(document.createTextNode(text.slice(last, match.index)));
      const span = document.createElement("span");
      span.className = match[1] ? "t-link" : "t-tag";
      span.textContent = match[0];
      container.append(span);
      last = match.index + match[0].length;
    }
    if (last < text.length) container.append(document.createTextNode(text.slice(last)));
  };

  const show = (variant) => {
    const card = document.querySelector(`.preview-card[data-account="${variant.accountId}"]`);
    if (!card) return;
    card.hidden = false;
    const counter = card.querySelector("[data-counter]");
    const { used, limit, overLimit } = variant.count;
    counter.textContent = limit ? `${used}/${limit}` : `${used}`;
    counter.classList.toggle("over", overLimit);
    card.classList.toggle("has-error", !variant.success);
    const text = card.querySelector("[data-text]");
    if (variant.parts.length > 1) {
      text.replaceChildren(...variant.parts.map((p) => {
        const part = document.createElement("div");
        part.className = "thread-part";
        styled(part, p.text);
        return part;
      }));
    } else {
      styled(text, variant.subject ? `${variant.subject}\n\n${variant.text}` : variant.text);
    }
    const list = card.querySelector("[data-diagnostics]");
    list.replaceChildren(...variant.diagnostics.map((d) => {
      const item = document.createElement("li");
      item.className = `diag diag-${d.severity}`;
      item.textContent = d.message;
      return item;
    }));
  };

  const render = async () => {
    const request = fields();
    document.querySelectorAll(".preview-card").forEach((card) => {
      card.hidden = !request.accountIds.includes(card.dataset.account);
    });
    if (request.accountIds.length === 0) return;
    const mine = ++sequence;
    const response = await window.publisher.api("/api/render", { method: "POST", body: JSON.stringify(request) });
    if (mine !== sequence) return; // a newer request is on its way
    if (!response.ok) return;
    const data = await response.json();
    data.variants.forEach(show);
  };

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(render, 150);
  });
})();
