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
})();
