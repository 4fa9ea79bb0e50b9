// "Select all" for the findings a notice covers.
(function () {
  var all = document.getElementById("select-all");
  if (!all) { return; }
  all.addEventListener("change", function (e) {
    document.querySelectorAll("input.pick").forEach(function (box) { box.checked = e.target.checked; });
  });
})();
