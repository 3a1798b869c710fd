// A variant's link card form (Edit page): when the author has not written a card yet, it starts from the page's own
// card (read by the server through its outbound guard), so editing the title changes only the title.
(() => {
  const field = (name) => document.querySelector(`[name="Input.${name}"]`)?.value ?? "";
  for (const form of document.querySelectorAll("[data-card-form]")) {
    const title = form.querySelector("[data-card-title]");
    if (!title || title.value) continue;
    // The card is read from where the message's link leads (the variant's may be the tracked short link).
    const params = new URLSearchParams({ url: field("Link") || form.dataset.cardLink, title: field("Title"), summary: field("Summary") });
    fetch(`/api/link-card?${params}`, { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null)
      .then((card) => {
        if (!card || title.value) return;
        title.value = card.title;
        const description = form.querySelector("[data-card-description]");
        if (!description.value) description.value = card.description;
        form.querySelector("[data-card-image]").value = card.pageImageUrl ?? "";
        form.dataset.cardFilled = "";
      });
  }
})();
