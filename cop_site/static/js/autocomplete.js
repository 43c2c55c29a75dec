// The search box as an accessible combobox (the WAI-ARIA 1.2 "list autocomplete" pattern): titles from
// /search/autocomplete/ appear in a listbox as the user types; Up and Down move through them, Enter puts the chosen
// title in the box, Escape closes the list. Focus stays in the box throughout (aria-activedescendant).
// Progressive enhancement: without this script the search form works the same, just without suggestions.
(function () {
  "use strict";
  var DEBOUNCE_MS = 200;
  var MIN_LENGTH = 2;

  function enhance(input) {
    var list = document.getElementById(input.dataset.autocompleteList);
    var status = document.getElementById(input.dataset.autocompleteStatus);
    if (!list) { return; }
    var suggestions = [];
    var active = -1;
    var timer = null;
    var pending = null;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    if (input.dataset.autocompleteHint) { input.setAttribute("aria-describedby", input.dataset.autocompleteHint); }

    function announce(text) {
      if (status) { status.textContent = text; }
    }

    function setOpen(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) { highlight(-1); }
    }

    function highlight(index) {
      if (active >= 0 && list.children[active]) { list.children[active].setAttribute("aria-selected", "false"); }
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var option = list.children[index];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function pick(index) {
      input.value = suggestions[index].title;
      setOpen(false);
      input.focus();
      announce(suggestions[index].title + " is in the search box. Press Enter to search.");
    }

    function option(suggestion, index) {
      var item = document.createElement("li");
      item.id = list.id + "-" + index;
      item.className = "autocomplete-option";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      var title = document.createElement("span");
      title.textContent = suggestion.title;
      var kind = document.createElement("span");
      kind.className = "autocomplete-kind";
      kind.textContent = suggestion.kind_label;
      item.append(title, " ", kind);
      // mousedown, not click: the box keeps focus, so its blur does not close the list first.
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        pick(index);
      });
      return item;
    }

    function show(found) {
      suggestions = found;
      active = -1;
      list.replaceChildren.apply(list, found.map(option));
      setOpen(found.length > 0);
      announce(found.length ? found.length + (found.length === 1 ? " suggestion" : " suggestions") +
        ": use the up and down arrow keys to choose." : "");
    }

    function load(prefix) {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(input.dataset.autocompleteUrl + "?q=" + encodeURIComponent(prefix),
            { credentials: "same-origin", signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          // Only if it still answers what is in the box, and the user is still there.
          if (input.value.trim() === prefix && document.activeElement === input) { show(data.suggestions); }
        })
        .catch(function () { /* aborted, or offline: suggestions are a nicety, searching still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var prefix = input.value.trim();
      if (prefix.length < MIN_LENGTH) {
        if (pending) { pending.abort(); }
        show([]);
        return;
      }
      timer = setTimeout(function () { load(prefix); }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!suggestions.length) { return; }
        event.preventDefault();
        if (!open) { setOpen(true); }
        var next = active + (event.key === "ArrowDown" ? 1 : -1);  // wrapping round at either end
        highlight(next >= suggestions.length ? 0 : next < 0 ? suggestions.length - 1 : next);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();  // picks the suggestion; a second Enter searches
        pick(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();  // closes the list; with it closed, Escape clears the box as usual
        setOpen(false);
      } else if (event.key === "Tab") {
        setOpen(false);
      }
    });

    input.addEventListener("blur", function () { setOpen(false); });
  }

  document.querySelectorAll("input[data-autocomplete-url]").forEach(enhance);
})();
