// Controls that only a page without JavaScript needs (such as 选择下一级) are hidden by `.js .no-js`.
document.documentElement.classList.add("js");

// Sends the CSRF token with every htmx request, including ones not made from a form.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
  }
});

// Upload progress of evidence files (templates/evidence/_files.html): htmx reports it on the form, and the
// CSP allows no inline handler, so the bar is moved from here.
document.addEventListener("htmx:xhr:progress", function (event) {
  var form = event.target;
  var bar = form && form.querySelector ? form.querySelector("progress[data-upload-progress]") : null;
  if (bar && event.detail.lengthComputable && event.detail.total > 0) {
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    bar.textContent = bar.value + "%";
  }
});

// Live character counters (the `field` macro in templates/_macros.html): the server refuses a text over its
// limit with the count, so the page says the count while typing instead of the browser cutting the text.
function updateCounter(counter) {
  var input = document.getElementById(counter.getAttribute("data-counter-for"));
  var max = parseInt(counter.getAttribute("data-max"), 10);
  if (!input || !max) {
    return;
  }
  var length = Array.from(input.value).length;
  // The wording comes from the page, in the reader's language: {length}, {max} and {over} are filled here.
  var text = counter.getAttribute(length > max ? "data-text-over" : "data-text") || "{length} / {max}";
  counter.textContent = text.replace("{length}", length).replace("{max}", max).replace("{over}", length - max);
  counter.classList.toggle("over", length > max);
}

function counters(root) {
  return root.querySelectorAll ? root.querySelectorAll("[data-counter-for]") : [];
}

document.addEventListener("input", function (event) {
  var id = event.target && event.target.id;
  if (id) {
    counters(document).forEach(function (counter) {
      if (counter.getAttribute("data-counter-for") === id) {
        updateCounter(counter);
      }
    });
  }
});
document.addEventListener("DOMContentLoaded", function () { counters(document).forEach(updateCounter); });
document.addEventListener("htmx:load", function (event) { counters(event.target).forEach(updateCounter); });

// Focus follows the outcome (templates/base.html's #live region, the `error_summary` macro). On a page
// load: the error summary if the form was refused, else the result message of an htmx action that ended in
// a redirect (marked before leaving, since the new page cannot tell). After an htmx action (not a GET): the first field
// marked invalid or the error message in the new content, else the new content itself, whose result
// message is also copied into the live region so it is read without moving the reader.
var FOCUS_AFTER_REDIRECT = "shanqiao-focus-result";

function focusOn(element) {
  if (!element) {
    return false;
  }
  if (!element.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(element.tagName)) {
    element.setAttribute("tabindex", "-1");
  }
  element.focus();
  return true;
}

document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  var live = document.getElementById("live");
  var wanted = window.sessionStorage && sessionStorage.getItem(FOCUS_AFTER_REDIRECT);
  if (wanted) {
    sessionStorage.removeItem(FOCUS_AFTER_REDIRECT);
  }
  if (!focusOn(summary) && wanted && live && live.textContent.trim()) {
    focusOn(live);
  }
});

// Before htmx handles the answer: an HX-Redirect leaves the page without any swap event.
document.addEventListener("htmx:beforeOnLoad", function (event) {
  var xhr = event.detail.xhr;
  if (xhr && xhr.getResponseHeader("HX-Redirect") && window.sessionStorage) {
    sessionStorage.setItem(FOCUS_AFTER_REDIRECT, "1");
  }
});

document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail.target || event.target;
  var config = event.detail.requestConfig;
  // Only actions move focus: a live search (a GET while typing) must leave the reader in the search box.
  if (!config || config.verb === "get" || !target || !target.querySelector || !document.body.contains(target)) {
    return;
  }
  var problem = target.querySelector('.error-summary, [aria-invalid="true"], .error, .problem');
  if (focusOn(problem)) {
    return;
  }
  var result = target.querySelector(".flash, [data-result]");
  var live = document.getElementById("live");
  if (result && live) {
    live.textContent = result.textContent.trim();
  }
  if (target.id !== "live" && !target.contains(document.activeElement)) {
    focusOn(result || target);
  }
});
