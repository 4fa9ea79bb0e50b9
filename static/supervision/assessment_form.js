// The running total of the weights while a bureau types them (the server checks the 100 again).
(function () {
  var table = document.getElementById("items"), out = document.getElementById("weight-total");
  if (!table || !out) { return; }
  function sum() {
    var total = 0;
    table.querySelectorAll("input[name$='-weight']").forEach(function (input) {
      var v = parseFloat(input.value); if (!isNaN(v)) { total += v; }
    });
    out.textContent = (Math.round(total * 100) / 100).toString();
    out.className = "fw-bold " + (Math.abs(total - 100) < 0.001 ? "text-success" : "text-danger");
  }
  table.addEventListener("input", sum); sum();
})();
