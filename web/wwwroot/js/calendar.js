// The calendar: colours, click-to-start on empty days, drag and drop and the reschedule dialog.
// Every move is asked of the server (/api/calendar/move); a refusal is shown and the entry goes back.
(() => {
  const hex = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
  // Colours come from data attributes: the page's policy allows no inline style.
  for (const el of document.querySelectorAll("[data-color]")) {
    if (hex.test(el.dataset.color)) el.style.setProperty("--c", el.dataset.color);
  }

  const root = document.getElementById("calendar");
  if (!root) return;
  const status = document.getElementById("calendar-status");
  const view = root.dataset.view;
  const canMove = root.dataset.canMove === "true";

  function say(text, isError) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", !!isError);
    status.classList.toggle("ok", !isError && !!text);
  }

  // A click on the empty part of a day or hour starts a message there.
  root.addEventListener("click", (event) => {
    const cell = event.target.closest("[data-drop]");
    if (!cell || event.target.closest(".message-group, a, button")) return;
    const add = cell.querySelector(":scope > [data-add]");
    if (add) window.location.href = add.href;
  });

  if (!canMove) return;

  function targetFor(date, time) {
    if (view === "week") {
      const hour = String(parseInt(time.slice(0, 2), 10));
      return root.querySelector(`[data-drop][data-date="${date}"][data-hour="${hour}"]`);
    }
    if (view === "month") return root.querySelector(`.month-day[data-date="${date}"]`);
    return null;
  }

  // Puts the entry in its message's group in the target cell, making that group if needed.
  function placeIn(entry, target) {
    const from = entry.closest(".message-group");
    let group = target.querySelector(`:scope > .message-group[data-message="${from.dataset.message}"]`);
    let created = false;
    if (!group) {
      group = document.createElement("article");
      group.className = "message-group";
      group.dataset.message = from.dataset.message;
      group.appendChild(from.querySelector("h3").cloneNode(true));
      target.appendChild(group);
      created = true;
    }
    if (group !== from) group.appendChild(entry);
    return { group, created };
  }

  function remember(entry) {
    const group = entry.closest(".message-group");
    return { group, next: entry.nextSibling, parent: group.parentElement, parentNext: group.nextSibling };
  }

  function restore(entry, origin, placed) {
    if (!origin.group.isConnected) origin.parent.insertBefore(origin.group, origin.parentNext);
    origin.group.hidden = false;
    origin.group.insertBefore(entry, origin.next && origin.next.parentNode === origin.group ? origin.next : null);
    if (placed && placed.created && placed.group !== origin.group && !placed.group.querySelector(".entry")) placed.group.remove();
  }

  function tidy(origin) {
    if (!origin.group.querySelector(".entry")) origin.group.remove();
  }

  function update(entry, answer) {
    entry.dataset.date = answer.date;
    entry.dataset.time = answer.time;
    const time = entry.querySelector("time");
    time.textContent = answer.time;
    time.setAttribute("datetime", `${answer.date}T${answer.time}`);
    const badge = entry.querySelector(".state");
    badge.className = "state state-" + answer.state.toLowerCase();
    badge.textContent = answer.badge;
  }

  async function ask(path, body) {
    try {
      const response = await window.publisher.api(path, { method: "POST", body: JSON.stringify(body) });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) return { ok: true, answer };
      return { ok: false, error: answer.error || answer.detail || "The move did not go through: reload the page and try again." };
    } catch {
      return { ok: false, error: "Publisher could not be reached: check your connection and try again." };
    }
  }

  // The account and the message's title, as the entry shows them.
  function what(entry) {
    const title = entry.closest(".message-group").querySelector("h3").textContent.trim();
    return `${entry.querySelector(".channel").title}: ${title}`;
  }

  function describe(entry, answer) {
    return `${what(entry)} moved to ${answer.date} ${answer.time}.`;
  }

  // After a move from the dialog (or one the server placed), show the entry where it now is. The words are
  // taken first: an entry moved out of the view leaves the page, and its message's title with it.
  // Returns whether the entry is still on the page.
  function showMoved(entry, answer) {
    const words = describe(entry, answer);
    const origin = remember(entry);
    update(entry, answer);
    const target = targetFor(answer.date, answer.time);
    if (target) {
      placeIn(entry, target);
      tidy(origin);
    } else if (view !== "list") {
      entry.remove();
      tidy(origin);
    }
    const stays = !!target || view === "list";
    say(words + (stays ? "" : " It is outside this view now."), false);
    return stays;
  }

  // Drag and drop.
  let dragged = null;
  root.addEventListener("dragstart", (event) => {
    const entry = event.target.closest && event.target.closest(".entry[draggable=true]");
    if (!entry) return;
    dragged = entry;
    entry.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", entry.dataset.variant);
  });
  root.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    for (const el of root.querySelectorAll(".drop-over")) el.classList.remove("drop-over");
  });
  root.addEventListener("dragover", (event) => {
    const cell = event.target.closest("[data-drop]");
    if (!cell || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    for (const el of root.querySelectorAll(".drop-over")) if (el !== cell) el.classList.remove("drop-over");
    cell.classList.add("drop-over");
  });
  root.addEventListener("drop", async (event) => {
    const cell = event.target.closest("[data-drop]");
    const entry = dragged;
    dragged = null;
    if (!cell || !entry) return;
    event.preventDefault();
    cell.classList.remove("drop-over");
    const date = cell.dataset.date;
    // Month: the same time on another day. Week: the hour dropped on, keeping the minutes.
    const time = view === "week" ? `${cell.dataset.hour.padStart(2, "0")}:${entry.dataset.time.slice(3)}` : entry.dataset.time;
    if (date === entry.dataset.date && time === entry.dataset.time) return;
    const origin = remember(entry);
    const placed = placeIn(entry, cell);
    if (!origin.group.querySelector(".entry")) origin.group.hidden = true;
    entry.classList.add("moving");
    const result = await ask("/api/calendar/move", { variantId: entry.dataset.variant, date, time });
    entry.classList.remove("moving");
    if (result.ok) {
      update(entry, result.answer);
      tidy(origin);
      say(describe(entry, result.answer), false);
    } else {
      restore(entry, origin, placed);
      entry.classList.add("refused");
      setTimeout(() => entry.classList.remove("refused"), 1500);
      say(result.error, true);
    }
  });

  // The keyboard-accessible way: the reschedule dialog.
  const dialog = document.getElementById("move-dialog");
  if (!dialog) return;
  const form = dialog.querySelector("form");
  const error = dialog.querySelector("[data-move-error]");
  let current = null;
  let opener = null;

  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move]");
    if (!button) return;
    current = button.closest(".entry");
    opener = button;
    dialog.querySelector("[data-move-what]").textContent = what(current);
    form.elements.date.value = current.dataset.date;
    form.elements.time.value = current.dataset.time;
    error.textContent = "";
    dialog.showModal();
    form.elements.date.focus();
  });

  async function finish(path, body) {
    const result = await ask(path, body);
    if (!result.ok) {
      error.textContent = result.error;
      return;
    }
    dialog.close();
    const stays = showMoved(current, result.answer);
    // Focus stays on the entry's Move button; when the entry left the view, on the confirmation that says where it went.
    if (stays && opener && opener.isConnected) opener.focus();
    else if (status) status.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!current) return;
    finish("/api/calendar/move", { variantId: current.dataset.variant, date: form.elements.date.value, time: form.elements.time.value });
  });
  dialog.querySelector("[data-next-slot]").addEventListener("click", () => {
    if (current) finish("/api/calendar/next-slot", { variantId: current.dataset.variant });
  });
  dialog.querySelector("[data-move-cancel]").addEventListener("click", () => {
    dialog.close();
    if (opener && opener.isConnected) opener.focus();
  });
})();
