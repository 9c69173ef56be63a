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

  // In-place saves: a typed value is never left looking saved when it is not. While a save is on
  // its way its message says so; a refusal (out of range, someone else's newer value) shows the
  // server's message; a failure (server error, no connection) marks the value unsaved with the
  // reason and a button that sends it again; leaving the page with such a value asks first.
  function label(name) {
    return document.body.dataset[name] || "";
  }
  function savingField(element) {
    return element && element.matches && element.matches(".field [hx-post]") ? element : null;
  }
  function messageOf(element) {
    return document.getElementById((element.getAttribute("hx-target") || "").slice(1));
  }
  function showFailure(element, reason) {
    var message = messageOf(element);
    if (!message) return;
    message.className = "msg error";
    message.setAttribute("role", "alert");
    message.textContent = label("failedLabel") + ": " + reason + " ";
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry";
    retry.textContent = label("retryLabel");
    retry.addEventListener("click", function () {
      window.htmx.trigger(element, "retry");
    });
    message.appendChild(retry);
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = savingField(event.detail.elt);
    if (!element) return;
    element.classList.add("saving");
    element.classList.remove("unsaved");
    var message = messageOf(element);
    if (message) {
      message.className = "msg saving";
      message.removeAttribute("role");
      message.textContent = label("savingLabel");
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var element = savingField(event.detail.elt);
    if (!element) return;
    element.classList.remove("saving");
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 200 && status < 300) {
      element.classList.remove("unsaved");
      return;
    }
    element.classList.add("unsaved");
    if (status === 400 || status === 409 || status === 413) return; // the server's message shows
    showFailure(
      element,
      status === 0 ? label("offlineLabel") : label("serverErrorLabel").replace("%(status)s", status)
    );
  });
  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector(".field .saving, .field .unsaved")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // On a phone the main menu folds behind one button.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("button.menu-toggle");
    if (!toggle) return;
    var bar = toggle.closest(".topbar");
    var open = !bar.classList.contains("menu-open");
    bar.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
