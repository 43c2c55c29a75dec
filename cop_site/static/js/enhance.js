// What htmx has no attribute for. Everything here is an enhancement: without JavaScript every control is a plain
// link or form that works the same with a page load. (Focus after a swap needs nothing here: htmx focuses the
// swapped-in element marked autofocus, such as a form's error summary or a new post.)
//  - messages the server sends with a fragment (HX-Trigger "announce") shown and announced where Django's
//    messages appear after a page load;
//  - "Quote" inserts the quote the server would prefill into the reply being written;
//  - an inline panel (the flag form) closes with its Cancel button, focus back on the link that opened it;
//  - an enhanced request that fails or is redirected (signed out, no longer allowed) falls back to a page load.
(function () {
  "use strict";

  var messages = (function () {
    var region = document.querySelector("#main-content .messages");
    if (!region) {
      region = document.createElement("div");
      region.className = "messages";
      region.setAttribute("role", "status");
      var container = document.querySelector("#main-content .container") || document.body;
      container.insertBefore(region, container.firstChild);
    }
    return region;
  })();

  function say(text, kind) {
    var message = document.createElement("p");
    message.className = "message message-" + kind;
    message.textContent = text;
    messages.replaceChildren(message);
  }

  document.addEventListener("announce", function (event) { say(event.detail.message, "success"); });

  // Quoting: the server answers with the quote as plain text (never HTML: it is a member's own Markdown).
  function insertQuote(box, quote, postId) {
    var written = box.value.replace(/\s+$/, "");
    box.value = written ? written + "\n\n" + quote : quote;
    var quotedPost = box.form && box.form.elements.namedItem("quoted_post");
    if (quotedPost) { quotedPost.value = postId; }
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-quote]");
    var box = document.querySelector("#reply textarea[name=body]");
    if (!link || !box || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    fetch(link.href.split("#")[0], { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        var plain = (response.headers.get("Content-Type") || "").indexOf("text/plain") === 0;
        if (!response.ok || response.redirected || !plain) { throw new Error("not a quote"); }
        return response.text();
      })
      .then(function (quote) { insertQuote(box, quote, link.dataset.quote); })
      .catch(function () { window.location.assign(link.href); });
  });

  // Inline panels: a link with aria-controls fills a slot; the panel's Cancel empties it.
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-close-panel]");
    var slot = cancel && cancel.closest(".panel-slot");
    if (!slot) { return; }
    slot.replaceChildren();
    var opener = document.querySelector('[aria-controls="' + slot.id + '"]');
    if (opener) { opener.focus(); }
  });

  function loadWithoutEnhancement(element) {
    if (element instanceof HTMLFormElement) {
      HTMLFormElement.prototype.submit.call(element);  // no submit event, so htmx stays out of it
    } else if (element instanceof HTMLAnchorElement) {
      window.location.assign(element.href);
    } else {
      window.location.reload();
    }
  }

  // A refusal (403, 404, 429...) or a server error: do the same thing as a page load, which explains itself.
  document.addEventListener("htmx:responseError", function (event) { loadWithoutEnhancement(event.detail.elt); });

  // Redirected elsewhere (to sign in, typically): follow it as a page rather than swap a whole page into a corner.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var answered = event.detail.xhr.responseURL;
    if (answered && new URL(answered).pathname !== new URL(event.detail.requestConfig.path, window.location.href).pathname) {
      event.detail.shouldSwap = false;
      window.location.assign(answered);
    }
  });

  document.addEventListener("htmx:sendError", function () {
    say("The site could not be reached. Check your connection and try again.", "error");
  });
})();
