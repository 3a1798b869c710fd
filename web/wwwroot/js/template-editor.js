// The channel template editor: checks the template as the brand manager types (debounced), marks
// the lines with errors in the gutter, and previews a sample message rendered with it.
(() => {
  const root = document.querySelector("[data-template-editor]");
  if (!root) return;
  const kind = root.dataset.kind;
  const source = root.querySelector("[data-source]");
  const gutter = root.querySelector("[data-gutter]");
  const list = root.querySelector("[data-diagnostics]");
  const status = root.querySelector("[data-status]");
  const save = root.querySelector("[data-save]");
  const $ = (name) => root.querySelector(`[data-${name}]`);
  const previewForm = document.createElement("form");
  previewForm.method = "post";
  previewForm.action = "/api/templates/preview";
  previewForm.target = $("preview-frame").name;
  previewForm.hidden = true;
  for (const [name, value] of [["kind", kind], ["source", ""], ["__RequestVerificationToken", ""]]) {
    const input = document.createElement("textarea");
    input.name = name;
    input.value = value;
    previewForm.append(input);
  }
  root.append(previewForm);
  let timer = 0;
  let sequence = 0;

  function element(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function drawGutter(diagnostics) {
    const lines = source.value.split("\n").length;
    const messages = new Map();
    for (const d of diagnostics) {
      if (d.line && d.severity !== "info") {
        const list = messages.get(d.line) ?? [];
        list.push(d.message);
        messages.set(d.line, list);
      }
    }
    gutter.replaceChildren();
    for (let i = 1; i <= lines; i++) {
      const span = element("span", messages.has(i) ? "error" : "", String(i));
      span.dataset.line = String(i);
      if (messages.has(i)) span.title = messages.get(i).join("\n");
      gutter.append(span, "\n");
    }
    gutter.scrollTop = source.scrollTop;
  }

  function drawDiagnostics(target, diagnostics) {
    target.replaceChildren(...diagnostics.map((d) => {
      const li = element("li", `diag-${d.severity}`, (d.line ? `Line ${d.line}, column ${d.column}: ` : "") + d.message);
      if (d.line) li.dataset.line = String(d.line);
      return li;
    }));
  }

  function drawPreview(p) {
    const counter = $("counter");
    counter.textContent = p.count.limit ? `${p.count.used}/${p.count.limit} ${p.count.unit}` : "";
    counter.classList.toggle("over", !!p.count.overLimit);
    $("subject").textContent = p.subject ? `Subject: ${p.subject}` + (p.preheader ? ` · ${p.preheader}` : "") : "";
    const isHtml = typeof p.html === "string" && p.html.length > 0;
    $("preview-text").textContent = isHtml ? "" : (p.jsonPayload ?? p.text ?? "");
    const parts = $("preview-parts");
    parts.replaceChildren(...(p.parts ?? []).map((part, i) => {
      const div = element("div", "thread-part");
      div.append(element("small", "counter", `Post ${i + 1} · ${part.used}/${part.limit}`), element("div", "preview-text", part.text));
      return div;
    }));
    if (parts.childElementCount > 0) $("preview-text").textContent = "";
    const frame = $("preview-frame");
    frame.hidden = !isHtml;
    $("preview-source").hidden = !isHtml;
    if (isHtml) {
      // Posted into a sandboxed frame as a document of its own (with its own strict policy), so the
      // email's inline styles show; srcdoc would inherit this page's policy and drop them.
      previewForm.elements.source.value = source.value;
      previewForm.elements.__RequestVerificationToken.value = window.publisher.token();
      previewForm.submit();
      $("preview-html").textContent = p.html;
    }
    drawDiagnostics($("preview-diagnostics"), p.diagnostics ?? []);
  }

  async function check() {
    const mine = ++sequence;
    status.textContent = "Checking…";
    try {
      const response = await window.publisher.api("/api/templates/validate", { method: "POST", body: JSON.stringify({ kind, source: source.value }) });
      if (mine !== sequence) return;
      if (!response.ok) {
        status.textContent = `Could not check the template (HTTP ${response.status}).`;
        return;
      }
      const result = await response.json();
      drawGutter(result.diagnostics);
      drawDiagnostics(list, result.diagnostics);
      const errors = result.diagnostics.filter((d) => d.severity === "error").length;
      status.textContent = errors === 0 ? "No errors." : `${errors} error${errors === 1 ? "" : "s"}: fix ${errors === 1 ? "it" : "them"} to save.`;
      status.classList.toggle("diag-error", errors > 0);
      save.disabled = errors > 0;
      drawPreview(result.preview);
    } catch (e) {
      if (mine === sequence) status.textContent = "Could not reach the server to check the template.";
    }
  }

  source.addEventListener("input", () => {
    drawGutter([]);
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  source.addEventListener("scroll", () => { gutter.scrollTop = source.scrollTop; });
  // Tab indents instead of leaving the editor.
  source.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) return;
    e.preventDefault();
    source.setRangeText("  ", source.selectionStart, source.selectionEnd, "end");
    source.dispatchEvent(new Event("input"));
  });
  check();
})();
