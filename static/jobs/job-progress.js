// "我的任务": while a job is queued or running, poll its status and move the bar; reload the
// page once it has finished so the result (file, counts or reason) shows.
(function () {
  var box = document.querySelector("[data-job-status]");
  if (!box) { return; }
  var url = box.getAttribute("data-job-status");
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-job-label]");
  var count = box.querySelector("[data-job-count]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        if (s.finished) { window.location.reload(); return; }
        if (s.total) { bar.max = s.total; bar.value = s.done; }
        label.textContent = s.state_label;
        if (count) { count.textContent = s.total ? s.done + " / " + s.total : ""; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
