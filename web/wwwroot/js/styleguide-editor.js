// The style guide's YAML editor: checks the guide as the brand manager types (debounced) and lists
// what is wrong by line and column, before anything is saved. Clicking a problem selects its line.
(() => {
  const yaml = document.querySelector("[data-guide-yaml]");
  if (!yaml) return;
  const list = document.querySelector("[data-guide-diagnostics]");
  const status = document.querySelector("[data-guide-status]");
  let timer = 0;
  let sequence = 0;

  function selectLine(line) {
    const lines = yaml.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    yaml.focus();
    yaml.setSelectionRange(start, start + (lines[line - 1] ?? "").length);
    yaml.scrollTop = Math.max(0, (line - 5) * 20);
  }

  async function check() {
    const mine = ++sequence;
    const response = await window.publisher.api("/api/styleguide/validate", { method: "POST", body: JSON.stringify({ yaml: yaml.value }) });
    if (mine !== sequence || !response.ok) return;
    const result = await response.json();
    list.replaceChildren(...result.diagnostics.map((d) => {
      const li = document.createElement("li");
      li.className = `diag-${d.severity}`;
      li.textContent = (d.line ? `Line ${d.line}, column ${d.column}: ` : "") + d.message;
      if (d.line) {
        li.dataset.line = String(d.line);
        li.classList.add("clickable");
        li.addEventListener("click", () => selectLine(d.line));
      }
      return li;
    }));
    const errors = result.diagnostics.filter((d) => d.severity === "error").length;
    status.textContent = errors === 0 ? "The guide is valid." : `${errors} error${errors === 1 ? "" : "s"}: saving is refused until fixed.`;
    status.classList.toggle("diag-error", errors > 0);
  }

  yaml.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
})();
