// Fills the search box's <datalist> with titles from /search/autocomplete/ as the user types.
// Progressive enhancement: without it the search form works the same, just without suggestions.
(function () {
  "use strict";
  document.querySelectorAll("input[data-autocomplete-url]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var latest = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var prefix = input.value.trim();
      if (prefix.length < 2 || !list) { return; }
      timer = setTimeout(function () {
        var request = ++latest;
        fetch(input.dataset.autocompleteUrl + "?q=" + encodeURIComponent(prefix), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (data) {
            if (request !== latest) { return; }
            list.replaceChildren.apply(list, data.suggestions.map(function (suggestion) {
              var option = document.createElement("option");
              option.value = suggestion.title;
              return option;
            }));
          })
          .catch(function () { /* suggestions are a nicety; typing and searching still work */ });
      }, 150);
    });
  });
})();
