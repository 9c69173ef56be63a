/* CCHC portal: the little behaviour pages need beyond htmx. No inline scripts anywhere, so a
   strict Content-Security-Policy holds. */
(function () {
  "use strict";

  // Filter forms apply as soon as a choice changes.
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.classList.contains("autosubmit") && event.target.tagName === "SELECT") {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  // On an entry sheet, Tab and Enter move down the points column, Shift+Tab up, as in a
  // spreadsheet; the other fields of a row stay reachable with the mouse.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("points-input")) return;
    if (event.key !== "Tab" && event.key !== "Enter") return;
    var column = Array.prototype.slice.call(document.querySelectorAll("input.points-input"));
    var next = column[column.indexOf(input) + (event.shiftKey ? -1 : 1)];
    if (!next) return;
    event.preventDefault();
    next.focus();
    next.select();
  });

  // A save whose ranking recompute could not be queued: the server says so in an htmx event
  // (the page itself stays). Shown once, where the user is looking, until closed.
  document.addEventListener("ranking-deferred", function (event) {
    var box = document.getElementById("live-notices");
    var text = event.detail && event.detail.message;
    if (!box || !text) return;
    var shown = Array.prototype.some.call(box.children, function (toast) {
      return toast.firstChild.textContent === text;
    });
    if (shown) return;
    var toast = document.createElement("div");
    toast.className = "toast warning";
    toast.setAttribute("role", "status");
    var message = document.createElement("span");
    message.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", box.dataset.closeLabel || "Close");
    close.addEventListener("click", function () { toast.remove(); });
    toast.appendChild(message);
    toast.appendChild(close);
    box.appendChild(toast);
  });
})();
