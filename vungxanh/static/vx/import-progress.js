/* Import pages: ask before undoing an import, and show that a file is being checked.
   The progress bar of a background import is polled by htmx (hx-trigger="every 1s");
   nothing here is needed for it. Loaded as a file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  /* <form data-confirm="question">: submit only if the user agrees. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
    if (event.defaultPrevented) { return; }
    /* <form data-busy="text">: a large file takes a while to upload and check; say so
       on the button and stop a second submission. */
    var busy = form.getAttribute && form.getAttribute("data-busy");
    if (busy) {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.setAttribute("data-idle", button.textContent);
        button.disabled = true;
        button.textContent = busy;
      }
      form.setAttribute("aria-busy", "true");
    }
  });

  /* Back to a page the browser kept in memory: the form may be used again. */
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      var button = form.querySelector("button[data-idle]");
      if (button) {
        button.disabled = false;
        button.textContent = button.getAttribute("data-idle");
      }
    });
  });
})();
