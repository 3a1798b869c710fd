// The editor's media: upload by drag and drop, file picker or paste, pick from the library, reorder, remove, write
// alt text, click to set the focal point. The list lives in hidden form fields (Input.Media[i].…) so saving posts it,
// and editor.js sends it with every render so each preview shows the media as its network lays them out.
// Everything the user typed or uploaded is inserted as text or attributes, never as markup.
(() => {
  const form = document.getElementById("message-form");
  const list = document.getElementById("attachments");
  if (!form || !list) return;
  const error = document.getElementById("media-error");
  const busy = document.getElementById("media-busy");
  let attachments = JSON.parse(document.getElementById("attachments-data")?.textContent || "[]");
  const changed = () => { render(); form.dispatchEvent(new Event("change", { bubbles: true })); };

  const showError = (text) => { error.textContent = text; error.hidden = !text; };

  const hidden = (name, value) => {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value ?? "";
    return input;
  };

  const button = (text, label, onClick) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  };

  function render() {
    list.replaceChildren(...attachments.map((a, i) => {
      const item = document.createElement("li");
      item.className = "attachment";
      item.dataset.asset = a.assetId;
      const frame = document.createElement("div");
      frame.className = "focal-frame";
      frame.title = "Click where a crop should keep";
      const img = document.createElement("img");
      img.src = a.thumbnailUrl;
      img.alt = "";
      img.draggable = false;
      frame.append(img);
      if (a.kind === "Video") {
        const play = document.createElement("span");
        play.className = "play-badge";
        play.textContent = "▶ video";
        frame.append(play);
      }
      if (a.focalX != null && a.focalY != null) {
        const dot = document.createElement("span");
        dot.className = "focal-dot";
        dot.style.left = `${a.focalX * 100}%`;
        dot.style.top = `${a.focalY * 100}%`;
        frame.append(dot);
      }
      frame.addEventListener("click", (e) => {
        const box = img.getBoundingClientRect();
        a.focalX = Math.min(1, Math.max(0, Math.round(((e.clientX - box.left) / box.width) * 1000) / 1000));
        a.focalY = Math.min(1, Math.max(0, Math.round(((e.clientY - box.top) / box.height) * 1000) / 1000));
        changed();
      });
      const fields = document.createElement("div");
      fields.className = "attachment-fields";
      const name = document.createElement("strong");
      name.textContent = a.fileName;
      const label = document.createElement("label");
      label.textContent = `Alt text for ${a.fileName} (required)`;
      label.htmlFor = `alt-${i}`;
      const alt = document.createElement("textarea");
      alt.id = `alt-${i}`;
      alt.name = `Input.Media[${i}].AltText`;
      alt.rows = 2;
      alt.className = "alt-text";
      alt.value = a.altText ?? "";
      alt.addEventListener("input", () => { a.altText = alt.value; });
      const actions = document.createElement("div");
      actions.className = "attachment-actions";
      if (i > 0) actions.append(button("↑", `Move ${a.fileName} up`, () => { attachments.splice(i - 1, 0, attachments.splice(i, 1)[0]); changed(); }));
      if (i < attachments.length - 1) actions.append(button("↓", `Move ${a.fileName} down`, () => { attachments.splice(i + 1, 0, attachments.splice(i, 1)[0]); changed(); }));
      actions.append(button("Remove", `Remove ${a.fileName}`, () => { attachments.splice(i, 1); changed(); }));
      fields.append(name, label, alt, actions,
        hidden(`Input.Media[${i}].AssetId`, a.assetId),
        hidden(`Input.Media[${i}].FocalX`, a.focalX),
        hidden(`Input.Media[${i}].FocalY`, a.focalY));
      item.append(frame, fields);
      return item;
    }));
  }

  const add = (asset) => {
    if (attachments.some((a) => a.assetId === asset.id)) { showError(`“${asset.fileName}” is attached already.`); return; }
    attachments.push({
      assetId: asset.id, fileName: asset.fileName, kind: asset.kind, altText: asset.altText ?? "", focalX: asset.focalX, focalY: asset.focalY,
      thumbnailUrl: asset.posterUrl ?? asset.thumbnailUrl, width: asset.width, height: asset.height,
    });
    changed();
  };

  async function upload(files) {
    showError("");
    for (const file of files) {
      busy.hidden = false;
      busy.textContent = `Uploading ${file.name} …`;
      try {
        const response = await fetch(`/api/media?name=${encodeURIComponent(file.name || "pasted-image.png")}`, {
          method: "POST", body: file, credentials: "same-origin",
          headers: { "Content-Type": file.type || "application/octet-stream", RequestVerificationToken: window.publisher.token() },
        });
        const body = await response.json().catch(() => null);
        if (response.ok && body) add(body);
        // The upload's own refusals carry "error"; a refusal made before it (the site's input guard) has the problem's "detail".
        else showError(body?.error ?? body?.detail ?? `${file.name} could not be uploaded (${response.status}). Try again.`);
      } catch {
        showError(`${file.name} could not be uploaded: the connection failed. Try again.`);
      } finally {
        busy.hidden = true;
      }
    }
  }

  const drop = document.getElementById("media-drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("dragging"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("dragging");
    if (e.dataTransfer?.files?.length) upload([...e.dataTransfer.files]);
  });
  document.getElementById("media-file").addEventListener("change", (e) => {
    upload([...e.target.files]);
    e.target.value = "";
  });
  form.addEventListener("paste", (e) => {
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    upload(files);
  });

  const dialog = document.getElementById("media-library");
  const search = document.getElementById("media-library-search");
  const items = document.getElementById("media-library-items");
  let searchTimer = 0;
  async function load() {
    const response = await fetch(`/api/media?q=${encodeURIComponent(search.value)}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const assets = await response.json();
    items.replaceChildren(...assets.map((asset) => {
      const li = document.createElement("li");
      const pick = document.createElement("button");
      pick.type = "button";
      const img = document.createElement("img");
      img.src = asset.posterUrl ?? asset.thumbnailUrl;
      img.alt = asset.altText ?? "";
      const caption = document.createElement("span");
      caption.textContent = asset.fileName;
      pick.append(img, caption);
      pick.addEventListener("click", () => { add(asset); dialog.close(); });
      li.append(pick);
      return li;
    }));
    if (assets.length === 0) {
      const li = document.createElement("li");
      li.textContent = "Nothing in the library matches.";
      items.append(li);
    }
  }
  document.getElementById("media-library-open").addEventListener("click", () => { dialog.showModal(); load(); });
  document.getElementById("media-library-close").addEventListener("click", () => dialog.close());
  search.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(load, 200); });

  // What editor.js sends with each render.
  window.publisher.attachments = () => attachments.map((a) => ({ assetId: a.assetId, altText: a.altText, focalX: a.focalX, focalY: a.focalY }));
  render();
})();
