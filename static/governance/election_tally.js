/* Live totals while votes are typed in: the sum of each position's votes against what the
   valid ballots can hold, and whether each candidate reaches the threshold of the ballots cast.
   Progressive only: without JavaScript the form still works, and "预览" computes the same on
   the server. The words shown come from the page (data-* attributes), so they are translated. */
(function () {
  "use strict";

  function count(value) {
    var n = parseInt(value, 10);
    return isNaN(n) || n < 0 ? null : n;
  }

  function meets(part, whole, f) {
    var left = part * f.den;
    var right = f.num * whole;
    return f.strict ? left > right : left >= right;
  }

  document.querySelectorAll("form[data-tally]").forEach(function (form) {
    var data = form.dataset;
    var fraction = { num: Number(data.num), den: Number(data.den), strict: data.strict === "1" };

    function whole(kind) {
      var id = data[kind + "Input"];
      if (id) {
        var input = document.getElementById(id);
        return input ? count(input.value) : null;
      }
      return data[kind] === "" || data[kind] === undefined ? null : count(data[kind]);
    }

    function mark(element, text, style) {
      element.textContent = text;
      element.className = "badge " + style;
    }

    function update() {
      var cast = whole("cast");
      var valid = whole("valid");
      var totals = {};
      form.querySelectorAll("input[data-position]").forEach(function (input) {
        var position = input.dataset.position;
        var votes = count(input.value);
        totals[position] = (totals[position] || 0) + (votes || 0);
        var badge = form.querySelector('[data-mark-for="' + input.id + '"]');
        if (!badge) {
          return;
        }
        if (votes === null || cast === null) {
          mark(badge, "", "");
        } else if (valid !== null && votes > valid) {
          mark(badge, data.tooMany, "status-non_compliant");
        } else if (meets(votes, cast, fraction)) {
          mark(badge, data.reaches, "status-compliant");
        } else {
          mark(badge, data.short, "text-bg-light border");
        }
      });
      form.querySelectorAll("output[data-total-for]").forEach(function (output) {
        var total = totals[output.dataset.totalFor] || 0;
        var cap = valid === null ? null : valid * Number(output.dataset.seats);
        output.textContent = String(total);
        output.classList.toggle("text-danger", cap !== null && total > cap);
        output.classList.toggle("fw-bold", cap !== null && total > cap);
      });
    }

    form.addEventListener("input", update);
    update();
  });
})();
