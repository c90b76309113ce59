// The entity picker, enhanced: candidates appear as one types (cases/picker.html).
// Without this file the "Find" button posts the search with the form and the server lists
// the same candidates. The name goes in a POST body (never in a URL), with the form's CSRF
// token; the answer is built into the page with DOM calls only (no HTML from the server).
"use strict";

(function () {
  const WAIT_MS = 250;
  const MIN_LENGTH = 2;

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }

  function candidateItem(candidate, picked, born) {
    const item = document.createElement("li");
    const label = document.createElement("label");
    const radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "pick";
    radio.value = candidate.id;
    radio.checked = candidate.id === picked;
    label.append(radio, " ", text("strong", candidate.name));
    const details = [candidate.kind_label];
    if (candidate.birth_dates.length) details.push(`${born} ${candidate.birth_dates.join(", ")}`);
    details.push(...candidate.lists, ...candidate.positions, ...candidate.roles);
    item.append(label, " ", text("span", details.join(" · "), "details"));
    return item;
  }

  function enhance(fieldset) {
    const form = fieldset.closest("form");
    const box = fieldset.querySelector("input[name=query]");
    const list = fieldset.querySelector("ul.candidates");
    const status = fieldset.querySelector(".picker-status");
    const token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!form || !box || !list || !token) return;
    let timer = null;
    let asked = 0;

    async function search() {
      const query = box.value.trim();
      if (query.length < MIN_LENGTH) return;
      const number = ++asked;
      let answer;
      try {
        const response = await fetch(fieldset.dataset.endpoint, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token.value },
          body: JSON.stringify({ query, kind: fieldset.dataset.picker || "any" }),
        });
        if (!response.ok) return; // the "Find" button still works
        answer = await response.json();
      } catch (error) {
        return;
      }
      if (number !== asked) return; // a later keystroke's answer will come
      const checked = form.querySelector("input[name=pick]:checked");
      const picked = checked ? checked.value : "";
      list.replaceChildren(
        ...answer.candidates.map((c) => candidateItem(c, picked, fieldset.dataset.born)),
      );
      status.textContent = answer.candidates.length
        ? fieldset.dataset.found
        : fieldset.dataset.nobody;
      const newName = fieldset.querySelector("input[name=new_name]");
      if (newName && !newName.value) newName.placeholder = query;
    }

    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, WAIT_MS);
    });
    fieldset.classList.add("live");
  }

  document.querySelectorAll("fieldset[data-picker]").forEach(enhance);
})();
