// Shared by every page: API calls carry the antiforgery token from the page's meta tag.
window.publisher = {
  token: () => document.querySelector('meta[name="request-verification-token"]')?.content ?? "",
  async api(path, options = {}) {
    const headers = Object.assign({ "Content-Type": "application/json", RequestVerificationToken: window.publisher.token() }, options.headers);
    const response = await fetch(path, Object.assign({}, options, { headers, credentials: "same-origin" }));
    return response;
  },
};

// A page waiting on the worker (a connection test) marks an element with data-reload-after="seconds".
document.addEventListener("DOMContentLoaded", () => {
  const waiting = document.querySelector("[data-reload-after]");
  if (waiting) {
    const seconds = Number(waiting.getAttribute("data-reload-after")) || 3;
    setTimeout(() => window.location.reload(), seconds * 1000);
  }
});

// A preview's crop (X's 16:9, Mastodon's box) keeps the author's focal point, as the live editor's does. Set through
// the CSSOM: the pages' CSP allows no inline style attributes.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("img[data-focal]").forEach((img) => {
    if (/^\d{1,3}(\.\d)?% \d{1,3}(\.\d)?%$/.test(img.dataset.focal)) img.style.objectPosition = img.dataset.focal;
  });
});

// The phone menu: one disclosure button opens and closes the navigation (CSS shows both side by side on wide screens).
(() => {
  const toggle = document.getElementById("nav-toggle");
  const menu = document.getElementById("site-menu");
  if (!toggle || !menu) return;
  const set = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  };
  toggle.addEventListener("click", () => set(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      set(false);
      toggle.focus();
    }
  });
})();
