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
