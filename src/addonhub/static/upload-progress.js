// The submit form's progress bar: with JavaScript the package is sent by XMLHttpRequest, whose
// upload events move the bar, and the page it answers with replaces this one; without it the form
// is an ordinary multipart form (the bar stays hidden).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  const holder = form.querySelector(".upload-progress");
  const bar = holder.querySelector("progress");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) bar.value = Math.round((100 * progress.loaded) / progress.total);
    });
    request.addEventListener("load", () => {
      // Redirected: the upload's page, opened as the browser would. Else the form again with
      // its error, shown as it came (the bar's handler is not needed there: it is a plain form).
      if (new URL(request.responseURL).pathname !== new URL(form.action).pathname) {
        window.location.assign(request.responseURL);
        return;
      }
      const answer = new DOMParser().parseFromString(request.responseText, "text/html");
      document.title = answer.title;
      document.body.replaceWith(answer.body);
    });
    request.addEventListener("error", () => { holder.hidden = true; form.submit(); });
    holder.hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
    request.send(new FormData(form));
  });
});
