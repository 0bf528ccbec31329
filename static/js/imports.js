/* The imports page: poll each unfinished upload until its import task is done, then reload to show its runs. */
(function () {
  "use strict";

  function watch(row) {
    if (row.dataset.status !== "queued" && row.dataset.status !== "running") return;
    var timer = window.setInterval(function () {
      fetch(row.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          row.querySelector(".upload-rows").textContent = data.rows_done.toLocaleString();
          row.querySelector(".upload-status").textContent = data.status;
          if (data.status === "succeeded" || data.status === "failed") {
            window.clearInterval(timer);
            window.location.reload();
          }
        });
    }, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("tr.upload").forEach(watch);
  });
})();
