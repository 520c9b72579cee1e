// motcua: the few behaviours htmx does not cover. Loaded as a file: the CSP forbids inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });
  // Officers' screens: with htmx the papers checklist follows the procedure by itself, so the
  // no-script button that reloads it is hidden.
  if (window.htmx) {
    document.querySelectorAll(".no-htmx").forEach(function (button) { button.hidden = true; });
  }
});
